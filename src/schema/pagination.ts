import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import { GraphQLError, type GraphQLFieldResolver } from 'graphql';

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
