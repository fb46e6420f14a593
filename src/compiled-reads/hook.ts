import {
  defaultFieldResolver,
  getNamedType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  isObjectType,
} from 'graphql';
import type { GraphQLContext } from '../graphql/context.ts';
import { quoteIdent } from '../db/migrate.ts';
import { rawReadClient } from '../db/read-replica.ts';
import { type Compiled, PlanCache } from './cache.ts';
import { compiledReadFallbacks } from './metrics.ts';
import { rootCompilers } from './root.ts';
import type { RootPlan } from './sql.ts';
import { Unsupported } from './selection.ts';
import { compiledMark, type Compiler, typeSpecs } from './sql.ts';

/** COMPILED_READS=off answers every read with the resolvers alone. */
export const compiledReads = { enabled: process.env.COMPILED_READS !== 'off' };

type Resolver = GraphQLFieldResolver<unknown, GraphQLContext>;

const plans = new PlanCache<RootPlan>();

/** Whether `source` came from a compiled statement: its fields are its response keys. */
function isCompiled(source: unknown): source is Record<string, unknown> {
  return typeof source === 'object' && source !== null && (source as Record<string, unknown>)[compiledMark] === 1;
}

/**
 * Hooks the compiled read path into the schema: each compiled root field first tries to answer
 * from one statement and hands the whole field to its resolver when it cannot; every field the
 * compiler can emit reads a compiled parent by response key and leaves any other parent to its
 * own resolver.
 */
export function installCompiledReads(schema: GraphQLSchema): void {
  const queryType = schema.getQueryType()!;
  const fields = queryType.getFields();
  const wrapped = new Set<GraphQLField<unknown, unknown>>();
  for (const [name, compiler] of Object.entries(rootCompilers)) {
    const field = fields[name];
    if (!field) continue;
    const original = (field.resolve ?? defaultFieldResolver) as Resolver;
    field.resolve = compiledRoot(name, compiler, original) as typeof field.resolve;
    wrapReachable(getNamedType(field.type), wrapped);
  }
}

function compiledRoot(name: string, compiler: (typeof rootCompilers)[string], original: Resolver): Resolver {
  return (source, args, ctx, info) => {
    // The viewer scope (every query needs a key) is the resolvers' to refuse.
    if (!compiledReads.enabled || !ctx.actor) return original(source, args, ctx, info);
    const compiled = planFor(compiler, info, args, ctx.dbSchema);
    if ('unsupported' in compiled) {
      compiledReadFallbacks.inc({ field: name, reason: compiled.unsupported });
      return original(source, args, ctx, info);
    }
    const params = compiled.plan.params(args);
    if (params === null) return null;
    if (!Array.isArray(params)) {
      compiledReadFallbacks.inc({ field: name, reason: params.fallback });
      return original(source, args, ctx, info);
    }
    const { organizationId, userId } = ctx.actor;
    // A query's client reads from the replica when there is one (http/read-replica.ts).
    return rawReadClient(ctx.prisma)
      .$queryRawUnsafe<{ body: string | null }[]>(compiled.plan.sql, organizationId, userId, ...params)
      .then(([row]) => (row?.body == null ? null : JSON.parse(row.body)));
  };
}

function planFor(compiler: (typeof rootCompilers)[string], info: GraphQLResolveInfo, args: Record<string, unknown>, dbSchema: string): Compiled<RootPlan> {
  const node = info.fieldNodes[0]!;
  return plans.get(node, info.fragments, info.variableValues, [dbSchema, compiler.shapeArgs(args)], () => {
    let aliases = 0;
    const c: Compiler = {
      selection: { schema: info.schema, fragments: info.fragments, variables: info.variableValues },
      table: (table) => `${quoteIdent(dbSchema)}.${quoteIdent(table)}`,
      alias: () => `r${aliases++}`,
    };
    const field = info.parentType.getFields()[info.fieldName]!;
    try {
      return { plan: compiler.compile(c, { responseKey: info.path.key as string, field, args, nodes: [...info.fieldNodes] }, info) };
    } catch (error) {
      if (error instanceof Unsupported) return { unsupported: error.reason };
      throw error;
    }
  });
}

/** Wraps the fields of the types a compiled answer can hold: those of the catalogue, its connections and edges. */
function wrapReachable(type: ReturnType<typeof getNamedType>, wrapped: Set<GraphQLField<unknown, unknown>>): void {
  if (!isObjectType(type)) return;
  const spec = typeSpecs.get(type.name);
  for (const field of Object.values(type.getFields())) {
    // A catalogue type: only its compiled fields; a connection, edge or PageInfo: all of them.
    if (spec && !spec.fields[field.name]) continue;
    if (wrapped.has(field as GraphQLField<unknown, unknown>)) continue;
    wrapped.add(field as GraphQLField<unknown, unknown>);
    const original = (field.resolve ?? defaultFieldResolver) as Resolver;
    field.resolve = ((source, args, ctx, info) =>
      isCompiled(source) ? source[info.path.key as string] : original(source, args, ctx, info)) as typeof field.resolve;
    wrapReachable(getNamedType(field.type) as GraphQLObjectType, wrapped);
  }
}
