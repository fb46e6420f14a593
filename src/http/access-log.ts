import { getOperationAST } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import type { Logger } from '../logger.ts';

/** What the access line says of a request beyond its method and path, learnt as it runs. */
interface RequestFacts {
  startedAt?: number;
  operationName?: string;
  operationType?: string;
  organizationId?: string;
}

/** Probes and scrapes come every few seconds: their lines are debug, everything else info. */
const quietPaths = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * One line per request, when its response is ready: method, path, operation name and type,
 * HTTP status, duration in ms (to the response's headers; a stream goes on after), request id
 * and organisation id. Never the query string, headers, variables or body: they can carry an
 * API key or personal data. Listed first among the plugins, so that it times the whole request
 * and sees the requests other plugins answer early (health, avatars, refusals).
 */
export function useAccessLog(log: Logger, requestIdOf: (request: Request) => string): Plugin<GraphQLContext & YogaInitialContext> {
  const facts = new WeakMap<Request, RequestFacts>();
  const learn = (context: GraphQLContext & YogaInitialContext, document: Parameters<typeof getOperationAST>[0], operationName?: string | null) => {
    const known = facts.get(context.request);
    if (!known) return;
    const operation = getOperationAST(document, operationName);
    known.operationName = operation?.name?.value ?? operationName ?? undefined;
    known.operationType = operation?.operation;
    known.organizationId = context.actor?.organizationId;
  };
  return {
    onRequest({ request }) {
      facts.set(request, { startedAt: performance.now() });
    },
    onExecute({ args }) {
      learn(args.contextValue, args.document, args.operationName);
    },
    onSubscribe({ args }) {
      learn(args.contextValue, args.document, args.operationName);
    },
    onResponse({ request, response }) {
      // Unknown only for what yoga answers before any plugin (its health check, /healthz): logged
      // all the same, without a duration.
      const known = facts.get(request) ?? {};
      const path = new URL(request.url, 'http://localhost').pathname;
      const line = {
        method: request.method,
        path,
        operationName: known.operationName,
        operationType: known.operationType,
        status: response.status,
        durationMs: known.startedAt === undefined ? undefined : Math.round((performance.now() - known.startedAt) * 10) / 10,
        requestId: requestIdOf(request),
        organizationId: known.organizationId,
      };
      if (quietPaths.has(path)) log.debug('request', line);
      else log.info('request', line);
    },
  };
}
