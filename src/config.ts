import path from 'node:path';
import { parseCorsOrigins } from './http/cors.ts';
import { defaultFederationTypePrefix } from './graphql/subgraph.ts';

export interface Config {
  /** PostgreSQL to use; without it the server runs embedded PGlite in dataDir. */
  databaseUrl: string | undefined;
  /** A read replica of databaseUrl's PostgreSQL: query operations read there (see "Running at scale" in docs/operations.md). */
  databaseReplicaUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  production: boolean;
  logLevel: LogLevel;
  /** How long a graceful shutdown waits for in-flight requests before cancelling them. */
  shutdownTimeoutMs: number;
  /**
   * A RUNNING import whose heartbeat is older than this lost its process (killed, crashed) and is
   * marked INTERRUPTED by any instance (see imports/import-service.ts, markAbandonedImports).
   */
  importStaleAfterMs: number;
  /** Exact origins whose pages may call the API (CORS_ORIGINS, comma-separated); none when empty. */
  corsOrigins: string[];
  /** A persisted-documents manifest: when set, only its documents run, by hash (TRUSTED_DOCUMENTS). */
  trustedDocumentsPath: string | undefined;
  /** Automatic persisted queries (APQ=true); not with trusted documents. */
  apq: boolean;
  /** Redis, for what instances share (APQ documents, rate-limit buckets, subscription events); unset: each instance keeps its own. */
  redisUrl: string | undefined;
  /** Prefix of every Redis key this server uses. */
  redisPrefix: string;
  /** Put before the error types' names in the federation subgraph schema (src/graphql/subgraph.ts). */
  federationTypePrefix: string;
  /**
   * Each API key's token bucket (src/http/rate-limit.ts): its capacity and refill per second, in
   * units of operation cost. A capacity of 0 turns rate limiting off.
   */
  rateLimit: { capacity: number; refillPerSecond: number };
  /** When set, GET /metrics asks for it as a Bearer token; unset, /metrics is open. */
  metricsToken: string | undefined;
  /** An OTLP/HTTP collector's base URL: traces are exported there; unset, tracing is off. */
  otelEndpoint: string | undefined;
  otelServiceName: string;
  /** Webhook deliveries (docs/webhooks.md). */
  webhooks: WebhookSettings;
}

/** How webhooks are delivered; tests shrink the times. */
export interface WebhookSettings {
  /** Loopback URLs, and plain http to them, are allowed (WEBHOOKS_ALLOW_LOOPBACK=true): development and tests only. */
  allowLoopback: boolean;
  /** The first retry's delay; each next one doubles it, with jitter (WEBHOOKS_RETRY_BASE_MS, 30 s). */
  retryBaseMs: number;
  /** How long a delivery is retried before it is dead-lettered, and an endpoint may fail before it is disabled (WEBHOOKS_RETRY_WINDOW_MS, 24 h). */
  retryWindowMs: number;
  /** How often an idle worker looks for due deliveries (WEBHOOKS_POLL_MS, 1 s). */
  pollIntervalMs: number;
  /** How long a receiver has to answer (WEBHOOKS_TIMEOUT_MS, 10 s). */
  timeoutMs: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const logLevels: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 4000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  }
  const logLevel = (env.LOG_LEVEL ?? 'info') as LogLevel;
  if (!logLevels.includes(logLevel)) {
    throw new Error(`LOG_LEVEL must be one of ${logLevels.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  if (env.DATABASE_REPLICA_URL && !env.DATABASE_URL) {
    throw new Error('DATABASE_REPLICA_URL is a replica of the PostgreSQL in DATABASE_URL: set DATABASE_URL too.');
  }
  if (env.NODE_ENV === 'production' && flag(env, 'WEBHOOKS_ALLOW_LOOPBACK')) {
    throw new Error('WEBHOOKS_ALLOW_LOOPBACK=true is for development and tests: a production server sends webhooks over https to public addresses only.');
  }
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    databaseReplicaUrl: env.DATABASE_REPLICA_URL || undefined,
    dataDir: path.resolve(env.DATA_DIR ?? '.data'),
    port,
    host: env.HOST ?? '0.0.0.0',
    production: env.NODE_ENV === 'production',
    logLevel,
    shutdownTimeoutMs: duration(env, 'SHUTDOWN_TIMEOUT_MS', 10_000),
    importStaleAfterMs: duration(env, 'IMPORT_STALE_AFTER_MS', 60_000),
    corsOrigins: parseCorsOrigins(env.CORS_ORIGINS),
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX ?? 'pgw:',
    rateLimit: rateLimit(env),
    ...persistedDocuments(env),
    federationTypePrefix: typePrefix(env),
    metricsToken: env.METRICS_TOKEN || undefined,
    otelEndpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined,
    otelServiceName: env.OTEL_SERVICE_NAME || 'people-gateway',
    webhooks: {
      allowLoopback: flag(env, 'WEBHOOKS_ALLOW_LOOPBACK'),
      retryBaseMs: duration(env, 'WEBHOOKS_RETRY_BASE_MS', 30_000),
      retryWindowMs: duration(env, 'WEBHOOKS_RETRY_WINDOW_MS', 24 * 60 * 60_000),
      pollIntervalMs: duration(env, 'WEBHOOKS_POLL_MS', 1_000),
      timeoutMs: duration(env, 'WEBHOOKS_TIMEOUT_MS', 10_000),
    },
  };
}

function persistedDocuments(env: NodeJS.ProcessEnv): Pick<Config, 'trustedDocumentsPath' | 'apq'> {
  const trustedDocumentsPath = env.TRUSTED_DOCUMENTS ? path.resolve(env.TRUSTED_DOCUMENTS) : undefined;
  const apq = flag(env, 'APQ');
  // A server that runs only listed documents has no use for registering others.
  if (trustedDocumentsPath && apq) throw new Error('TRUSTED_DOCUMENTS and APQ=true exclude each other: set one of them.');
  return { trustedDocumentsPath, apq };
}

function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name];
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new Error(`${name} must be true or false, got "${value}"`);
}

function typePrefix(env: NodeJS.ProcessEnv): string {
  const value = env.FEDERATION_TYPE_PREFIX ?? defaultFederationTypePrefix;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    throw new Error(`FEDERATION_TYPE_PREFIX must start a GraphQL type name (letters, digits, _), got "${value}"`);
  }
  return value;
}

/**
 * Generous by default: a key may spend 200,000 at once (four of the costliest operations allowed,
 * 50,000 each) and 10,000 a second after that (some 500 simple reads a second).
 */
function rateLimit(env: NodeJS.ProcessEnv): Config['rateLimit'] {
  const capacity = Number(env.RATE_LIMIT_CAPACITY ?? 200_000);
  const refillPerSecond = Number(env.RATE_LIMIT_REFILL_PER_SECOND ?? 10_000);
  if (!Number.isInteger(capacity) || capacity < 0) {
    throw new Error(`RATE_LIMIT_CAPACITY must be a whole number (0 turns rate limiting off), got "${env.RATE_LIMIT_CAPACITY}"`);
  }
  if (!Number.isFinite(refillPerSecond) || refillPerSecond <= 0) {
    throw new Error(`RATE_LIMIT_REFILL_PER_SECOND must be a number above 0, got "${env.RATE_LIMIT_REFILL_PER_SECOND}"`);
  }
  return { capacity, refillPerSecond };
}

function duration(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number of milliseconds, got "${env[name]}"`);
  return value;
}
