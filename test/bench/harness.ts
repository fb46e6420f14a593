import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { faker } from '@faker-js/faker';
import type { Scenario } from './scenarios.ts';
import type { BenchStats } from './stats.ts';

/**
 * What the benches share (npm run bench, npm run bench:scale): starting a server under test in a
 * process of its own, loading it with autocannon from this process, and reading its statements,
 * CPU and memory, and PostgreSQL's CPU, around each round.
 */
const root = path.resolve(import.meta.dirname, '../..');

/**
 * How the project's server is started: with the node flags of `npm start` (V8's heap sizing is
 * part of what is measured), through tsx since the bench server lives beside the tests. It must
 * print {"port":N} as its first line and answer /bench/stats and /bench/reset.
 */
export function projectServerCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: [...startNodeFlags(), '--import', 'tsx', 'test/bench/server.ts'] };
}

/** The options `npm start` gives node (its script is `exec node <flags> dist/index.js`). */
function startNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return scripts.start.split(/\s+/).filter((word) => word.startsWith('--'));
}

export function rawServerCommand(): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', 'tsx', 'test/bench/raw-server.ts'] };
}

export interface Server {
  name: string;
  base: string;
  process: ChildProcess;
  stats: () => Promise<BenchStats>;
  reset: () => Promise<void>;
}

/** The database a server under load reads: its URL and schema. */
export interface BenchDatabase {
  url: string;
  schema: string;
}

export async function startServer(
  name: string,
  { command, args }: { command: string; args: string[] },
  database: BenchDatabase,
): Promise<Server> {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, BENCH_DATABASE_URL: database.url, BENCH_SCHEMA: database.schema, NODE_ENV: 'production' },
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
export async function checkAnswers(base: string, scenario: Scenario): Promise<void> {
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

export interface Round {
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

/** How long each load lasts and with how many connections. */
export interface LoadShape {
  seconds: number;
  connections: number;
}

export async function load(server: Server, scenario: Scenario, duration: number, connections: number): Promise<autocannon.Result> {
  const result = await autocannon({ url: `${server.base}/graphql`, connections, duration, requests: [scenario.request(faker)] });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${scenario.name} on ${server.name}: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  }
  return result;
}

export async function measureRound(server: Server, scenario: Scenario, { seconds, connections }: LoadShape): Promise<Round> {
  await server.reset();
  const before = await server.stats();
  const postgresBefore = postgresTicks();
  const result = await load(server, scenario, seconds, connections);
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

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
export const megabytes = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);

/**
 * One row from the rounds: req/s is all requests over all seconds; p50 and p99 are the medians
 * of the rounds' own; statements and CPU are totals over the requests the server counted; RSS is
 * the last round's.
 */
/** req/s, p50, p99, SQL/req, server CPU, PostgreSQL CPU and RSS: the columns both tables share. */
export function measuredCells(figures: ReturnType<typeof summarize>): string[] {
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

export function summarize(rows: Round[]) {
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

export function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const numeric = header.map((_, column) => rows.every((row) => row[column] === '' || /^[\d.]+$/.test(row[column]!)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!))).join('  ');
  process.stdout.write(`${line(header)}\n${line(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const row of rows) process.stdout.write(`${line(row)}\n`);
}

