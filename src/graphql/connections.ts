import { GraphQLError, type GraphQLResolveInfo, Kind, type SelectionNode } from 'graphql';
import { ValidationError } from '../shared/errors.ts';
import { builder } from './builder.ts';

// What every connection's query field shares (people, notes): the order direction, how a bad
// argument is reported, and where the connection's nodes are selected.

export const OrderDirectionEnum = builder.enumType('OrderDirection', { values: ['ASC', 'DESC'] as const });

/** A bad filter or cursor in a query is the client's mistake: a GraphQL error naming the argument. */
export function asUserInputError(error: unknown): never {
  if (error instanceof ValidationError) {
    throw new GraphQLError(error.message, {
      extensions: { code: 'BAD_USER_INPUT', fieldErrors: error.issues },
    });
  }
  throw error;
}

/**
 * Where the connection's people are selected: `edges { node }`, or `nodes` when only that is
 * asked for, so that either form plans its nested fields into the page's one query. (With both,
 * `nodes` reuses the edges' rows and only what they lack is loaded, in one batch.)
 */
export function nodesPath(info: GraphQLResolveInfo): string[] {
  const selected = new Set<string>();
  const collect = (selections: readonly SelectionNode[]) => {
    for (const selection of selections) {
      if (selection.kind === Kind.FIELD) selected.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet.selections);
      else {
        const fragment = info.fragments[selection.name.value];
        if (fragment) collect(fragment.selectionSet.selections);
      }
    }
  };
  for (const node of info.fieldNodes) collect(node.selectionSet?.selections ?? []);
  return !selected.has('edges') && selected.has('nodes') ? ['nodes'] : ['edges', 'node'];
}
