import type { Server } from 'node:http';
import type { ExecutionArgs } from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { YogaServerInstance } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import type { Logger } from '../logger.ts';

/** The GraphQL over WebSocket endpoint, beside GraphQL over HTTP (and its SSE subscriptions). */
export const webSocketPath = '/graphql';

/** The largest message a client may send. */
const maxMessageBytes = 1024 * 1024;

type ConnectionParams = { Authorization?: unknown; authorization?: unknown } | undefined;

/**
 * Serves graphql-ws on the server's /graphql upgrades, through the app's own envelop (yoga's
 * graphql-ws recipe), so every operation meets the same plugins as over HTTP: auth, limits,
 * bad values, masking. The key comes in `connectionParams: { Authorization: "Bearer <apiKey>" }`
 * and is checked once at connection, where a missing, malformed, unknown or revoked key closes the
 * socket with 4401 and the reason; each operation then authenticates again (from the cache), as a
 * request would, so a revoked key stops working within the cache's lifetime.
 */
export function serveGraphQLOverWebSocket(
  server: Server,
  app: YogaServerInstance<Record<string, never>, GraphQLContext>,
  log: Logger,
): { close(): Promise<void> } {
  // A message is one operation: far below ws's default of 100 MB (an upload goes over HTTP).
  const webSocketServer = new WebSocketServer({ server, path: webSocketPath, maxPayload: maxMessageBytes });
  // The context factory reads the key from a request's headers: each operation gets a request of
  // its own (its own request id), with the connection's key as its Authorization header.
  const requestFor = (params: ConnectionParams) => {
    const authorization = params?.Authorization ?? params?.authorization;
    return new Request(`http://websocket${webSocketPath}`, {
      headers: typeof authorization === 'string' ? { authorization } : {},
    });
  };
  const enveloped = (params: ConnectionParams) => {
    const request = requestFor(params);
    return app.getEnveloped({ request, params: {} });
  };
  const graphqlWs = useServer(
    {
      onConnect: async (ctx) => {
        try {
          const context = await enveloped(ctx.connectionParams as ConnectionParams).contextFactory();
          if (context.actor) return true;
          ctx.extra.socket.close(CloseCode.Unauthorized, 'Authentication required: send connectionParams { Authorization: "Bearer <apiKey>" }.');
        } catch (error) {
          // The auth plugin's own message (malformed header, unknown or revoked key), or a masked one.
          ctx.extra.socket.close(CloseCode.Unauthorized, error instanceof Error ? error.message.slice(0, 120) : 'Unauthorized');
        }
        return false;
      },
      onSubscribe: async (ctx, _id, payload) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = enveloped(ctx.connectionParams as ConnectionParams);
        const args: ExecutionArgs = {
          schema,
          operationName: payload.operationName ?? null,
          document: parse(payload.query),
          variableValues: payload.variables ?? null,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        return errors.length > 0 ? errors : args;
      },
      execute: (args) => (args.rootValue as { execute: (args: ExecutionArgs) => never }).execute(args),
      subscribe: (args) => (args.rootValue as { subscribe: (args: ExecutionArgs) => never }).subscribe(args),
    },
    webSocketServer,
  );
  webSocketServer.on('error', (error) => log.warn('websocket server error', { error }));
  return {
    // Ends every subscription's socket (1001 Going away) and stops taking new ones.
    close: async () => {
      await graphqlWs.dispose();
    },
  };
}
