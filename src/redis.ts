import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

/**
 * A Redis connection for REDIS_URL. Each use takes its own (a connection that subscribes can do
 * nothing else). Connection trouble is logged as a warning: ioredis reconnects by itself
 * (subscriptions included), and what waits on it (a publish) fails on its own after a few retries.
 */
export function createRedisClient(url: string, log: Logger, name: string, options: { lazyConnect?: boolean } = {}): Redis {
  const client = new Redis(url, { connectionName: name, maxRetriesPerRequest: 3, lazyConnect: options.lazyConnect ?? false });
  client.on('error', (error: Error) => log.warn('redis connection trouble', { connection: name, error: error.message }));
  return client;
}

/**
 * A Redis connection once it is ready: a Redis that cannot be reached fails the start. Used where
 * the first command must not be lost: a SUBSCRIBE sent while the connection was still being set up
 * was seen to be lost in the reconnection that followed.
 */
export async function connectRedis(url: string, log: Logger, name: string): Promise<Redis> {
  const client = createRedisClient(url, log, name, { lazyConnect: true });
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  return client;
}

/** Closes connections made by createRedisClient: politely (QUIT) if Redis answers, at once if not. */
export async function closeRedisClients(...clients: Redis[]): Promise<void> {
  await Promise.all(clients.map((client) => client.quit().catch(() => client.disconnect())));
}
