import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

/**
 * A Redis connection for REDIS_URL. Each use takes its own (a connection that subscribes can do
 * nothing else). Connection trouble is logged as a warning: ioredis reconnects by itself, and
 * what waits on it (a publish) fails on its own after a few retries.
 */
export function createRedisClient(url: string, log: Logger, name: string): Redis {
  const client = new Redis(url, { connectionName: name, maxRetriesPerRequest: 3 });
  client.on('error', (error: Error) => log.warn('redis connection trouble', { connection: name, error: error.message }));
  return client;
}

/** Closes connections made by createRedisClient: politely (QUIT) if Redis answers, at once if not. */
export async function closeRedisClients(...clients: Redis[]): Promise<void> {
  await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
}
