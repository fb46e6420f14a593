import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrismaClient } from '../../src/db/prisma.ts';
import { createLogger } from '../../src/logger.ts';
import { createApp } from '../../src/yoga.ts';

/**
 * The server under load, in a process of its own. Beside the app it answers GET /bench/stats
 * (SQL statements and GraphQL requests since the last POST /bench/reset, memory now and at its
 * peak), which is
 * how the benchmark reads statements per request and the server's memory.
 */
const url = process.env.BENCH_DATABASE_URL!;
const schema = process.env.BENCH_SCHEMA!;
let statements = 0;
let requests = 0;
const prisma = createPrismaClient({ url, schema, poolSize: 10, preparedStatements: true, onQuery: () => statements++ });
const app = createApp({ prisma, log: createLogger('warn'), dbSchema: schema });

const server = createServer((request, response) => {
  if (request.url === '/bench/stats') {
    const { rss, heapUsed } = process.memoryUsage();
    // The peak since the process started (resourceUsage gives it in kilobytes).
    const maxRss = process.resourceUsage().maxRSS * 1024;
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ statements, requests, rss, heapUsed, maxRss }));
    return;
  }
  if (request.url === '/bench/reset') {
    statements = 0;
    requests = 0;
    response.end('{}');
    return;
  }
  requests++;
  void app(request, response);
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  void prisma.$disconnect().then(() => process.exit(0));
});
