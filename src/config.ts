import path from 'node:path';

export interface Config {
  /** PostgreSQL to use; without it the server runs embedded PGlite in dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  port: number;
  host: string;
  production: boolean;
  logLevel: LogLevel;
  /** How long a graceful shutdown waits for in-flight requests before cancelling them. */
  shutdownTimeoutMs: number;
  /**
   * A RUNNING import whose heartbeat is older than this lost its process (killed, crashed) and is
   * marked INTERRUPTED by any instance (see services/import-service.ts, markAbandonedImports).
   */
  importStaleAfterMs: number;
  /**
   * Each API key's token bucket (src/http/rate-limit.ts): its capacity and refill per second, in
   * units of operation cost. A capacity of 0 turns rate limiting off.
   */
  rateLimit: { capacity: number; refillPerSecond: number };
  /** Redis, shared by instances (rate-limit buckets); unset: this process's memory. */
  redisUrl: string | undefined;
  /** Put before every Redis key, so that deployments (or test runs) sharing a Redis keep apart. */
  redisPrefix: string;
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
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.DATA_DIR ?? '.data'),
    port,
    host: env.HOST ?? '0.0.0.0',
    production: env.NODE_ENV === 'production',
    logLevel,
    shutdownTimeoutMs: duration(env, 'SHUTDOWN_TIMEOUT_MS', 10_000),
    importStaleAfterMs: duration(env, 'IMPORT_STALE_AFTER_MS', 60_000),
    rateLimit: rateLimit(env),
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX ?? 'pgw:',
  };
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
