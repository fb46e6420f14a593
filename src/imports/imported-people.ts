import { quoteIdent } from '../db/migrate.ts';
import { Prisma } from '../db/prisma.ts';
import { decodeCursor, encodeCursor } from '../db/keyset.ts';
import type { ServiceContext } from '../shared/actor.ts';

/** A row of an import that wrote a person, and the person it wrote. */
export interface ImportedPerson {
  row: number;
  result: 'CREATED' | 'UPDATED';
  /**
   * The person written; once merged into someone, the survivor (a merge moves the timeline). A
   * deleted or erased person's events go with them, and so do their rows here.
   */
  personId: string;
}

export interface ImportedPeoplePage {
  edges: { cursor: string; node: ImportedPerson }[];
  hasNextPage: boolean;
}

// Ties a cursor to its import: another import's cursor is refused, not read as a row number.
const cursorSignature = (importId: string) => `import-people:${importId}`;

/**
 * The people an import wrote, in row order, a keyset page at a time: from the IMPORTED events its
 * rows left (their data holds the import's id and the row), through the partial expression index
 * of migration 20261207130000_imported_people, whose expressions this query repeats so that it is
 * used. Rows that failed or changed nothing left no event; a dry run left none at all.
 */
export async function importedPeople(
  { prisma, actor, dbSchema }: ServiceContext,
  importId: string,
  { first, after }: { first: number; after: string | null },
): Promise<ImportedPeoplePage> {
  const afterRow = after ? (decodeCursor(after, cursorSignature(importId), [{ kind: 'position' }], 'after')[0] as number) : 0;
  const rows = await prisma.$queryRaw<{ row: number; result: ImportedPerson['result']; personId: string }[]>`
    SELECT ("data" ->> 'row')::integer AS "row", "data" ->> 'result' AS "result", "personId"
    FROM ${Prisma.raw(`${quoteIdent(dbSchema)}."TimelineEvent"`)}
    WHERE "type" = 'IMPORTED' AND ("data" ->> 'importId') = ${importId} AND ("data" ->> 'row')::integer > ${afterRow}
      AND "organizationId" = ${actor.organizationId}
    ORDER BY ("data" ->> 'row')::integer LIMIT ${first + 1}`;
  return {
    edges: rows.slice(0, first).map((node) => ({ cursor: encodeCursor(cursorSignature(importId), [node.row]), node })),
    hasNextPage: rows.length > first,
  };
}
