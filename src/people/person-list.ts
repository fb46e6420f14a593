import { Prisma, type Db } from '../db/prisma.ts';
import type { Person } from '../generated/prisma/client.ts';
import type { Actor } from '../shared/actor.ts';
import {
  afterKeyset,
  type CursorKey,
  decodeCursor,
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
import { type PersonFilter, personWhere, searchWords } from './person-filter.ts';

export type PersonOrderField = 'FAMILY_NAME' | 'GIVEN_NAME' | 'CREATED_AT' | 'UPDATED_AT' | 'LAST_ACTIVE_AT';

export interface PersonOrder {
  field: PersonOrderField;
  direction?: 'ASC' | 'DESC' | null;
  nulls?: 'FIRST' | 'LAST' | null;
}

const columns: Record<PersonOrderField, { column: keyof Person; nullable: boolean; date: boolean }> = {
  FAMILY_NAME: { column: 'familyName', nullable: false, date: false },
  GIVEN_NAME: { column: 'givenName', nullable: true, date: false },
  CREATED_AT: { column: 'createdAt', nullable: false, date: true },
  UPDATED_AT: { column: 'updatedAt', nullable: false, date: true },
  LAST_ACTIVE_AT: { column: 'lastActiveAt', nullable: true, date: true },
};
const dateColumns = new Set(Object.values(columns).filter((c) => c.date).map((c) => c.column as string));
const columnKeys = new Map<string, CursorKey>([
  ...Object.values(columns).map(({ column, nullable, date }) => [column as string, { kind: date ? 'instant' : 'text', nullable }] as const),
  ['id', { kind: 'id' }],
]);
/** A ranked search's cursor: its rank, then its id. */
const rankedKeys: CursorKey[] = [{ kind: 'rank' }, { kind: 'id' }];

export interface PeopleQuery {
  filter?: PersonFilter | null;
  orderBy?: readonly PersonOrder[] | null;
  page: PageArgs;
}

/**
 * A page of people. With a search and no explicit order, the most relevant come first (pg_trgm
 * word similarity); otherwise the order asked for (created first by default), always ending on
 * the id so that the order is total and the cursors stable.
 */
export async function listPeople<Row extends Person>(
  db: Db,
  actor: Actor,
  request: PeopleQuery,
  /** The nested selection (plugin-prisma's query for the nodes). */
  nodeQuery: { include?: object; select?: object },
  dbSchema: string,
): Promise<KeysetPage<Row>> {
  const where = await personWhere(db, actor, request.filter);
  const window = pageWindow(request.page);
  const relevance = request.filter?.q != null && !request.orderBy?.length;
  const signature = querySignature({ filter: request.filter ?? null, orderBy: request.orderBy ?? null, relevance });
  if (relevance) return rankedPage<Row>(db, where, request.filter!.q!, window, signature, nodeQuery, dbSchema);

  const keys: SortKey[] = [
    ...(request.orderBy ?? [{ field: 'CREATED_AT' as const }]).map(({ field, direction, nulls }) => {
      const { column, nullable } = columns[field];
      return {
        column,
        direction: direction ?? 'ASC',
        ...(nullable ? { nulls: nulls ?? 'LAST' } : {}),
      } satisfies SortKey;
    }),
    { column: 'id', direction: 'ASC' },
  ];
  const readKeys = window.backward ? reverse(keys) : keys;
  const toValue = (column: string, value: KeyValue) => (dateColumns.has(column) && value !== null ? new Date(value) : value);
  const keysetWhere = window.cursor
    ? afterKeyset(
        readKeys,
        decodeCursor(window.cursor, signature, keys.map(({ column }) => columnKeys.get(column)!), window.backward ? 'before' : 'after'),
        toValue,
      )
    : {};
  const fetched = (await db.person.findMany({
    ...withColumns(nodeQuery, keys.map(({ column }) => column)),
    where: { AND: [where, keysetWhere as Prisma.PersonWhereInput] },
    orderBy: orderByOf(readKeys) as Prisma.PersonOrderByWithRelationInput[],
    take: window.size + 1,
  })) as Row[];
  const page = toPage(fetched, window.size, window.backward, window.cursor !== null);
  const cursorOf = (row: Row) =>
    encodeCursor(
      signature,
      keys.map(({ column }) => {
        const value = row[column as keyof Person];
        return value instanceof Date ? value.toISOString() : (value as KeyValue);
      }),
    );
  return {
    edges: page.rows.map((row) => ({ cursor: cursorOf(row), node: row })),
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    totalCount: () => db.person.count({ where }),
  };
}

/**
 * The node query with the columns the cursors are made of: a selection that names its columns
 * (plugin-prisma's select mode) has only those the client asked for.
 */
function withColumns(nodeQuery: { include?: object; select?: object }, columns: string[]): { include?: object; select?: object } {
  if (!nodeQuery.select) return nodeQuery;
  return { ...nodeQuery, select: { ...nodeQuery.select, ...Object.fromEntries(columns.map((column) => [column, true])) } };
}

async function rankedPage<Row extends Person>(
  db: Db,
  where: Prisma.PersonWhereInput,
  query: string,
  window: ReturnType<typeof pageWindow>,
  signature: string,
  nodeQuery: { include?: object; select?: object },
  dbSchema: string,
): Promise<KeysetPage<Row>> {
  const matching = await db.person.findMany({ where, select: { id: true } });
  const ids = matching.map((row) => row.id);
  const words = (await searchWords(db, query)).join(' ');
  const cursor = window.cursor
    ? (decodeCursor(window.cursor, signature, rankedKeys, window.backward ? 'before' : 'after') as [number, string])
    : undefined;
  // Best first; equal ranks by id. Backwards, the same order read from the other end.
  const [rankOrder, idOrder] = window.backward ? [Prisma.sql`ASC`, Prisma.sql`DESC`] : [Prisma.sql`DESC`, Prisma.sql`ASC`];
  const beyond = !cursor
    ? Prisma.empty
    : window.backward
      ? Prisma.sql`WHERE rank > ${cursor[0]}::real OR (rank = ${cursor[0]}::real AND id < ${cursor[1]})`
      : Prisma.sql`WHERE rank < ${cursor[0]}::real OR (rank = ${cursor[0]}::real AND id > ${cursor[1]})`;
  const ranked = await db.$queryRaw<{ id: string; rank: number }[]>`
    SELECT id, rank FROM (
      SELECT id, public.word_similarity(${words}, "searchText") AS rank
      FROM ${Prisma.raw(`"${dbSchema.replaceAll('"', '""')}"."Person"`)}
      WHERE id = ANY(${ids})
    ) AS candidates
    ${beyond}
    ORDER BY rank ${rankOrder}, id ${idOrder}
    LIMIT ${window.size + 1}`;
  const page = toPage(ranked, window.size, window.backward, cursor !== undefined);
  const rows = (await db.person.findMany({ ...nodeQuery, where: { id: { in: page.rows.map((row) => row.id) } } })) as Row[];
  const byId = new Map(rows.map((row) => [row.id, row]));
  return {
    edges: page.rows.map((row) => ({ cursor: encodeCursor(signature, [row.rank, row.id]), node: byId.get(row.id)! })),
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    totalCount: async () => ids.length,
  };
}
