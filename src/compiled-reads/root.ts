import type { GraphQLResolveInfo } from 'graphql';
import { type CursorKey, decodeCursor, querySignature } from '../db/keyset.ts';
import { maxPageSize } from '../graphql/pagination.ts';
import { localId } from '../graphql/ids.ts';
import { type SelectedField, Unsupported } from './selection.ts';
import { compileObject, connection, isoInstant, objectTypeOf, organizationParam, type RootCompiler, rootParam, statement } from './sql.ts';
import './catalogue.ts';
import { nodeCompilers } from './root-nodes.ts';

const archivedConditions = { ACTIVE: 'IS NULL', ARCHIVED: 'IS NOT NULL', ALL: null } as const;

/** What listPeople's default order's cursor holds: createdAt, then id. */
const defaultOrderKeys: CursorKey[] = [{ kind: 'instant' }, { kind: 'id' }];

/**
 * people: the default order (oldest first, then id) over the organisation, optionally by archive
 * state only, from the start or after a cursor of that same query.
 */
const people: RootCompiler = {
  // `first` is a parameter, but whether it is in range decides between a plan and the resolvers' error.
  shapeArgs: ({ filter, orderBy, after, before, last, first }) => ({
    filter,
    orderBy,
    paged: [after, before, last].map((value) => value != null),
    firstInRange: first == null || ((first as number) >= 1 && (first as number) <= maxPageSize),
  }),
  compile: (c, field) => {
    const { filter, orderBy, first } = field.args as { filter?: Record<string, unknown> | null; orderBy?: unknown; first?: number | null };
    for (const name of ['before', 'last']) if (field.args[name] != null) throw new Unsupported(`people(${name})`);
    const afterCursor = field.args.after != null;
    if (orderBy != null) throw new Unsupported('people(orderBy)');
    if (filter != null && Object.keys(filter).some((key) => key !== 'archived')) throw new Unsupported('people(filter)');
    if (first != null && (first < 1 || first > maxPageSize)) throw new Unsupported('page size out of range');
    const archived = (filter?.archived ?? 'ACTIVE') as keyof typeof archivedConditions;
    const condition = archivedConditions[archived];
    const matching = (_row: string, t: string) => `${t}."organizationId" = ${organizationParam}${condition ? ` AND ${t}."archivedAt" ${condition}` : ''}`;
    // After (createdAt, id): afterKeyset's condition for two ascending keys that are never NULL.
    const where = afterCursor ? (row: string, t: string) => `${matching(row, t)} AND (${t}."createdAt", ${t}.id) > ($5::timestamp, $6::text)` : matching;
    // listPeople's cursor: base64url of {"s": the query's signature, "k": [createdAt, id]}.
    const cursor = (t: string) =>
      `rtrim(translate(encode(convert_to('{"s":"' || $4::text || '","k":["' || ${isoInstant(`${t}."createdAt"`)} || '","' || ${t}.id || '"]}', 'UTF8'), 'base64'), E'+/\\n', '-_'), '=')`;
    const compiled = connection({
      table: 'Person',
      where,
      countWhere: matching,
      afterCursor,
      orderBy: (t) => `${t}."createdAt", ${t}.id`,
      cursor,
      size: `${rootParam}::int`,
    });
    const body = compiled(c, 'NULL', { ...field, args: {} });
    const signature = querySignature({ filter: filter ?? null, orderBy: null, relevance: false });
    return {
      sql: statement(body, ['$3::int', '$4::text', ...(afterCursor ? ['$5::timestamp', '$6::text'] : [])]),
      params: (args) => {
        const page = [(args.first as number | null | undefined) ?? 20, signature];
        if (!afterCursor) return page;
        try {
          return [...page, ...decodeCursor(args.after as string, signature, defaultOrderKeys, 'after')];
        } catch {
          // Not a cursor of this query: the resolvers' error says why.
          return { fallback: 'people(after) not a cursor of this query' };
        }
      },
    };
  },
};

/** person(id): any person of the organisation, archived too. */
const person: RootCompiler = {
  shapeArgs: () => null,
  compile: (c, field) => {
    const row = c.alias();
    const body = compileObject(c, objectTypeOf(c, field), row, field.nodes);
    return {
      sql: statement(`(SELECT ${body} FROM ${c.table('Person')} ${row} WHERE ${row}.id = ${rootParam} AND ${row}."organizationId" = ${organizationParam})`, ['$3::text']),
      params: (args) => {
        const personId = localId(args.id as string, 'Person');
        return personId ? [personId] : null;
      },
    };
  },
};

export const rootCompilers: Record<string, RootCompiler> = { people, person, ...nodeCompilers };
