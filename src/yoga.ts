import { randomUUID } from 'node:crypto';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLContext } from './context.ts';
import type { PrismaClient } from './db/prisma.ts';
import { useAccessLog } from './http/access-log.ts';
import { requestAuthenticator, useAuthenticationBeforeBody, useRequireActor } from './http/auth.ts';
import { useAvatarRoute } from './http/avatars.ts';
import { useBadValueCheck } from './http/bad-values.ts';
import { maskUnexpected, retryAfterSeconds, useMaskUnexpectedErrors } from './http/errors.ts';
import { maxRequestBodyBytes, useOperationLimits, useRequestLimits } from './http/limits.ts';
import { useMetrics } from './http/metrics.ts';
import type { Logger } from './logger.ts';
import { schema } from './schema/index.ts';
import { type ApiKeyCacheOptions, cachedAuthenticator } from './services/api-key-cache.ts';
import type { Tracing } from './telemetry/tracing.ts';

export interface AppOptions {
  prisma: PrismaClient;
  log: Logger;
  /** The PostgreSQL schema the Prisma client works in; public unless tests isolate themselves. */
  dbSchema?: string;
  /** How long and how many known API keys this instance remembers (tests shorten the TTL). */
  apiKeyCache?: ApiKeyCacheOptions;
  /** Aborted by a shutdown once in-flight requests have had their time (see src/server.ts). */
  shutdownSignal?: AbortSignal;
  /** When set, GET /metrics asks for it as a Bearer token (METRICS_TOKEN); unset, it is open. */
  metricsToken?: string;
  /** OpenTelemetry, when OTEL_EXPORTER_OTLP_ENDPOINT is set (see src/telemetry/tracing.ts). */
  tracing?: Tracing;
}

export type App = YogaServerInstance<Record<string, never>, GraphQLContext>;

/** The whole HTTP surface, without listening: tests call `app.fetch`, src/index.ts serves it. */
export function createApp({
  prisma,
  log,
  dbSchema = 'public',
  apiKeyCache,
  shutdownSignal = new AbortController().signal,
  metricsToken,
  tracing,
}: AppOptions): App {
  const actorOf = requestAuthenticator(cachedAuthenticator(prisma, apiKeyCache), log, requestIdOf);
  return createYoga<Record<string, never>, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'people-gateway', defaultQuery: defaultGraphiQLQuery },
    // The explorer's scripts and styles come with the page, not from a CDN: it works offline
    // and on closed networks.
    renderGraphiQL,
    logging: {
      debug: (...args) => log.debug(String(args[0]), { args: args.slice(1) }),
      info: (...args) => log.info(String(args[0]), { args: args.slice(1) }),
      warn: (...args) => log.warn(String(args[0]), { args: args.slice(1) }),
      // Yoga reports every error in a response here, the client's own mistakes included; the
      // unexpected ones are logged with their request id by useMaskUnexpectedErrors.
      error: (...args) => log.debug(String(args[0]), { args: args.slice(1) }),
    },
    // Execution errors are masked by useMaskUnexpectedErrors, which knows the request id.
    maskedErrors: true,
    // Any body with a key, multipart uploads included: 413 by its Content-Length, or as soon as
    // the bytes read pass it (see limits.ts for the reason of the size).
    maxRequestBodySize: maxRequestBodyBytes,
    // GET /healthz: the process is alive (200, no body).
    healthCheckEndpoint: '/healthz',
    plugins: [
      // First: it times the whole request and sees those answered early.
      useAccessLog(log, requestIdOf),
      useReadinessCheck({ endpoint: '/readyz', check: readiness(prisma, log) }),
      ...useMetrics({ prisma, token: metricsToken }),
      ...(tracing ? [tracing.plugin] : []),
      useAvatarRoute({ prisma, log, requestIdOf }),
      useRequestId(),
      ...useRequestLimits(),
      useAuthenticationBeforeBody(actorOf),
      useRequireActor(),
      useOperationLimits(),
      useBadValueCheck(),
      useMaskUnexpectedErrors(),
    ],
    context: async ({ request }) => {
      const requestId = requestIdOf(request);
      const actor = await actorOf(request);
      return { prisma, dbSchema, actor, requestId, log: log.child({ requestId }), shutdown: shutdownSignal };
    },
  });
}

const requestIds = new WeakMap<Request, string>();

function requestIdOf(request: Request): string {
  let id = requestIds.get(request);
  if (!id) {
    const given = request.headers.get('x-request-id');
    id = given && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    requestIds.set(request, id);
  }
  return id;
}

/** Echoes the request id, so a client can quote it when reporting a masked error. */
function useRequestId(): Plugin {
  return {
    onResponse({ request, response }) {
      response.headers.set('x-request-id', requestIdOf(request));
    },
  };
}

/**
 * GET /readyz: 200 when the database answers, 503 with Retry-After (and the failure logged with
 * the request id, once) when it does not.
 */
function readiness(prisma: PrismaClient, log: Logger): Parameters<typeof useReadinessCheck>[0]['check'] {
  return async ({ request, fetchAPI }) => {
    try {
      await prisma.$queryRaw`SELECT 1`;
      return fetchAPI.Response.json({ status: 'ready' });
    } catch (error) {
      const path = new URL(request.url).pathname;
      const masked = maskUnexpected(error, requestIdOf(request), log, { fields: { path }, beforeExecution: true });
      const status = masked.extensions.code === 'SERVICE_UNAVAILABLE' ? 'database unavailable' : 'unexpected error';
      return fetchAPI.Response.json(
        { status, requestId: requestIdOf(request) },
        { status: 503, headers: { 'Retry-After': String(retryAfterSeconds) } },
      );
    }
  };
}

const defaultGraphiQLQuery = `# Add your API key under Headers below:
#   { "Authorization": "Bearer pgw_..." }
# (create one with: npm run org:create -- --name "Acme")

query FirstPeople {
  people(first: 10) {
    totalCount
    edges {
      node {
        id
        fullName
        primaryEmail
      }
    }
  }
}
`;
