import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrismaClient } from '../../src/db/prisma.ts';
import { createLogger } from '../../src/logger.ts';
import { createApp } from '../../src/yoga.ts';
import { readStats } from './stats.ts';

/**
 * The server under load, in a process of its own. Beside the app it answers GET /bench/stats
 * (see stats.ts: SQL statements and GraphQL requests since the last /bench/reset, memory, CPU
 * time), which is how the benchmark reads statements, CPU and memory per request.
 */
const url = process.env.BENCH_DATABASE_URL!;
const schema = process.env.BENCH_SCHEMA!;
let statements = 0;
let requests = 0;
const prisma = createPrismaClient({ url, schema, poolSize: 10, preparedStatements: true, onQuery: () => statements++ });
const app = createApp({ prisma, log: createLogger('warn'), dbSchema: schema });

const server = createServer((request, response) => {
  if (request.url === '/bench/stats') {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify(readStats(statements, requests)));
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
