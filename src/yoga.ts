import { randomUUID } from 'node:crypto';
import { useApolloInlineTrace } from '@graphql-yoga/plugin-apollo-inline-trace';
import { createYoga, type Plugin, useReadinessCheck, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLContext } from './graphql/context.ts';
import type { PrismaClient } from './db/prisma.ts';
import { useAccessLog } from './http/access-log.ts';
import { withReadReplica } from './db/read-replica.ts';
import { requestAuthenticator, useAuthenticationBeforeBody, useRequireActor } from './http/auth.ts';
import { useAvatarRoute } from './avatars/index.ts';
import { usePersonExportRoute } from './privacy/index.ts';
import { compiledReadFallbacks } from './compiled-reads/index.ts';
import { useBadValueCheck } from './http/bad-values.ts';
import { useCors } from './http/cors.ts';
import { useDraining } from './http/draining.ts';
import { useIncrementalDelivery } from './http/defer-stream.ts';
import { maskKeepingCause, maskUnexpected, retryAfterSeconds, useMaskUnexpectedErrors, useRequestErrors } from './http/errors.ts';
import { useIdempotentMutations } from './http/idempotency.ts';
import { maxRequestBodyBytes, useOperationLimits, useRequestLimits } from './http/limits.ts';
import { useMetrics } from './http/metrics.ts';
import { type ApqOptions, type TrustedDocuments, useAutomaticPersistedQueries, useTrustedDocuments } from './http/persisted-documents.ts';
import { useReadReplica } from './http/read-replica.ts';
import { type RateLimitOptions, useRateLimit } from './http/rate-limit.ts';
import type { Logger } from './logger.ts';
import { schema } from './schema/index.ts';
import { defaultFederationTypePrefix, federationSchema } from './graphql/subgraph.ts';
import { type ApiKeyCacheOptions, authenticate, cachedAuthenticator } from './accounts/index.ts';
import { createEventBus, type EventBus } from './shared/events.ts';
import type { Tracing } from './telemetry/tracing.ts';
import { webhookMetrics } from './webhooks/index.ts';

export interface AppOptions {
  prisma: PrismaClient;
  /** A client of a PostgreSQL read replica (DATABASE_REPLICA_URL): query operations read through it. */
  replica?: PrismaClient;
  log: Logger;
  /** The PostgreSQL schema the Prisma client works in; public unless tests isolate themselves. */
  dbSchema?: string;
  /** How long and how many known API keys this instance remembers (tests shorten the TTL). */
  apiKeyCache?: ApiKeyCacheOptions;
  /** Aborted by a shutdown once in-flight requests have had their time (see src/server.ts). */
  shutdownSignal?: AbortSignal;
  /** Aborted as a shutdown begins: from then on every request is refused with 503 (see src/http/draining.ts). */
  draining?: AbortSignal;
  /** Exact origins whose pages may call the API (CORS_ORIGINS); none by default. */
  corsOrigins?: readonly string[];
  /** When given, only these documents run, by hash (TRUSTED_DOCUMENTS, see loadTrustedDocuments). */
  trustedDocuments?: TrustedDocuments;
  /** Automatic persisted queries (APQ=true); not with trustedDocuments. */
  apq?: boolean | ApqOptions;
  /** Put before the error types' names in the subgraph schema (see src/graphql/subgraph.ts). */
  federationTypePrefix?: string;
  /** Each API key's token bucket, charged with each operation's cost; none when absent. */
  rateLimit?: RateLimitOptions;
  /** When set, GET /metrics asks for it as a Bearer token (METRICS_TOKEN); unset, it is open. */
  metricsToken?: string;
  /** OpenTelemetry, when OTEL_EXPORTER_OTLP_ENDPOINT is set (see src/telemetry/tracing.ts). */
  tracing?: Tracing;
  /**
   * Where subscriptions hear of committed writes: in this process unless given (src/server.ts
   * gives one over Redis when REDIS_URL is set). The app publishes what `prisma` commits to it.
   */
  events?: EventBus;
  /** Webhook URLs may point at loopback (WEBHOOKS_ALLOW_LOOPBACK): development and tests only. */
  allowLoopbackWebhooks?: boolean;
}

export type App = YogaServerInstance<Record<string, never>, GraphQLContext>;

/** The whole HTTP surface, without listening: tests call `app.fetch`, src/index.ts serves it. */
export function createApp({
  prisma,
  replica,
  log,
  dbSchema = 'public',
  apiKeyCache,
  shutdownSignal = new AbortController().signal,
  draining = new AbortController().signal,
  corsOrigins = [],
  trustedDocuments,
  apq = false,
  federationTypePrefix = defaultFederationTypePrefix,
  rateLimit,
  metricsToken,
  tracing,
  events = createEventBus(),
  allowLoopbackWebhooks = false,
}: AppOptions): App {
  if (trustedDocuments && apq) throw new Error('Trusted documents and automatic persisted queries exclude each other: configure one.');
  events.publishCommitsOf(prisma);
  const actorOf = requestAuthenticator(cachedAuthenticator(prisma, apiKeyCache), log, requestIdOf);
  // The avatar and export routes look each key up afresh: a revoked key stops there at once.
  const keyOwner = async (apiKey: string) => (await authenticate(prisma, apiKey))?.actor ?? null;
  // Before yoga checks the params: they turn a hash into the document it names. Only on
  // /graphql: a gateway's queries to /subgraph are its own, never in a client's manifest.
  const persistedDocumentPlugins: Plugin[] = [
    ...(trustedDocuments ? [useTrustedDocuments(trustedDocuments)] : []),
    ...(apq ? [useAutomaticPersistedQueries(apq === true ? {} : apq, log)] : []),
  ];
  // Created once: both endpoints charge the same buckets.
  const rateLimitPlugins = rateLimit ? [useRateLimit(rateLimit)] : [];
  // Query operations read through the replica; mutations (their payloads too) stay on the primary.
  const readReplicaPlugins = replica ? [useReadReplica(withReadReplica(prisma, replica))] : [];
  // What both endpoints share: one request pipeline, one context; the schema, which documents
  // may run and what is traced differ.
  const graphqlPipeline = (documentPlugins: Plugin[], tracePlugins: Plugin[] = []) => ({
    logging: {
      debug: (...args: unknown[]) => log.debug(String(args[0]), { args: args.slice(1) }),
      info: (...args: unknown[]) => log.info(String(args[0]), { args: args.slice(1) }),
      warn: (...args: unknown[]) => log.warn(String(args[0]), { args: args.slice(1) }),
      // Yoga logs here each error it masks, without the request id: each is logged at error level,
      // with it, by useMaskUnexpectedErrors (execution) or useRequestErrors (every other phase).
      error: (...args: unknown[]) => log.debug(String(args[0]), { args: args.slice(1) }),
    },
    // Execution errors are masked by useMaskUnexpectedErrors, which knows the request id; those of
    // other phases by yoga, keeping the cause for useRequestErrors.
    maskedErrors: { maskError: maskKeepingCause },
    // Replaced by useCors: yoga's own reflects any origin and allows credentials.
    cors: false,
    // Any body with a key, multipart uploads included: 413 by its Content-Length, or as soon as
    // the bytes read pass it (see limits.ts for the reason of the size).
    maxRequestBodySize: maxRequestBodyBytes,
    plugins: [
      useRequestId(),
      useRequestErrors(log, requestIdOf),
      ...useRequestLimits(),
      useAuthenticationBeforeBody(actorOf),
      useRequireActor(),
      ...documentPlugins,
      // @defer and @stream, answered as multipart/mixed or text/event-stream as the client accepts.
      ...useIncrementalDelivery(),
      useOperationLimits(),
      // Charged with the cost useOperationLimits measured, before any resolver runs.
      ...rateLimitPlugins,
      useBadValueCheck(),
      // Last before masking: it wraps the execution that every plugin above has let through.
      useIdempotentMutations(),
      useMaskUnexpectedErrors(),
      ...readReplicaPlugins,
      // After the masking: a trace carries errors as the client sees them.
      ...tracePlugins,
    ],
    context: async ({ request }: { request: Request }): Promise<GraphQLContext> => {
      const requestId = requestIdOf(request);
      const actor = await actorOf(request);
      return {
        prisma,
        dbSchema,
        actor,
        requestId,
        log: log.child({ requestId }),
        shutdown: shutdownSignal,
        events,
        webhookUrls: { allowLoopback: allowLoopbackWebhooks },
      };
    },
  });
  const subgraph = createYoga<Record<string, never>, GraphQLContext>({
    // A gateway's trace (ftv1, when it asks for one). The plugin wraps every field resolver of
    // the schema it serves, on every request, traced or not: only here, on the federation
    // schema, whose field objects are its own (src/graphql/subgraph.ts), so that /graphql's
    // resolvers stay the ones Pothos built.
    ...graphqlPipeline([], [useApolloInlineTrace()]),
    schema: federationSchema(schema, federationTypePrefix),
    graphqlEndpoint: subgraphEndpoint,
    landingPage: false,
    graphiql: false,
  });
  const { plugins, ...pipeline } = graphqlPipeline(persistedDocumentPlugins);
  return createYoga<Record<string, never>, GraphQLContext>({
    ...pipeline,
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: {
      title: 'people-gateway',
      defaultQuery: defaultGraphiQLQuery,
      // Every query but introspection needs a key: the Headers pane opens at start with the
      // header half written, so a newcomer only pastes the key after "Bearer ".
      headers: JSON.stringify({ Authorization: 'Bearer ' }, null, 2),
      defaultEditorToolsVisibility: 'headers',
      // A key is a secret: not kept in the browser's localStorage (GraphiQL's own default, which
      // yoga's page turns on). A reload shows the half-written header again.
      shouldPersistHeaders: false,
    },
    // The explorer's scripts and styles come with the page, not from a CDN: it works offline
    // and on closed networks. They are some 10 MB of source, held in memory once imported (about
    // 28 MB of heap): imported when a browser first asks for the page, not by every server.
    renderGraphiQL: async (options) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    // GET /healthz: the process is alive (200, no body).
    healthCheckEndpoint: '/healthz',
    plugins: [
      // First: it times the whole request and sees those answered early.
      useAccessLog(log, requestIdOf),
      // Before any route, so that a preflight on any of them is answered and every response carries CORS.
      useCors(corsOrigins),
      useDraining(draining),
      useReadinessCheck({ endpoint: '/readyz', check: readiness(prisma, log) }),
      ...useMetrics({ prisma, token: metricsToken, metrics: [compiledReadFallbacks, ...webhookMetrics(prisma, dbSchema)] }),
      ...(tracing ? [tracing.plugin] : []),
      useAvatarRoute({ prisma, authenticate: keyOwner, log, requestIdOf }),
      usePersonExportRoute({ prisma, dbSchema, authenticate: keyOwner, log, requestIdOf }),
      useSubgraphEndpoint(subgraph),
      ...plugins,
    ],
  });
}

/** Where a federation gateway sends its requests (see src/graphql/subgraph.ts). */
export const subgraphEndpoint = '/subgraph';

/** Hands requests for the subgraph endpoint to the yoga that serves the federation schema. */
function useSubgraphEndpoint(subgraph: YogaServerInstance<Record<string, never>, GraphQLContext>): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (url.pathname !== subgraphEndpoint && url.pathname !== `${subgraphEndpoint}/`) return;
      endResponse(await subgraph.fetch(request));
    },
  };
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

const defaultGraphiQLQuery = `# Paste your API key after "Bearer " in the Headers pane below, then run
# this query with the play button (or Ctrl-Enter). No key yet? In a terminal:
#   npm run org:create -- --name "Acme"

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
