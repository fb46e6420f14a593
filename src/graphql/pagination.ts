import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { KeysetPage } from '../db/keyset.ts';
import { GraphQLError, type GraphQLField, type GraphQLFieldResolver, getNullableType, isListType } from 'graphql';

export const maxPageSize = 100;

interface PageArgs {
  first?: number | null;
  last?: number | null;
}

/** first/last outside 1..100 is a clear error rather than a silently clamped page. */
export function assertPageSize(args: PageArgs): void {
  for (const name of ['first', 'last'] as const) {
    const value = args[name];
    if (value != null && (value < 1 || value > maxPageSize)) {
      throw new GraphQLError(`Argument "${name}" must be between 1 and ${maxPageSize}, got ${value}.`, {
        extensions: { code: 'BAD_USER_INPUT', argument: name },
      });
    }
  }
}

/**
 * Checks the page size of every field that takes `first` or `last`, in one place, so no
 * connection can forget to. (Nested prisma connections load their rows with the parent, capped
 * at 100; the check still runs when the connection field itself resolves.)
 */
class PageSizeCheck<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    const args = fieldConfig.args;
    if (!('first' in args) && !('last' in args)) return resolver;
    return (parent, fieldArgs, context, info) => {
      assertPageSize(fieldArgs as PageArgs);
      return resolver(parent, fieldArgs, context, info);
    };
  }
}

export const PageSizePlugin = 'pageSize';
SchemaBuilder.registerPlugin(PageSizePlugin, PageSizeCheck);

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      pageSize: PageSizeCheck<Types>;
    }
  }
}

/** The page a connection returns when neither first nor last is given. */
export const defaultPageSize = 20;

/**
 * The cost model behind the query limits (graphql/builder.ts): a field costs 1, and what is selected
 * beneath a page or a list counts once for each item it may return: a connection's page size
 * (first or last, 20 when absent, at most 100; a size out of range is left to the page-size
 * check's clear error), the ids given to nodes(ids) and the representations given to _entities,
 * and 10 for any other list. A connection's edges and nodes are counted by the connection itself.
 */
export function fieldCost<Context>(args: Record<string, unknown>, _ctx: Context, field: GraphQLField<unknown, Context>) {
  const takes = (name: string) => field.args.some((arg) => arg.name === name);
  if (takes('first') || takes('last')) {
    const size = Number(args.first ?? args.last ?? defaultPageSize);
    return { field: 1, multiplier: Math.min(Math.max(size, 1), maxPageSize) };
  }
  const listed = args.ids ?? args.representations;
  if (Array.isArray(listed)) return { field: 1, multiplier: listed.length };
  if (!isListType(getNullableType(field.type))) return 1;
  if (field.name === 'edges' || field.name === 'nodes') return { field: 1, multiplier: 1 };
  return { field: 1, multiplier: 10 };
}

/** A keyset page (db/keyset.ts) as the Relay connection its resolver returns. */
export function keysetConnection<Row>(page: KeysetPage<Row>) {
  return {
    edges: page.edges,
    totalCount: page.totalCount,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.edges[0]?.cursor ?? null,
      endCursor: page.edges.at(-1)?.cursor ?? null,
    },
  };
}
