import {
  checkAnswers,
  load,
  measuredCells,
  measureRound,
  megabytes,
  printTable,
  projectServerCommand,
  type Round,
  rawServerCommand,
  type Server,
  startServer,
  summarize,
} from './harness.ts';
import { benchImports, type ImportFigures } from './imports.ts';
import { checkSameAnswers } from './compare.ts';
import { prepareDatabase } from './prepare.ts';
import { comparedScenarios, scenarios } from './scenarios.ts';

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
const database = { url: databaseUrl, schema };
const loadShape = { seconds, connections };

const seeded = await prepareDatabase(databaseUrl, schema, peopleCount);
const all = scenarios(seeded);
const compared = comparedScenarios.map((name) => all.find((scenario) => scenario.name === name)!);

const comparisonRows: string[][] = [];
const projectRows: string[][] = [];
let imports: ImportFigures[] = [];
const project = await startServer('project', projectServerCommand(), database);
try {
  const raw = await startServer('raw', rawServerCommand(), database);
  try {
    const checked = await checkSameAnswers(project.base, raw.base, seeded, { url: databaseUrl, schema });
    process.stdout.write(`the raw server answers as the API does (${checked} requests compared)\n`);
    for (const scenario of compared) {
      for (const server of [project, raw]) {
        await checkAnswers(server.base, scenario);
        process.stdout.write(`${scenario.name}: warming up ${server.name} for ${warmupSeconds} s\n`);
        await load(server, scenario, warmupSeconds, connections);
      }
      const measured = new Map<Server, Round[]>([
        [project, []],
        [raw, []],
      ]);
      for (let round = 1; round <= rounds; round++) {
        for (const server of [project, raw]) {
          const figures = await measureRound(server, scenario, loadShape);
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
    await load(project, scenario, 1, connections);
    const figures = summarize([await measureRound(project, scenario, loadShape)]);
    projectRows.push([scenario.name, ...measuredCells(figures)]);
  }
  imports = await benchImports(project.base, seeded, project.stats);
} finally {
  project.process.kill('SIGTERM');
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
