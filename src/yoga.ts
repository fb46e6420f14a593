import { randomUUID } from 'node:crypto';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { GraphQLContext } from './context.ts';
import type { PrismaClient } from './db/prisma.ts';
import { requestAuthenticator, useAuthenticationBeforeBody, useRequireActor } from './http/auth.ts';
import { useAvatarRoute } from './http/avatars.ts';
import { useBadValueCheck } from './http/bad-values.ts';
import { maskUnexpected, retryAfterSeconds, useMaskUnexpectedErrors } from './http/errors.ts';
import { useOperationLimits, useRequestLimits } from './http/limits.ts';
import { useMultipartBodyLimit } from './http/upload-limit.ts';
import type { Logger } from './logger.ts';
import { schema } from './schema/index.ts';
import { type ApiKeyCacheOptions, cachedAuthenticator } from './services/api-key-cache.ts';
import { createEventBus, type EventBus } from './services/events.ts';

export interface AppOptions {
  prisma: PrismaClient;
  log: Logger;
  /** The PostgreSQL schema the Prisma client works in; public unless tests isolate themselves. */
  dbSchema?: string;
  /** How long and how many known API keys this instance remembers (tests shorten the TTL). */
  apiKeyCache?: ApiKeyCacheOptions;
  /** Aborted by a shutdown once in-flight requests have had their time (see src/server.ts). */
  shutdownSignal?: AbortSignal;
  /**
   * Where subscriptions hear of committed writes: in this process unless given (src/server.ts
   * gives one over Redis when REDIS_URL is set). The app publishes what `prisma` commits to it.
   */
  events?: EventBus;
}

export type App = YogaServerInstance<Record<string, never>, GraphQLContext>;

/** The whole HTTP surface, without listening: tests call `app.fetch`, src/index.ts serves it. */
export function createApp({
  prisma,
  log,
  dbSchema = 'public',
  apiKeyCache,
  shutdownSignal = new AbortController().signal,
  events = createEventBus(),
}: AppOptions): App {
  events.publishCommitsOf(prisma);
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
    plugins: [
      useHealthEndpoints(prisma, log),
      useAvatarRoute({ prisma, log, requestIdOf }),
      useRequestId(),
      useMultipartBodyLimit(),
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
      return { prisma, dbSchema, actor, requestId, log: log.child({ requestId }), shutdown: shutdownSignal, events };
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

/** GET /healthz: the process is alive. GET /readyz: 200 when the database answers, 503 when not. */
function useHealthEndpoints(prisma: PrismaClient, log: Logger): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname === '/healthz') {
        endResponse(fetchAPI.Response.json({ status: 'ok' }));
        return;
      }
      if (url.pathname !== '/readyz') return;
      try {
        await prisma.$queryRaw`SELECT 1`;
        endResponse(fetchAPI.Response.json({ status: 'ready' }));
      } catch (error) {
        const masked = maskUnexpected(error, requestIdOf(request), log, { fields: { path: url.pathname }, beforeExecution: true });
        const status = masked.extensions.code === 'SERVICE_UNAVAILABLE' ? 'database unavailable' : 'unexpected error';
        endResponse(
          fetchAPI.Response.json(
            { status, requestId: requestIdOf(request) },
            { status: 503, headers: { 'Retry-After': String(retryAfterSeconds) } },
          ),
        );
      }
    },
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
