import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import autocannon from 'autocannon';
import { faker } from '@faker-js/faker';
import { migrate } from '../../src/db/migrate.ts';
import { createPrismaClient } from '../../src/db/prisma.ts';
import { dropSchema } from '../support/app.ts';
import { benchImports, type ImportFigures } from './imports.ts';
import { scenarios } from './scenarios.ts';
import { seedOrganization } from './seed.ts';

/**
 * npm run bench: seeds a realistic organisation into PostgreSQL, starts the server in a process
 * of its own, loads it from this one with autocannon over loopback, and prints per scenario the
 * requests per second, p50 and p99 latency, SQL statements per request and server memory.
 * Figures on a shared 2-core machine are noisy: compare runs side by side, not with old numbers.
 */
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
const schema = 'people_gateway_bench';
const peopleCount = Number(process.env.BENCH_PEOPLE ?? 10_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);

await dropSchema(databaseUrl, schema);
await migrate({ connectionString: databaseUrl, schema });
const prisma = createPrismaClient({ url: databaseUrl, schema });
const seedStart = performance.now();
const seeded = await seedOrganization(prisma, peopleCount);
await prisma.$disconnect();
process.stdout.write(`seeded ${peopleCount} people in ${((performance.now() - seedStart) / 1000).toFixed(1)} s\n`);

const root = path.resolve(import.meta.dirname, '../..');
const server = spawn(process.execPath, ['--import', 'tsx', 'test/bench/server.ts'], {
  cwd: root,
  env: { ...process.env, BENCH_DATABASE_URL: databaseUrl, BENCH_SCHEMA: schema, NODE_ENV: 'production' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
const [firstLine] = (await once(server.stdout, 'data')) as [Buffer];
const { port } = JSON.parse(firstLine.toString()) as { port: number };
const base = `http://127.0.0.1:${port}`;
const stats = async () =>
  (await (await fetch(`${base}/bench/stats`)).json()) as { statements: number; requests: number; rss: number; maxRss: number };

/** A scenario whose requests fail would measure error handling: one is checked first. */
async function checkAnswers(name: string, request: autocannon.Request): Promise<void> {
  const setup = request.setupRequest as (request: autocannon.Request, context: object) => autocannon.Request;
  const prepared = setup({ ...request, path: '/graphql' }, {});
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: request.headers as Record<string, string>,
    body: prepared.body as string,
  });
  const text = await response.text();
  if (!response.ok || text.includes('"errors"') || /"__typename":"\w+Error"/.test(text)) {
    throw new Error(`${name}: the request fails: ${text.slice(0, 500)}`);
  }
}

const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
const rows: string[][] = [];
let imports: ImportFigures[] = [];
try {
  for (const scenario of scenarios(seeded)) {
    await checkAnswers(scenario.name, scenario.request(faker));
    // A short warm-up, so the first scenario does not pay for JIT and connection set-up.
    await autocannon({ url: `${base}/graphql`, connections, duration: 1, requests: [scenario.request(faker)] });
    await fetch(`${base}/bench/reset`);
    const result = await autocannon({
      url: `${base}/graphql`,
      connections,
      duration: seconds,
      requests: [scenario.request(faker)],
    });
    const { statements, requests, rss } = await stats();
    if (result.non2xx > 0 || result.errors > 0) {
      throw new Error(`${scenario.name}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
    }
    rows.push([
      scenario.name,
      result.requests.average.toFixed(0),
      result.latency.p50.toFixed(1),
      result.latency.p99.toFixed(1),
      (statements / requests).toFixed(1),
      megabytes(rss),
    ]);
  }
  imports = await benchImports(base, seeded, stats);
} finally {
  server.kill('SIGTERM');
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ');
  process.stdout.write(`${line(header)}\n${line(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

process.stdout.write(`\n${peopleCount} people, ${connections} connections, ${seconds} s per scenario\n`);
printTable(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'SQL/req', 'server RSS MB'], rows);
process.stdout.write('\nimportPeople, one request each\n');
printTable(
  ['import', 'rows', 's', 'rows/s', 'SQL', 'server RSS MB', 'peak RSS MB'],
  imports.map((figures) => [
    figures.name,
    String(figures.rows),
    figures.seconds.toFixed(1),
    (figures.rows / figures.seconds).toFixed(0),
    String(figures.statements),
    megabytes(figures.rss),
    megabytes(figures.maxRss),
  ]),
);
