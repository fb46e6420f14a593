import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { faker } from '@faker-js/faker';
import { createPrismaClient } from '../../src/db/prisma.ts';
import { createUser } from '../../src/accounts/account-service.ts';
import { personFields } from './scenarios.ts';
import { type SeededOrg, seedOrganization } from './seed.ts';

/**
 * npm run soak [-- --clients 10 | --rate 50] [--seconds 60 --interval 10 --people 300 --warmup 10 --node-flags=...]: the
 * real server as `npm start` runs it (built, then `node <its flags> dist/index.js`) on PostgreSQL
 * when DATABASE_URL is set, else on a fresh embedded database, seeded with an organisation (then
 * ANALYZE), then mixed reads and writes over loopback for a bounded time, after a warm-up under
 * the same load. It prints, per interval, the requests answered, errors and p50/p99 latency; then
 * the request count, the server's RSS at start, middle and end and its peak (the kernel's high
 * water mark), and its V8 heap (used and total, from GET /metrics) at the same points; then
 * SIGTERMs the server. It exits non-zero on any error (an HTTP status other than 200, a GraphQL
 * error, a mutation answering something other than its success type) or if the server does not
 * stop cleanly.
 *
 * Two kinds of load. `--rate` is open-loop (a request every 1/rate s whether or not earlier ones
 * have answered), so a slow server shows as growing latency and requests in flight rather than as
 * a lower rate. `--clients` is closed-loop (each client sends its next request when the last one
 * has answered), so the requests in flight never exceed the clients: what the memory figures
 * then show is the server's own, not a queue of requests that a busy machine could not answer.
 * It is made here rather than with autocannon, whose fixed rate has no per-interval percentiles.
 */
const { values: flags } = parseArgs({
  options: {
    rate: { type: 'string' },
    clients: { type: 'string' },
    seconds: { type: 'string', default: '60' },
    interval: { type: 'string', default: '10' },
    people: { type: 'string', default: '300' },
    warmup: { type: 'string', default: '10' },
    // Instead of npm start's own, to compare heap settings: --node-flags="--max-semi-space-size=16".
    'node-flags': { type: 'string' },
  },
});
if (flags.rate !== undefined && flags.clients !== undefined) throw new Error('--rate and --clients exclude each other: give one');
/** Closed-loop clients (10 unless a rate is given), or undefined for the open-loop rate. */
const clients = flags.rate !== undefined ? undefined : Number(flags.clients ?? '10');
const rate = Number(flags.rate ?? '50');
const seconds = Number(flags.seconds);
const intervalSeconds = Number(flags.interval);
const peopleCount = Number(flags.people);
/** Seconds at the same rate before the measured time: a cold server (JIT, statement plans) answers slowly at first. */
const warmupSeconds = Number(flags.warmup);
for (const [name, value] of Object.entries({ rate, clients: clients ?? 1, seconds, interval: intervalSeconds, people: peopleCount })) {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
}
if (!Number.isFinite(warmupSeconds) || warmupSeconds < 0) throw new Error('--warmup must be a number of seconds, 0 or more');
const root = path.resolve(import.meta.dirname, '../..');
const databaseUrl = process.env.DATABASE_URL || undefined;

interface Server {
  process: ChildProcess;
  url: string;
  databaseUrl: string;
  exited: Promise<number | null>;
}

async function startServer(dataDir: string | undefined): Promise<Server> {
  // At info level: the server says where it listens; the soak passes on its warnings and errors.
  // The soak measures the server, not its rate limit: off.
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', NODE_ENV: 'production', RATE_LIMIT_CAPACITY: '0' };
  if (dataDir) env.DATA_DIR = dataDir;
  // The soak reads the heap figures from GET /metrics.
  delete env.METRICS_TOKEN;
  const child = spawn(process.execPath, [...(await startNodeFlags()), 'dist/index.js'], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    let buffer = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        const entry = line.startsWith('{') ? (JSON.parse(line) as { level: string; msg: string; url?: string }) : undefined;
        if (entry?.msg === 'server listening') resolve(entry.url!.replace('localhost', '127.0.0.1'));
        // The server's warnings and errors are part of the soak's outcome.
        else if (entry && entry.level !== 'info') process.stderr.write(`server: ${line}\n`);
      }
    });
    void exited.then((code) => reject(new Error(`the server exited (${code}) before it listened`)));
  });
  const database = databaseUrl ?? (await embeddedUrl(dataDir!));
  return { process: child, url, databaseUrl: database, exited };
}

/**
 * The node options of `npm start` (`exec node <flags> dist/index.js`), read from package.json:
 * heap sizing is part of what is soaked, and the built server is what runs in production (under
 * tsx the same server holds some 50 MB more).
 */
async function startNodeFlags(): Promise<string[]> {
  if (flags['node-flags'] !== undefined) return flags['node-flags'].split(/\s+/).filter(Boolean);
  const { scripts } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const startFlags = /^exec node (.*?)\s*dist\/index\.js$/.exec(scripts.start ?? '')?.[1];
  if (startFlags === undefined) throw new Error(`package.json's start script is not "exec node <flags> dist/index.js": ${scripts.start}`);
  return startFlags.split(/\s+/).filter(Boolean);
}

/** `npm run build`, so that dist/ is the server of this checkout. */
async function build(): Promise<void> {
  const child = spawn('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`npm run build exited with ${code}`);
}

/** The embedded database's socket, which the server wrote beside its data (see src/db/embedded.ts). */
async function embeddedUrl(dataDir: string): Promise<string> {
  const { port } = JSON.parse(await readFile(path.join(dataDir, 'server.json'), 'utf8')) as { port: number };
  return `postgresql://postgres@127.0.0.1:${port}/postgres`;
}

/**
 * The bench's organisation (test/bench/seed.ts). Its seed is fixed, so a database that has it
 * already (a second soak on the same PostgreSQL) gets a new key to the one there instead.
 */
async function seed(server: Server): Promise<SeededOrg> {
  // One connection on PGlite (one session behind its socket); the server is idle meanwhile.
  const prisma = createPrismaClient({ url: server.databaseUrl, poolSize: 1 });
  try {
    const existing = await prisma.organization.findFirst({ where: { name: 'Bench Org' }, orderBy: { createdAt: 'asc' } });
    if (!existing) {
      const seeded = await seedOrganization(prisma, peopleCount);
      // Autovacuum is off on these machines: without statistics the planner's plans are tens of
      // times slower (see prepare.ts), and the soak would measure a queue of waiting requests.
      await prisma.$executeRawUnsafe('ANALYZE');
      return seeded;
    }
    const email = `soak-${Date.now()}@example.org`;
    const { apiKey } = await createUser(prisma, { organizationId: existing.id, email, role: 'ADMIN' });
    const people = await prisma.person.findMany({ where: { organizationId: existing.id }, select: { id: true }, take: peopleCount });
    return { apiKey, organizationId: existing.id, personIds: people.map((person) => person.id), fieldSlugs: [] };
  } finally {
    await prisma.$disconnect();
  }
}

/** The server's resident memory now (VmRSS) or its peak so far (VmHWM), from /proc (Linux), in MB. */
async function rssMb(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 1024);
}

/** The server's V8 heap, used/total in MB, as its GET /metrics reports it. */
async function heapMb(server: Server): Promise<string> {
  const text = await (await fetch(new URL('/metrics', server.url))).text();
  const value = (name: string) => Math.round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) / 1048576);
  return `${value('nodejs_heap_size_used_bytes')}/${value('nodejs_heap_size_total_bytes')}`;
}

interface Operation {
  name: string;
  query: string;
  variables: () => Record<string, unknown>;
  /** For a mutation: the __typename of success at this path of `data`. */
  success?: [string, string];
}

function operations(seeded: SeededOrg): { weight: number; operation: Operation }[] {
  const globalId = (typename: string, id: string) => Buffer.from(`${typename}:${id}`).toString('base64');
  const anyPerson = () => globalId('Person', faker.helpers.arrayElement(seeded.personIds));
  return [
    { weight: 30, operation: { name: 'person', query: `query ($id: ID!) { person(id: $id) { ${personFields} } }`, variables: () => ({ id: anyPerson() }) } },
    { weight: 15, operation: { name: 'page', query: `{ people(first: 20) { totalCount edges { node { id fullName primaryEmail tags(first: 3) { nodes { tag { title } } } } } } }`, variables: () => ({}) } },
    {
      weight: 15,
      operation: {
        name: 'search',
        query: `query ($q: String!) { people(first: 20, filter: { q: $q }) { totalCount edges { node { id fullName } } } }`,
        variables: () => ({ q: faker.person.firstName().slice(0, 4) }),
      },
    },
    {
      weight: 15,
      operation: {
        name: 'setPersonField',
        query: `mutation ($personId: ID!, $value: JSON) { setPersonField(personId: $personId, field: "score", value: $value) { __typename } }`,
        variables: () => ({ personId: anyPerson(), value: faker.number.int(1000) }),
        success: ['setPersonField', 'SetPersonFieldSuccess'],
      },
    },
    {
      weight: 10,
      operation: {
        name: 'createPerson',
        query: `mutation ($input: PersonInput!) { createPerson(input: $input) { __typename ... on CreatePersonSuccess { person { id } } } }`,
        variables: () => ({ input: { givenName: faker.person.firstName(), familyName: faker.person.lastName(), emails: [faker.internet.email()] } }),
        success: ['createPerson', 'CreatePersonSuccess'],
      },
    },
    {
      weight: 15,
      operation: {
        name: 'updatePerson',
        query: `mutation ($id: ID!, $input: UpdatePersonInput!) { updatePerson(id: $id, input: $input) { __typename ... on UpdatePersonSuccess { person { id jobTitle } } } }`,
        variables: () => ({ id: anyPerson(), input: { jobTitle: faker.person.jobTitle() } }),
        success: ['updatePerson', 'UpdatePersonSuccess'],
      },
    },
  ];
}

function pick<T>(weighted: readonly { weight: number; operation: T }[]): T {
  let roll = Math.random() * weighted.reduce((sum, entry) => sum + entry.weight, 0);
  for (const entry of weighted) {
    roll -= entry.weight;
    if (roll < 0) return entry.operation;
  }
  return weighted.at(-1)!.operation;
}

/** What went wrong with one answer, or undefined when it is what the operation should get. */
async function problemOf(response: Response, operation: Operation): Promise<string | undefined> {
  const text = await response.text();
  if (response.status !== 200) return `${operation.name}: HTTP ${response.status} ${text.slice(0, 200)}`;
  const body = JSON.parse(text) as { data?: Record<string, { __typename?: string } | null>; errors?: { message: string }[] };
  if (body.errors?.length) return `${operation.name}: ${body.errors.map((error) => error.message).join('; ').slice(0, 200)}`;
  if (operation.success) {
    const [field, typename] = operation.success;
    const got = body.data?.[field]?.__typename;
    if (got !== typename) return `${operation.name}: answered ${got}`;
  }
  return undefined;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

await build();
const dataDir = databaseUrl ? undefined : await mkdtemp(path.join(tmpdir(), 'people-gateway-soak-'));
const server = await startServer(dataDir);
let failed = false;
try {
  faker.seed(7);
  const seeded = await seed(server);
  const weighted = operations(seeded);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${seeded.apiKey}` };
  const pid = server.process.pid!;
  /** RSS and V8 heap at one point of the soak. */
  const memory = async () => `RSS ${await rssMb(pid)} MB, heap used/total ${await heapMb(server)} MB`;
  const load = clients === undefined ? `${rate} req/s (open loop)` : `${clients} clients (closed loop)`;
  process.stdout.write(
    `soak: ${load} for ${seconds} s after ${warmupSeconds} s of warm-up, on ${databaseUrl ? 'PostgreSQL' : 'embedded PGlite'}, ` +
      `${peopleCount} people seeded; node ${process.version} ${(await startNodeFlags()).join(' ')}; before any request: ${await memory()}\n`,
  );

  let errors = 0;
  let sent = 0;
  let inFlight = 0;
  const errorSamples: string[] = [];
  let latencies: number[] = [];
  const all: number[] = [];
  const pending = new Set<Promise<void>>();
  const send = (): Promise<void> => {
    const operation = pick(weighted);
    const started = performance.now();
    sent++;
    inFlight++;
    const done = fetch(server.url, { method: 'POST', headers, body: JSON.stringify({ query: operation.query, variables: operation.variables() }) })
      .then((response) => problemOf(response, operation))
      // fetch's own message is "fetch failed"; the cause says what failed (refused, reset, timed out).
      .catch((error: unknown) => `${operation.name}: ${String(error)} (${String((error as Error).cause ?? '')})`)
      .then((problem) => {
        const ms = performance.now() - started;
        latencies.push(ms);
        all.push(ms);
        if (problem) {
          errors++;
          if (errorSamples.length < 10) errorSamples.push(problem);
        }
      })
      .finally(() => {
        inFlight--;
        pending.delete(done);
      });
    pending.add(done);
    return done;
  };

  let errorsReported = 0;
  const report = async (label: string) => {
    const sorted = latencies.sort((a, b) => a - b);
    process.stdout.write(
      `${label.padStart(7)}  answered ${String(sorted.length).padStart(5)}  errors ${String(errors - errorsReported).padStart(3)}  ` +
        `p50 ${percentile(sorted, 50).toFixed(1).padStart(7)} ms  p99 ${percentile(sorted, 99).toFixed(1).padStart(7)} ms  in flight ${inFlight}  RSS ${await rssMb(pid)} MB\n`,
    );
    errorsReported = errors;
    latencies = [];
  };
  /** Sends at `rate` for `duration` s, each request at its own time since the start (timer drift does not lower the rate). */
  const atRate = async (duration: number, onTick: (elapsed: number) => Promise<void>) => {
    const start = performance.now();
    const count = Math.round(rate * duration);
    for (let index = 0; index < count; index++) {
      const wait = start + (index * 1000) / rate - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      send();
      await onTick((performance.now() - start) / 1000);
    }
  };
  /** `clients` loops, each sending its next request once its last is answered, for `duration` s. */
  const byClients = async (count: number, duration: number, onTick: (elapsed: number) => Promise<void>) => {
    const start = performance.now();
    const end = start + duration * 1000;
    const client = async () => {
      while (performance.now() < end) await send();
    };
    let ticking = Promise.resolve();
    const ticker = setInterval(() => {
      // A failed look at the server's memory must not end the soak with an unhandled rejection.
      ticking = ticking.then(() => onTick((performance.now() - start) / 1000)).catch((error: unknown) => {
        process.stderr.write(`soak: ${String(error)}\n`);
      });
    }, 250);
    try {
      await Promise.all(Array.from({ length: count }, client));
    } finally {
      clearInterval(ticker);
      await ticking;
    }
  };
  const run = (duration: number, onTick: (elapsed: number) => Promise<void>) =>
    clients === undefined ? atRate(duration, onTick) : byClients(clients, duration, onTick);
  if (warmupSeconds > 0) {
    await run(warmupSeconds, async () => {});
    await Promise.allSettled([...pending]);
    await report('warm-up');
    all.length = 0;
  }
  const points: Record<string, string> = { start: await memory() };
  const sentBefore = sent;
  let nextReport = intervalSeconds;
  await run(seconds, async (elapsed) => {
    if (points.middle === undefined && elapsed >= seconds / 2) points.middle = await memory();
    if (elapsed >= nextReport) {
      await report(`${Math.round(elapsed)}s`);
      nextReport += intervalSeconds;
    }
  });
  // The requests still in flight are answered (or fail) before the last line.
  await Promise.allSettled([...pending]);
  if (latencies.length > 0) await report('end');
  points.end = await memory();
  const sorted = all.sort((a, b) => a - b);
  const measured = sent - sentBefore;
  process.stdout.write(
    `measured: ${measured} requests (${sent} with the warm-up), ${errors} errors in all, p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, ` +
      `max ${sorted.at(-1)?.toFixed(1)} ms; ${(measured / seconds).toFixed(1)} req/s\n` +
      `memory: start ${points.start}; middle ${points.middle}; end ${points.end}; peak RSS ${await rssMb(pid, 'VmHWM')} MB (since the server started)\n`,
  );
  for (const sample of errorSamples) process.stdout.write(`error: ${sample}\n`);
  failed = errors > 0;
} catch (error) {
  process.stderr.write(`soak failed: ${String((error as Error).stack ?? error)}\n`);
  failed = true;
} finally {
  server.process.kill('SIGTERM');
  const code = await server.exited;
  if (code !== 0) {
    process.stdout.write(`the server exited with ${code} after SIGTERM\n`);
    failed = true;
  }
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
