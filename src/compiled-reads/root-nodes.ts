import type { GraphQLObjectType } from 'graphql';
import { localId } from '../graphql/ids.ts';
import type { SelectedField } from './selection.ts';
import { compileObject, type Compiler, organizationParam, type RootCompiler, rootParam, statement } from './sql.ts';

/**
 * node(id), nodes(ids) and _entities(representations) when every object asked for is a Person by
 * its global id: the same row person(id) reads (any person of the organisation, archived too),
 * with `__typename` for the Node interface and the _Entity union to resolve. Any other type
 * or key goes to the resolvers.
 */
function personObject(c: Compiler, field: SelectedField, row: string): string {
  const person = c.selection.schema.getType('Person') as GraphQLObjectType;
  return compileObject(c, person, row, field.nodes, true);
}

/** A list of people by id, in the order given, null where there is none in the organisation. */
function peopleByIds(c: Compiler, field: SelectedField): string {
  const row = c.alias();
  const wanted = c.alias();
  const object = personObject(c, field, row);
  return statement(
    `coalesce((SELECT json_agg(CASE WHEN ${row}.id IS NULL THEN NULL ELSE ${object} END ORDER BY ${wanted}.position)
      FROM unnest(${rootParam}) WITH ORDINALITY AS ${wanted}(id, position)
      LEFT JOIN ${c.table('Person')} ${row} ON ${row}.id = ${wanted}.id AND ${row}."organizationId" = ${organizationParam}), '[]'::json)`,
    ['$3::text[]'],
  );
}

/** The Person id of each global id, or the type that is not a Person (or a malformed id): the resolvers' case. */
function personIds(ids: readonly unknown[]): string[] | { fallback: string } {
  const result: string[] = [];
  for (const id of ids) {
    const personId = typeof id === 'string' ? localId(id, 'Person') : undefined;
    if (personId === undefined) return { fallback: 'not a Person id' };
    result.push(personId);
  }
  return result;
}

const node: RootCompiler = {
  shapeArgs: () => null,
  compile: (c, field) => {
    const row = c.alias();
    return {
      sql: statement(`(SELECT ${personObject(c, field, row)} FROM ${c.table('Person')} ${row} WHERE ${row}.id = ${rootParam} AND ${row}."organizationId" = ${organizationParam})`, [
        '$3::text',
      ]),
      params: ({ id }) => personIds([id]),
    };
  },
};

const nodes: RootCompiler = {
  shapeArgs: () => null,
  compile: (c, field) => ({ sql: peopleByIds(c, field), params: ({ ids }) => wrap(personIds(ids as unknown[])) }),
};

/** _entities: representations of Person by `id` only (an externalId is matched by the resolvers). */
const entities: RootCompiler = {
  shapeArgs: () => null,
  compile: (c, field) => ({
    sql: peopleByIds(c, field),
    params: ({ representations }) => {
      const ids: unknown[] = [];
      for (const representation of representations as Record<string, unknown>[]) {
        if (representation?.__typename !== 'Person' || Object.keys(representation).length !== 2 || !('id' in representation)) {
          return { fallback: 'not a Person by id' };
        }
        ids.push(representation.id);
      }
      return wrap(personIds(ids));
    },
  }),
};

const wrap = (ids: string[] | { fallback: string }) => ('fallback' in ids ? ids : [ids]);

export const nodeCompilers: Record<string, RootCompiler> = { node, nodes, _entities: entities };
