import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { printedSchema } from '../../src/scripts/print-schema.ts';

describe('schema.graphql', () => {
  it('is what the code builds (run `npm run schema:print` after changing the schema)', async () => {
    const committed = await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(printedSchema());
  });
});
