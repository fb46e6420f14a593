import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../context.ts';

/**
 * Errors the client should see are GraphQLErrors (bad arguments, cursors, page sizes) or typed
 * results. Anything else is a bug or an outage: the client gets a generic message with the
 * request id, and the log gets the whole error under the same id.
 */
export function useMaskUnexpectedErrors(): Plugin<GraphQLContext> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          if (!('errors' in result) || !result.errors?.length) return;
          const { requestId, log } = args.contextValue;
          setResult({
            ...result,
            errors: result.errors.map((error) => {
              if (!isUnexpected(error)) return error;
              log.error('unexpected error', { requestId, path: error.path, error: error.originalError ?? error });
              return new GraphQLError(`Unexpected error. Quote request id ${requestId} when reporting it.`, {
                path: error.path,
                nodes: error.nodes,
                extensions: { code: 'INTERNAL_SERVER_ERROR', requestId },
              });
            }),
          });
        },
      };
    },
  };
}

function isUnexpected(error: GraphQLError): boolean {
  const original = error.originalError;
  return original !== undefined && original !== null && !isGraphQLError(original);
}

// By the prototype chain's names, not instanceof: graphql's ESM and CommonJS builds are two
// different GraphQLError classes, and the libraries here load one or the other.
function isGraphQLError(error: Error): boolean {
  for (let proto: unknown = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === 'GraphQLError') return true;
  }
  return false;
}
