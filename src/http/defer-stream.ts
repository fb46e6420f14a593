import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { type DocumentNode, GraphQLError, Kind, visit, BREAK } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * @defer and @stream (yoga's plugin adds both directives to the served schema and executes them):
 * the result comes in parts, as multipart/mixed or text/event-stream, whichever the client
 * accepts. A client that accepts neither (graphql-request's default Accept, for one) would run
 * the operation and then get an empty 406; it is refused before anything runs instead, with a
 * GraphQL error that says what to send.
 */
export function useIncrementalDelivery(): Plugin[] {
  return [useDeferStream(), useRefuseIncrementalWithoutStreamingAccept()];
}

function useRefuseIncrementalWithoutStreamingAccept(): Plugin {
  const incremental = new WeakMap<DocumentNode, boolean>();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      let uses = incremental.get(args.document);
      if (uses === undefined) incremental.set(args.document, (uses = usesDeferOrStream(args.document)));
      if (!uses) return;
      const { request } = args.contextValue as { request?: Request };
      if (!request || acceptsParts(request.headers.get('accept'))) return;
      setResultAndStopExecution({
        errors: [
          new GraphQLError(
            'The operation uses @defer or @stream, whose result comes in several parts: send Accept: multipart/mixed or text/event-stream.',
            { extensions: { code: 'NOT_ACCEPTABLE', http: { status: 406 } } },
          ),
        ],
      });
    },
  };
}

function usesDeferOrStream(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.DIRECTIVE](node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** Whether an Accept header (none means anything) lets yoga answer in parts. */
function acceptsParts(accept: string | null): boolean {
  if (!accept) return true;
  const parts = ['*/*', 'multipart/*', 'multipart/mixed', 'text/*', 'text/event-stream'];
  return accept.split(',').some((range) => parts.includes(range.split(';')[0]!.trim().toLowerCase()));
}
