import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import { type Database, openDatabase } from './db/database.ts';
import { createPrismaClient, type PrismaClient } from './db/prisma.ts';
import type { Logger } from './logger.ts';
import { createApp } from './yoga.ts';

export interface RunningServer {
  url: string;
  database: Database;
  prisma: PrismaClient;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), then closes the database. */
  stop(): Promise<void>;
}

export async function startServer(config: Config, log: Logger): Promise<RunningServer> {
  const database = await openDatabase(config, log);
  // PGlite is one session behind its socket: statements of two connections can interleave
  // there (electric-sql/pglite#1046), so the server keeps to a single connection on it.
  const prisma = createPrismaClient({
    url: database.url,
    poolSize: database.kind === 'pglite' ? 1 : 10,
    preparedStatements: database.kind === 'postgresql',
  });
  const app = createApp({ prisma, log });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://localhost:${port}/graphql`;
  log.info('server listening', { url, database: database.kind, pid: process.pid });

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      log.info('shutting down');
      await closeGracefully(server, config.shutdownTimeoutMs);
      await prisma.$disconnect();
      await database.close();
      log.info('stopped');
    })();
    return stopping;
  };
  return { url, database, prisma, stop };
}

async function closeGracefully(server: Server, timeoutMs: number): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // Keep-alive connections with no request in flight would hold close() open forever.
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), timeoutMs);
  await closed;
  clearTimeout(timer);
}
