import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { faker } from '@faker-js/faker';
import { benchImports, type ImportFigures } from './imports.ts';
import { checkSameAnswers } from './compare.ts';
import { prepareDatabase } from './prepare.ts';
import { comparedScenarios, type Scenario, scenarios } from './scenarios.ts';
import type { BenchStats } from './stats.ts';

/**
 * npm run bench: seeds a realistic organisation into PostgreSQL (then ANALYZE), and measures the
 * API against the practical limit: for the two nested read scenarios, the project's server and
 * a raw-SQL server (raw-server.ts, one hand-written statement per request) are first checked to
 * answer the same JSON, warmed up, then loaded in alternating rounds, so that both meet the same
 * machine conditions. The other scenarios and the imports are then measured on the project's
 * server alone. Load comes from this process with autocannon over loopback.
 *
 * Figures on a shared 2-core machine are noisy: compare runs side by side, not with old numbers.
 * PostgreSQL's CPU is that of every `postgres` process of the machine, so anything else using
 * the database during a round is counted too.
 */
const databaseUrl = process.env.BENCH_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
const schema = 'people_gateway_bench';
const peopleCount = Number(process.env.BENCH_PEOPLE ?? 10_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 30);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const root = path.resolve(import.meta.dirname, '../..');

/**
 * How the project's server is started: with the node flags of `npm start` (V8's heap sizing is
 * part of what is measured), through tsx since the bench server lives beside the tests. It must
 * print {"port":N} as its first line and answer /bench/stats and /bench/reset.
 */
function projectServerCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: [...startNodeFlags(), '--import', 'tsx', 'test/bench/server.ts'] };
}

/** The options `npm start` gives node (its script is `exec node <flags> dist/index.js`). */
function startNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return scripts.start.split(/\s+/).filter((word) => word.startsWith('--'));
}

function rawServerCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', 'tsx', 'test/bench/raw-server.ts'] };
}

interface Server {
  name: string;
  base: string;
  process: ChildProcess;
  stats: () => Promise<BenchStats>;
  reset: () => Promise<void>;
}

async function startServer(name: string, { command, args }: { command: string; args: string[] }): Promise<Server> {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, BENCH_DATABASE_URL: databaseUrl, BENCH_SCHEMA: schema, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit').then(([code]) => {
    throw new Error(`the ${name} server exited (${String(code)}) before it listened`);
  });
  const [firstLine] = (await Promise.race([once(child.stdout!, 'data'), exited])) as [Buffer];
  const { port } = JSON.parse(firstLine.toString().split('\n')[0]!) as { port: number };
  const base = `http://127.0.0.1:${port}`;
  return {
    name,
    base,
    process: child,
    stats: async () => (await (await fetch(`${base}/bench/stats`)).json()) as BenchStats,
    reset: async () => {
      await fetch(`${base}/bench/reset`);
    },
  };
}

/** A scenario whose requests fail would measure error handling: one is checked first. */
async function checkAnswers(base: string, scenario: Scenario): Promise<void> {
  const request = scenario.request(faker);
  const setup = request.setupRequest as (request: autocannon.Request, context: object) => autocannon.Request;
  const prepared = setup({ ...request, path: '/graphql' }, {});
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: request.headers as Record<string, string>,
    body: prepared.body as string,
  });
  const text = await response.text();
  if (!response.ok || text.includes('"errors"') || /"__typename":"\w+Error"/.test(text)) {
    throw new Error(`${scenario.name}: the request fails: ${text.slice(0, 500)}`);
  }
}

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

/** CPU time (utime + stime, in clock ticks) of every process named postgres, by pid. */
function postgresTicks(): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // Gone since the listing.
    }
    const close = stat.lastIndexOf(')');
    if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
    // After the command come the fields from the 3rd on; utime and stime are the 14th and 15th.
    const fields = stat.slice(close + 2).split(' ');
    ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
  }
  return ticks;
}

/** Milliseconds of CPU between two readings: per process, so a backend that ended does not count negative. */
function postgresMillisBetween(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, now] of after) ticks += now - (before.get(pid) ?? 0);
  return (ticks * 1000) / clockTicks;
}

interface Round {
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  statements: number;
  serverRequests: number;
  serverCpuMs: number;
  postgresCpuMs: number;
  rss: number;
}

async function load(server: Server, scenario: Scenario, duration: number): Promise<autocannon.Result> {
  const result = await autocannon({ url: `${server.base}/graphql`, connections, duration, requests: [scenario.request(faker)] });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${scenario.name} on ${server.name}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
  return result;
}

async function measureRound(server: Server, scenario: Scenario): Promise<Round> {
  await server.reset();
  const before = await server.stats();
  const postgresBefore = postgresTicks();
  const result = await load(server, scenario, seconds);
  const postgresAfter = postgresTicks();
  const after = await server.stats();
  return {
    requests: result.requests.total,
    seconds: result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statements: after.statements,
    serverRequests: after.requests,
    serverCpuMs: (after.cpuMicros - before.cpuMicros) / 1000,
    postgresCpuMs: postgresMillisBetween(postgresBefore, postgresAfter),
    rss: after.rss,
  };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

/**
 * One row from the rounds: req/s is all requests over all seconds; p50 and p99 are the medians
 * of the rounds' own; statements and CPU are totals over the requests the server counted; RSS is
 * the last round's.
 */
/** req/s, p50, p99, SQL/req, server CPU, PostgreSQL CPU and RSS: the columns both tables share. */
function measuredCells(figures: ReturnType<typeof summarize>): string[] {
  return [
    figures.reqPerSecond.toFixed(1),
    figures.p50.toFixed(1),
    figures.p99.toFixed(1),
    figures.statementsPerRequest.toFixed(1),
    figures.serverCpuMsPerRequest.toFixed(1),
    figures.postgresCpuMsPerRequest.toFixed(1),
    megabytes(figures.rss),
  ];
}

function summarize(rows: Round[]) {
  const serverRequests = sum(rows.map((row) => row.serverRequests));
  return {
    reqPerSecond: sum(rows.map((row) => row.requests)) / sum(rows.map((row) => row.seconds)),
    p50: median(rows.map((row) => row.p50)),
    p99: median(rows.map((row) => row.p99)),
    statementsPerRequest: sum(rows.map((row) => row.statements)) / serverRequests,
    serverCpuMsPerRequest: sum(rows.map((row) => row.serverCpuMs)) / serverRequests,
    postgresCpuMsPerRequest: sum(rows.map((row) => row.postgresCpuMs)) / serverRequests,
    rss: rows.at(-1)!.rss,
  };
}

const seeded = await prepareDatabase(databaseUrl, schema, peopleCount);
const all = scenarios(seeded);
const compared = comparedScenarios.map((name) => all.find((scenario) => scenario.name === name)!);

const comparisonRows: string[][] = [];
const projectRows: string[][] = [];
let imports: ImportFigures[] = [];
const project = await startServer('project', projectServerCommand());
try {
  const raw = await startServer('raw', rawServerCommand());
  try {
    const checked = await checkSameAnswers(project.base, raw.base, seeded, { url: databaseUrl, schema });
    process.stdout.write(`the raw server answers as the API does (${checked} requests compared)\n`);
    for (const scenario of compared) {
      for (const server of [project, raw]) {
        await checkAnswers(server.base, scenario);
        process.stdout.write(`${scenario.name}: warming up ${server.name} for ${warmupSeconds} s\n`);
        await load(server, scenario, warmupSeconds);
      }
      const measured = new Map<Server, Round[]>([
        [project, []],
        [raw, []],
      ]);
      for (let round = 1; round <= rounds; round++) {
        for (const server of [project, raw]) {
          const figures = await measureRound(server, scenario);
          measured.get(server)!.push(figures);
          process.stdout.write(
            `${scenario.name}, round ${round}, ${server.name}: ${(figures.requests / figures.seconds).toFixed(1)} req/s, ` +
              `server ${(figures.serverCpuMs / figures.serverRequests).toFixed(1)} ms CPU/req, ` +
              `PostgreSQL ${(figures.postgresCpuMs / figures.serverRequests).toFixed(1)} ms CPU/req\n`,
          );
        }
      }
      const [projectFigures, rawFigures] = [summarize(measured.get(project)!), summarize(measured.get(raw)!)];
      for (const [server, figures] of [
        [project, projectFigures],
        [raw, rawFigures],
      ] as const) {
        comparisonRows.push([
          scenario.name,
          server.name,
          ...measuredCells(figures),
          server === project ? (projectFigures.reqPerSecond / rawFigures.reqPerSecond).toFixed(2) : '',
        ]);
      }
    }
  } finally {
    raw.process.kill('SIGTERM');
  }

  for (const scenario of all.filter((candidate) => !compared.includes(candidate))) {
    await checkAnswers(project.base, scenario);
    // A short warm-up, so the first scenario does not pay for JIT and connection set-up.
    await load(project, scenario, 1);
    const figures = summarize([await measureRound(project, scenario)]);
    projectRows.push([scenario.name, ...measuredCells(figures)]);
  }
  imports = await benchImports(project.base, seeded, project.stats);
} finally {
  project.process.kill('SIGTERM');
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const numeric = header.map((_, column) => rows.every((row) => row[column] === '' || /^[\d.]+$/.test(row[column]!)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ');
  process.stdout.write(`${line(header)}\n${line(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

process.stdout.write(
  `\n${peopleCount} people, ${connections} connections; the API (project) against one hand-written SQL statement per request (raw)\n` +
    `${warmupSeconds} s warm-up each, then ${rounds} alternating rounds of ${seconds} s; req/s = all requests / all seconds, ` +
    `p50/p99 = median of the rounds', CPU = ms per request (PostgreSQL: every postgres process)\n`,
);
printTable(
  ['scenario', 'server', 'req/s', 'p50 ms', 'p99 ms', 'SQL/req', 'server CPU ms/req', 'PG CPU ms/req', 'RSS MB', 'project/raw req/s'],
  comparisonRows,
);
process.stdout.write(`\nproject only, ${seconds} s per scenario\n`);
printTable(['scenario', 'req/s', 'p50 ms', 'p99 ms', 'SQL/req', 'server CPU ms/req', 'PG CPU ms/req', 'RSS MB'], projectRows);
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
