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
  /** Redis for live updates shared by every instance; without it, subscriptions hear only this instance's writes. */
  redisUrl: string | undefined;
  /** Put before every Redis channel name, so that deployments sharing a Redis do not hear each other. */
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
    redisUrl: env.REDIS_URL || undefined,
    redisPrefix: env.REDIS_PREFIX ?? 'pgw:',
  };
}

function duration(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number of milliseconds, got "${env[name]}"`);
  return value;
}
