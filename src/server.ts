import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/database.ts';
import { closeConnections, createPrismaClient, type PrismaClient } from './db/prisma.ts';
import { loadTrustedDocuments } from './http/persisted-documents.ts';
import { memoryRateLimitStore, type RateLimitStore, redisRateLimitStore } from './http/rate-limit-store.ts';
import { serveGraphQLOverWebSocket } from './http/websocket.ts';
import type { Logger } from './logger.ts';
import { closeRedisClients, connectRedis, createRedisClient } from './redis.ts';
import { createEventBus, type EventBus } from './shared/events.ts';
import { sweepExpiredIdempotencyKeys } from './http/idempotency-store.ts';
import { interruptImportsRunningHere, markAbandonedImports } from './imports/index.ts';
import { redisEventTransport } from './shared/redis-events.ts';
import { startWebhookWorker } from './webhooks/index.ts';
import type { Tracing } from './telemetry/tracing.ts';
import { type App, createApp } from './yoga.ts';

export interface RunningServer {
  url: string;
  database: Database;
  prisma: PrismaClient;
  /**
   * Drains, then stops: stops accepting; answers every new request on an open connection 503
   * with `Connection: close`, and every response in flight with `Connection: close`; ends every
   * subscription (SSE streams complete, WebSockets close); waits for the requests in flight (up
   * to the shutdown timeout), then cancels what is left (a running import stops between batches,
   * records itself INTERRUPTED and answers) and cuts the connections still open after a grace;
   * then cuts every database connection (rolling back open transactions) and closes the database.
   */
  stop(): Promise<void>;
}

/**
 * After the shutdown timeout, how long cancelled work gets to reach a point where it can stop
 * (an import finishing the batch in flight, recording itself and answering) before its
 * connection is cut.
 */
export const cancelGraceMs = 5_000;

/** How long closing the database may take once its connections are cut. */
const closeTimeoutMs = 5_000;

export async function startServer(config: Config, log: Logger, tracing?: Tracing): Promise<RunningServer> {
  // Read before anything opens: a bad manifest stops the start with its reason.
  const trustedDocuments = config.trustedDocumentsPath ? await loadTrustedDocuments(config.trustedDocumentsPath) : undefined;
  const database = await openDatabase(config, log);
  // PGlite is one session behind its socket: statements of two connections can interleave
  // there (electric-sql/pglite#1046), so the server keeps to a single connection on it.
  const prisma = createPrismaClient({
    url: database.url,
    poolSize: database.kind === 'pglite' ? 1 : 10,
    preparedStatements: database.kind === 'postgresql',
  });
  const replica = config.databaseReplicaUrl
    ? createPrismaClient({ url: config.databaseReplicaUrl, poolSize: 10, preparedStatements: true })
    : undefined;
  const stopSweeping = await sweepAbandonedImports(prisma, database, config, log);
  const stopSweepingKeys = sweepIdempotencyKeys(prisma, log);
  const rateLimitStore = openRateLimitStore(config, log);
  // Aborted as the shutdown begins: new requests are refused (useDraining).
  const draining = new AbortController();
  // Aborted once in-flight requests have had SHUTDOWN_TIMEOUT_MS: what still runs is cancelled.
  const shutdown = new AbortController();
  // APQ documents are shared through Redis when there is one, so any instance knows a client's.
  const apqRedis = config.apq && config.redisUrl ? createRedisClient(config.redisUrl, log, 'apq') : undefined;
  const events = await liveEvents(config, log);
  const app = createApp({
    prisma,
    log,
    shutdownSignal: shutdown.signal,
    draining: draining.signal,
    corsOrigins: config.corsOrigins,
    trustedDocuments,
    apq: config.apq && { redis: apqRedis && { client: apqRedis, keyPrefix: config.redisPrefix } },
    federationTypePrefix: config.federationTypePrefix,
    replica,
    metricsToken: config.metricsToken,
    tracing,
    events,
    allowLoopbackWebhooks: config.webhooks.allowLoopback,
    ...(rateLimitStore ? { rateLimit: { ...config.rateLimit, store: rateLimitStore } } : {}),
  });
  if (trustedDocuments) log.info('only trusted documents run', { documents: trustedDocuments.size });
  const served = await serveApp(app, config, log);
  // Delivers the webhook outbox; every instance runs one, and they share the work.
  const webhooks = startWebhookWorker({ prisma, log, settings: config.webhooks });
  const { url, inFlight, webSocket } = served;
  // Every line carries the pid (see logger.ts), this one included.
  log.info('server listening', { url, database: database.kind, readReplica: Boolean(replica), liveUpdates: config.redisUrl ? 'redis' : 'memory' });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      log.info('shutting down', { inFlight: inFlight.size, timeoutMs: config.shutdownTimeoutMs });
      stopSweeping();
      stopSweepingKeys();
      const deadline = Date.now() + config.shutdownTimeoutMs;
      // No new delivery is claimed from now on; those in flight get the shutdown timeout, and
      // those abandoned then are due again at once, for whichever instance runs next.
      const webhooksStopped = webhooks.stop(config.shutdownTimeoutMs);
      draining.abort();
      served.drain();
      // Subscriptions never end by themselves: they end now (an SSE stream completes, a
      // WebSocket closes with 1001), so that they do not hold the shutdown.
      await within(closeTimeoutMs, Promise.all([webSocket.close(), events.close()]));
      if (!(await within(deadline - Date.now(), served.settled()))) {
        log.warn('in-flight requests outlived the shutdown timeout: cancelling them', { inFlight: inFlight.size });
        shutdown.abort();
        await within(cancelGraceMs, served.settled());
      }
      await within(closeTimeoutMs, webhooksStopped);
      // Every response is out (or, past the grace, given up on): what is left is idle keep-alive
      // sockets, requests half received, and work that did not stop in time.
      served.server.closeAllConnections();
      if (inFlight.size > 0) log.warn('closing the database under requests still running', { inFlight: inFlight.size });
      // Whatever still holds a connection now would hold $disconnect open for ever.
      closeConnections(prisma);
      if (replica) closeConnections(replica);
      // An import whose batch was cut could not record itself: done here, on a fresh connection.
      await within(
        closeTimeoutMs,
        interruptImportsRunningHere(prisma).catch((error: unknown) => log.error('marking imports INTERRUPTED failed', { error })),
      );
      if (apqRedis) await within(closeTimeoutMs, closeRedisClients(apqRedis));
      await within(closeTimeoutMs, rateLimitStore?.close() ?? Promise.resolve());
      const disconnected = await within(
        closeTimeoutMs,
        Promise.all([prisma.$disconnect(), replica?.$disconnect()]).then(() => database.close()),
      );
      // The last spans, those of the requests just finished, go out before the process ends.
      if (tracing) await within(closeTimeoutMs, tracing.shutdown().catch((error: unknown) => log.warn('exporting the last spans failed', { error })));
      log.info(disconnected ? 'stopped' : 'stopped without closing the database in time');
    })();
    return stopping;
  };
  return { url, database, prisma, stop };
}

export interface ServedApp {
  server: Server;
  url: string;
  /** Each request's whole handling, to the end of its response, so that a shutdown can wait for it. */
  inFlight: Set<Promise<unknown>>;
  webSocket: { close(): Promise<void> };
  /**
   * Stops accepting connections and closes the idle ones; from now on every response says
   * `Connection: close`, those in flight included, so each connection ends with its response.
   * (Node's `server.close()` alone leaves busy keep-alive connections taking new requests.)
   */
  drain(): void;
  /** Resolves once nothing is in flight, requests that came in meanwhile included. */
  settled(): Promise<void>;
}

/** Listens with the app: GraphQL over HTTP (SSE subscriptions included) and over WebSocket. */
export async function serveApp(app: App, { port, host }: Pick<Config, 'port' | 'host'>, log: Logger): Promise<ServedApp> {
  // A response may be cut while its resolver still writes: the handling is what is waited for,
  // and the response's end, after which its bytes are with the operating system.
  const inFlight = new Set<Promise<unknown>>();
  const responses = new Set<ServerResponse>();
  let draining = false;
  const server = createServer((request, response) => {
    // The refusal (useDraining) or the last answer this connection gives.
    if (draining) response.setHeader('Connection', 'close');
    responses.add(response);
    const ended = new Promise<void>((resolve) => response.once('close', resolve));
    const handling: Promise<unknown> = Promise.all([
      Promise.resolve(app(request, response)).catch((error: unknown) => log.error('request handling failed', { error })),
      ended,
    ]).finally(() => {
      inFlight.delete(handling);
      responses.delete(response);
    });
    inFlight.add(handling);
  });
  const webSocket = serveGraphQLOverWebSocket(server, app, log);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://localhost:${address.port}/graphql`,
    inFlight,
    webSocket,
    drain() {
      draining = true;
      // Responses whose headers are out already said keep-alive: their connections stay open
      // after them, and a request sent on one is refused like any other.
      for (const response of responses) if (!response.headersSent) response.setHeader('Connection', 'close');
      // It closes the idle connections too (Node 19 and later), but not those idle later on.
      server.close();
    },
    async settled() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/**
 * Where subscriptions hear of writes: Redis pub/sub when REDIS_URL is set (every instance hears
 * every instance's writes), else this process only. Closing the bus closes its Redis connections.
 */
export async function liveEvents({ redisUrl, redisPrefix }: Pick<Config, 'redisUrl' | 'redisPrefix'>, log: Logger): Promise<EventBus> {
  const onError = (error: unknown) => log.warn('publishing a live update failed', { error });
  if (!redisUrl) return createEventBus({}, onError);
  const [publishClient, subscribeClient] = await Promise.all([
    connectRedis(redisUrl, log, 'live-updates-publish'),
    connectRedis(redisUrl, log, 'live-updates-subscribe'),
  ]);
  return createEventBus(
    redisEventTransport({
      publishClient,
      subscribeClient,
      prefix: redisPrefix,
      onError,
      close: () => closeRedisClients(publishClient, subscribeClient),
    }),
    onError,
  );
}

/**
 * Imports left RUNNING by a process that died become INTERRUPTED. When this process opened the
 * embedded database's files, no other process can be running an import in it: every RUNNING one
 * is abandoned, marked at once. On a shared database (PostgreSQL, several instances), only those
 * whose heartbeat is older than IMPORT_STALE_AFTER_MS are, at start and then periodically, so that
 * one left by an instance that died meanwhile is found too. Returns what stops the periodic sweep.
 */
async function sweepAbandonedImports(prisma: PrismaClient, database: Database, config: Config, log: Logger): Promise<() => void> {
  const sweep = async (staleAfterMs: number) => {
    const count = await markAbandonedImports(prisma, new Date(Date.now() - staleAfterMs));
    if (count > 0) log.warn('imports left running by a process that died marked INTERRUPTED', { count });
  };
  if (database.exclusive) {
    await sweep(0);
    return () => {};
  }
  await sweep(config.importStaleAfterMs);
  const timer = setInterval(
    () => sweep(config.importStaleAfterMs).catch((error: unknown) => log.warn('sweeping abandoned imports failed', { error })),
    Math.max(1_000, config.importStaleAfterMs / 2),
  );
  timer.unref();
  return () => clearInterval(timer);
}

/** The rate limit's buckets: in Redis when REDIS_URL is set (shared by instances), else in memory; none when off. */
function openRateLimitStore(config: Config, log: Logger): RateLimitStore | undefined {
  if (config.rateLimit.capacity === 0) return undefined;
  if (!config.redisUrl) return memoryRateLimitStore();
  return redisRateLimitStore({
    url: config.redisUrl,
    keyPrefix: `${config.redisPrefix}ratelimit:`,
    onError: (error) => log.warn('rate limit store: Redis error', { error }),
  });
}

/** Idempotency keys older than 24 hours are deleted, at start and every hour. */
function sweepIdempotencyKeys(prisma: PrismaClient, log: Logger): () => void {
  const sweep = () =>
    sweepExpiredIdempotencyKeys(prisma).catch((error: unknown) => log.warn('sweeping expired idempotency keys failed', { error }));
  void sweep();
  const timer = setInterval(sweep, 60 * 60_000);
  timer.unref();
  return () => clearInterval(timer);
}

/** True if the promise settled within the time, false if the time ran out first. */
async function within(ms: number, promise: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
