import { writeFile } from 'node:fs/promises';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { schema } from '../schema/index.ts';

/**
 * Writes schema.graphql, the committed contract: the schema as served and introspected, federation's
 * `_service` and `_entities` included, which client codegen reads. Applied directives (@key, @link,
 * @shareable) are not in it: gateways get those from `_service { sdl }`, printed by Apollo's own
 * printer at startup; test/graphql/federation.test.ts checks that both describe the same types.
 * A test fails when this file falls behind the code.
 */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await writeFile(new URL('../../schema.graphql', import.meta.url), printedSchema());
}
