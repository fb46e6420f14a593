import { type FieldNode, getNamedType, type GraphQLObjectType, type GraphQLResolveInfo, isObjectType } from 'graphql';
import { maxPageSize } from '../graphql/pagination.ts';
import { type SelectedField, type SelectionContext, selectFields, Unsupported } from './selection.ts';

/**
 * The SQL text of a compiled selection is built here: every object is a json_build_object keyed
 * by response key and marked with `@` (see hook.ts), every list a json_agg in the order the
 * resolvers give. The parameters are the same for every statement: $1 the caller's organisation,
 * $2 the caller's user, $3 the root field's argument (a person id, a page size).
 */
export const compiledMark = '@';

export interface Compiler {
  selection: SelectionContext;
  /** A table of the request's PostgreSQL schema, quoted. */
  table: (name: string) => string;
  /** A fresh alias for a row. */
  alias: () => string;
}

/** How one field of an object type becomes an SQL expression over the row `row`. */
export type FieldCompiler = (c: Compiler, row: string, field: SelectedField) => string;

export interface TypeSpec {
  fields: Record<string, FieldCompiler>;
}

/** The object types the compiler knows, by GraphQL name (catalogue.ts fills it). */
export const typeSpecs = new Map<string, TypeSpec>();

/** A compiled root field: its statement and how a request's arguments become its parameters. */
export interface RootPlan {
  sql: string;
  /**
   * The parameters after the caller's ($3: the root argument; $4: the people cursor's signature), or null when the answer is known
   * without asking (a malformed id names no one).
   */
  params: (args: Record<string, unknown>) => unknown[] | null | { fallback: string };
}

export interface RootCompiler {
  /** The root arguments that shape the statement (and so its cache key); the others are parameters. */
  shapeArgs: (args: Record<string, unknown>) => unknown;
  compile: (c: Compiler, field: SelectedField, info: GraphQLResolveInfo) => RootPlan;
}

export const organizationParam = '$1';
export const userParam = '$2';
export const rootParam = '$3';

/**
 * The statement: the answer's JSON as text. Every parameter is typed in its one VALUES row, so
 * that a statement which does not use one (no notes: no user) still prepares.
 */
export function statement(body: string, rest: string[]): string {
  return `SELECT (${body})::text AS body FROM (VALUES ($1::text, $2::text, ${rest.join(', ')})) AS parameters`;
}

/** A relay global id as @pothos/plugin-relay encodes it (base64 of `Type:id`). */
export const globalId = (typename: string, column: string) =>
  `translate(encode(convert_to('${typename}:' || ${column}, 'UTF8'), 'base64'), E'\\n', '')`;

/** The DateTime scalar: Date.toISOString() of a timestamp(3) stored in UTC. */
export const isoInstant = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

export const quoteText = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** json_build_object takes at most 100 arguments: larger objects are built in parts and joined. */
export function jsonObject(entries: [string, string][]): string {
  const parts: string[] = [];
  const all: [string, string][] = [[compiledMark, '1'], ...entries];
  for (let start = 0; start < all.length; start += 49) {
    parts.push(`json_build_object(${all.slice(start, start + 49).map(([key, value]) => `${quoteText(key)}, ${value}`).join(', ')})`);
  }
  return parts.length === 1 ? parts[0]! : `(${parts.map((part) => `${part}::jsonb`).join(' || ')})::json`;
}

export function objectTypeOf(c: Compiler, field: SelectedField): GraphQLObjectType {
  const type = getNamedType(field.field.type);
  if (!isObjectType(type)) throw new Unsupported(`${type.name} is not an object type`);
  return type;
}

/**
 * The selection on `type` over the row `row`, as one JSON object; with `__typename` where an
 * interface or union must resolve it (Pothos's resolveType reads it).
 */
export function compileObject(c: Compiler, type: GraphQLObjectType, row: string, nodes: readonly FieldNode[], withTypename = false): string {
  const spec = typeSpecs.get(type.name);
  if (!spec) throw new Unsupported(`type ${type.name}`);
  const entries: [string, string][] = withTypename ? [['__typename', quoteText(type.name)]] : [];
  for (const field of selectFields(c.selection, type, nodes)) {
    const compile = spec.fields[field.field.name];
    if (!compile) throw new Unsupported(`${type.name}.${field.field.name}`);
    entries.push([field.responseKey, compile(c, row, field)]);
  }
  return jsonObject(entries);
}

/** A field without arguments, read from its column through `read`. */
export function column(name: string, read: (column: string) => string = (column) => column): FieldCompiler {
  return (_c, row, field) => {
    noArgs(field);
    return read(`${row}."${name}"`);
  };
}

export const instant = (name: string) => column(name, isoInstant);
/** The Date scalar: YYYY-MM-DD. */
export const day = (name: string) => column(name, (col) => `to_char(${col}, 'YYYY-MM-DD')`);
/** Prisma reads a NULL list as []. */
export const list = (name: string) => column(name, (col) => `coalesce(to_json(${col}), '[]'::json)`);
export const id = (typename: string) => column('id', (col) => globalId(typename, col));

export function noArgs(field: SelectedField): void {
  for (const value of Object.values(field.args)) if (value !== undefined && value !== null) throw new Unsupported(`arguments on ${field.field.name}`);
}

/** A to-one relation: the row of `table` that `on` finds, or null. */
export function toOne(table: string, on: (row: string, target: string) => string): FieldCompiler {
  return (c, row, field) => {
    noArgs(field);
    const target = c.alias();
    return `(SELECT ${compileObject(c, objectTypeOf(c, field), target, field.nodes)} FROM ${c.table(table)} ${target} WHERE ${on(row, target)})`;
  };
}

export interface ConnectionSpec {
  table: string;
  /** The rows of the connection under the parent row. */
  where: (row: string, target: string) => string;
  /** ORDER BY terms over the target row, ending on a unique key. */
  orderBy: (target: string) => string;
  /** The edge's cursor, as the resolvers encode it. */
  cursor: (target: string) => string;
  /** The page size: the SQL of the limit (a parameter at the root), or undefined for `first` (default 20). */
  size?: string;
  /** Arguments that must be absent (null) for the compiled answer to be the resolvers'. */
  absentArgs?: string[];
  /** The totalCount's where, when it differs from `where` (the root connection's, after a cursor). */
  countWhere?: (row: string, target: string) => string;
  /** A page after a cursor: hasPreviousPage is true, as the resolvers say. */
  afterCursor?: boolean;
}

/**
 * A forward page read as the resolvers read it: one row more than asked for, so that hasNextPage
 * is whether it came; hasPreviousPage is whether it starts after a cursor.
 */
export function connection(spec: ConnectionSpec): FieldCompiler {
  return (c, row, field) => {
    for (const name of ['after', 'before', 'last', ...(spec.absentArgs ?? [])]) {
      if (field.args[name] != null) throw new Unsupported(`${field.field.name}(${name})`);
    }
    let size = spec.size;
    if (size === undefined) {
      const first = field.args.first as number | null | undefined;
      // Out of range: the page-size check's error, from the resolvers.
      if (first != null && (first < 1 || first > maxPageSize)) throw new Unsupported('page size out of range');
      size = String(first ?? 20);
    }
    const target = c.alias();
    const page = c.alias();
    const within = `${page}.rn <= ${size}`;
    const connectionType = objectTypeOf(c, field);
    const entries: [string, string][] = [];
    for (const part of selectFields(c.selection, connectionType, field.nodes)) {
      switch (part.field.name) {
        case 'totalCount': {
          const counted = c.alias();
          entries.push([part.responseKey, `(SELECT count(*) FROM ${c.table(spec.table)} ${counted} WHERE ${(spec.countWhere ?? spec.where)(row, counted)})`]);
          break;
        }
        case 'edges': {
          const edgeType = objectTypeOf(c, part);
          const edge: [string, string][] = [];
          for (const edgeField of selectFields(c.selection, edgeType, part.nodes)) {
            if (edgeField.field.name === 'cursor') edge.push([edgeField.responseKey, `${page}.cursor`]);
            else if (edgeField.field.name === 'node') edge.push([edgeField.responseKey, compileObject(c, objectTypeOf(c, edgeField), page, edgeField.nodes)]);
            else throw new Unsupported(`${edgeType.name}.${edgeField.field.name}`);
          }
          entries.push([part.responseKey, `coalesce(json_agg(${jsonObject(edge)} ORDER BY ${page}.rn) FILTER (WHERE ${within}), '[]'::json)`]);
          break;
        }
        case 'nodes':
          entries.push([
            part.responseKey,
            `coalesce(json_agg(${compileObject(c, objectTypeOf(c, part), page, part.nodes)} ORDER BY ${page}.rn) FILTER (WHERE ${within}), '[]'::json)`,
          ]);
          break;
        case 'pageInfo':
          entries.push([part.responseKey, pageInfo(c, part, page, size, spec.afterCursor === true)]);
          break;
        default:
          throw new Unsupported(`${connectionType.name}.${part.field.name}`);
      }
    }
    const rows = `SELECT ${target}.*, ${spec.cursor(target)} AS cursor, row_number() OVER (ORDER BY ${spec.orderBy(target)}) AS rn
      FROM ${c.table(spec.table)} ${target} WHERE ${spec.where(row, target)} ORDER BY ${spec.orderBy(target)} LIMIT ${size} + 1`;
    // HAVING makes it one group: one row even when nothing selected aggregates (only totalCount)
    // or the page is empty.
    return `(SELECT ${jsonObject(entries)} FROM (${rows}) ${page} HAVING true)`;
  };
}

const within = (page: string, size: string) => `${page}.rn <= ${size}`;

function pageInfo(c: Compiler, field: SelectedField, page: string, size: string, afterCursor: boolean): string {
  const type = objectTypeOf(c, field);
  const entries: [string, string][] = [];
  for (const part of selectFields(c.selection, type, field.nodes)) {
    switch (part.field.name) {
      case 'hasNextPage':
        entries.push([part.responseKey, `count(*) > ${size}`]);
        break;
      case 'hasPreviousPage':
        entries.push([part.responseKey, String(afterCursor)]);
        break;
      case 'startCursor':
        entries.push([part.responseKey, `min(${page}.cursor) FILTER (WHERE ${page}.rn = 1)`]);
        break;
      case 'endCursor':
        entries.push([part.responseKey, `(array_agg(${page}.cursor ORDER BY ${page}.rn DESC) FILTER (WHERE ${within(page, size)}))[1]`]);
        break;
      default:
        throw new Unsupported(`PageInfo.${part.field.name}`);
    }
  }
  return jsonObject(entries);
}
