import type { Db, Prisma } from '../db/prisma.ts';
import type { Note } from '../generated/prisma/client.ts';
import type { Actor } from '../shared/actor.ts';
import {
  type CursorKey,
  decodeCursor,
  type Direction,
  encodeCursor,
  type KeysetPage,
  type KeyValue,
  orderByOf,
  type PageArgs,
  pageWindow,
  querySignature,
  reverse,
  type SortKey,
  toPage,
} from '../db/keyset.ts';
import { type NoteFilter, noteListWhere } from './note-service.ts';

export type NoteOrderField = 'FLAGGED' | 'CREATED_AT';

export interface NoteOrder {
  field: NoteOrderField;
  direction?: Direction | null;
}

export interface NotesQuery {
  filter?: NoteFilter | null;
  orderBy?: readonly NoteOrder[] | null;
  page: PageArgs;
}

const columns: Record<NoteOrderField, 'flagged' | 'createdAt'> = { FLAGGED: 'flagged', CREATED_AT: 'createdAt' };
/** A flag travels in a cursor as 0 or 1 (cursor values are JSON scalars, checked by kind). */
const cursorKinds: Record<string, CursorKey> = { flagged: { kind: 'flag' }, createdAt: { kind: 'instant' }, id: { kind: 'id' } };

/** Seed 002's order when none is asked for: flagged first, then newest. */
const defaultOrder: NoteOrder[] = [
  { field: 'FLAGGED', direction: 'DESC' },
  { field: 'CREATED_AT', direction: 'DESC' },
];

/**
 * The sort keys of a note list: the order asked for (each column once), then the id in the
 * direction of the last key, so that the order is total and the default one is Person.notes'
 * (flagged, newest, id all descending).
 */
export function noteSortKeys(orderBy: readonly NoteOrder[] | null | undefined): SortKey[] {
  const order = orderBy?.length ? orderBy : defaultOrder;
  const keys: SortKey[] = [];
  for (const { field, direction } of order) {
    if (!keys.some((key) => key.column === columns[field])) keys.push({ column: columns[field], direction: direction ?? 'DESC' });
  }
  return [...keys, { column: 'id', direction: keys.at(-1)!.direction }];
}

/**
 * A page of the notes the actor may see, across people (seed 002's note list): the filter and the
 * private-note rule of Person.notes, keyset cursors tied to their filter and order.
 */
export async function listNotes<Row extends Note>(
  db: Db,
  actor: Actor,
  request: NotesQuery,
  /** The nested selection (plugin-prisma's query for the nodes). */
  nodeQuery: { include?: object; select?: object },
): Promise<KeysetPage<Row>> {
  const where = noteListWhere(actor, request.filter);
  const window = pageWindow(request.page);
  const keys = noteSortKeys(request.orderBy);
  const signature = querySignature({ notes: request.filter ?? null, keys });
  const readKeys = window.backward ? reverse(keys) : keys;
  const keysetWhere = window.cursor
    ? afterNote(
        readKeys,
        decodeCursor(window.cursor, signature, keys.map(({ column }) => cursorKinds[column]!), window.backward ? 'before' : 'after'),
      )
    : {};
  const select = nodeQuery.select ? { select: { ...nodeQuery.select, flagged: true, createdAt: true, id: true } } : nodeQuery;
  const fetched = (await db.note.findMany({
    ...select,
    where: { AND: [where, keysetWhere] },
    orderBy: orderByOf(readKeys) as Prisma.NoteOrderByWithRelationInput[],
    take: window.size + 1,
  })) as Row[];
  const page = toPage(fetched, window.size, window.backward, window.cursor !== null);
  const cursorOf = (row: Row) =>
    encodeCursor(signature, keys.map(({ column }) => toCursorValue(row[column as 'flagged' | 'createdAt' | 'id'])));
  return {
    edges: page.rows.map((row) => ({ cursor: cursorOf(row), node: row })),
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    totalCount: () => db.note.count({ where }),
  };
}

function toCursorValue(value: boolean | Date | string): KeyValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value instanceof Date ? value.toISOString() : value;
}

/**
 * The notes strictly after a cursor in the order of `keys` (keyset.ts' afterKeyset, which cannot
 * compare booleans with gt/lt: after a flag comes only the other flag, or nothing).
 */
function afterNote(keys: SortKey[], values: KeyValue[]): Prisma.NoteWhereInput {
  const valueOf = (column: string, value: KeyValue) =>
    column === 'flagged' ? value === 1 : column === 'createdAt' ? new Date(value as string) : value;
  const alternatives: Prisma.NoteWhereInput[] = [];
  keys.forEach((key, index) => {
    const value = valueOf(key.column, values[index]!);
    const operator = key.direction === 'ASC' ? 'gt' : 'lt';
    let beyond: Prisma.NoteWhereInput | undefined;
    if (key.column === 'flagged') {
      // Descending, true comes before false; ascending, false before true.
      if ((key.direction === 'DESC') === value) beyond = { flagged: !value };
    } else {
      beyond = { [key.column]: { [operator]: value } };
    }
    if (!beyond) return;
    const equalBefore = keys.slice(0, index).map((previous, j) => ({ [previous.column]: valueOf(previous.column, values[j]!) }));
    alternatives.push({ AND: [...equalBefore, beyond] });
  });
  // Nothing comes after the very last note.
  return alternatives.length > 0 ? { OR: alternatives } : { id: { in: [] } };
}
