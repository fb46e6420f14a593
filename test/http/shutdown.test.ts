import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { print } from 'graphql';
import { ClientError, GraphQLClient } from 'graphql-request';
import pg from 'pg';
import { afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { openEmbeddedDatabase } from '../../src/db/embedded.ts';
import { graphql } from '../generated/gql.ts';

/**
 * The server process stopped with an import in flight: by SIGTERM (it must exit, the import
 * answered and reading back INTERRUPTED with the rows it committed, no transaction left open, a
 * request on an open keep-alive connection refused with 503), or by kill -9 (the next server to
 * start marks the import INTERRUPTED); and stopped by SIGTERM under keep-alive clients writing
 * (no committed write answered with a network error, the exit as soon as nothing is in flight).
 * The server runs on the database the
 * tests run on: a PostgreSQL database of its own on TEST_DATABASE_URL's server, or else the
 * embedded PGlite in a data directory of its own.
 */
const root = path.resolve(import.meta.dirname, '../..');
const onPostgres = !inject('embedded');
const rowCount = 5_000;

beforeAll(async () => {
  // Built once here; each server then starts with node itself, as `npm start` runs it.
  await promisify(execFile)('npm', ['run', '-s', 'build'], { cwd: root });
}, 300_000);

/** Where a server keeps its data: a fresh PostgreSQL database, or a fresh PGlite data directory. */
interface Store {
  env: NodeJS.ProcessEnv;
  /** Runs SQL on the store while no server holds it (PGlite opens its files for the query). */
  query<T extends pg.QueryResultRow>(sql: string): Promise<T[]>;
  drop(): Promise<void>;
}

async function createStore(): Promise<Store> {
  const base: NodeJS.ProcessEnv = { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '300' };
  delete base.DATABASE_URL;
  delete base.DATA_DIR;
  if (onPostgres) {
    const name = `pgw_shutdown_${randomBytes(4).toString('hex')}`;
    const admin = inject('databaseUrl');
    await runSql(admin, `CREATE DATABASE ${name}`);
    const url = new URL(admin);
    url.pathname = `/${name}`;
    return {
      env: { ...base, DATABASE_URL: url.toString(), IMPORT_STALE_AFTER_MS: '1000' },
      query: (sql) => runSql(url.toString(), sql),
      drop: async () => void (await runSql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
    };
  }
  const dataDir = await mkdtemp(path.join(tmpdir(), 'people-gateway-shutdown-'));
  return {
    env: { ...base, DATA_DIR: dataDir },
    async query(sql) {
      const embedded = await openEmbeddedDatabase(dataDir);
      try {
        return await runSql(embedded.url, sql);
      } finally {
        await embedded.close();
      }
    },
    drop: () => rm(dataDir, { recursive: true, force: true }),
  };
}

async function runSql<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

interface Server {
  process: ChildProcess;
  url: string;
  logs: string[];
  exited: Promise<number | null>;
}

function startServer(store: Store): Promise<Server> {
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/index.js'], { cwd: root, env: store.env });
  const logs: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter((text) => text.startsWith('{'))) {
        logs.push(line);
        const entry = JSON.parse(line) as { msg: string; url?: string };
        if (entry.msg === 'server listening') resolve({ process: child, url: entry.url!, logs, exited });
      }
    });
    void exited.then((code) => reject(new Error(`server exited with ${code}: ${logs.join('\n')}`)));
  });
}

/** The exit code, or a failure naming what the server logged if it is still alive after `ms`. */
async function exitOf(server: Server, ms = 60_000): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`still running ${ms} ms later:\n${server.logs.join('\n')}`)), ms);
  });
  try {
    return await Promise.race([server.exited, stuck]);
  } finally {
    clearTimeout(timer);
  }
}

async function createOrganization(store: Store): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/scripts/org-create.ts', '--name', 'Acme'], {
    cwd: root,
    env: store.env,
  });
  return (JSON.parse(stdout) as { apiKey: string }).apiKey;
}

const CreateTag = graphql(`
  mutation ShutdownCreateTag($input: TagInput!) {
    createTag(input: $input) { __typename ... on CreateTagSuccess { tag { id } } }
  }
`);
const ImportPeople = graphql(`
  mutation ShutdownImportPeople($input: ImportPeopleInput!) {
    importPeople(input: $input) { __typename }
  }
`);
const LatestImport = graphql(`
  query ShutdownLatestImport {
    imports(first: 1) { nodes { id status totalRows createdCount failedCount finishedAt } }
    people(first: 1) { totalCount }
  }
`);

const CreatePerson = graphql(`
  mutation ShutdownCreatePerson($input: PersonInput!) {
    createPerson(input: $input) { __typename ... on CreatePersonSuccess { person { id } } }
  }
`);
const PeopleChanged = graphql(`
  subscription ShutdownPeopleChanged {
    peopleChanged { kind }
  }
`);

/** A response read whole over a node:http keep-alive agent, as a client pooling connections sees it. */
interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The request went on a connection that an earlier request had opened. */
  reusedSocket: boolean;
}

/**
 * POSTs a GraphQL document over `agent`. Resolves when the response headers arrive, with the
 * whole answer as `answer`; a network error (refused, reset, cut) rejects.
 */
function post(agent: http.Agent, url: string, apiKey: string, body: unknown, accept = 'application/json'): Promise<{ status: number; answer: Promise<Answer> }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'POST',
      agent,
      headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${apiKey}` },
    });
    request.once('error', reject);
    request.once('response', (response) => {
      const answer = new Promise<Answer>((resolveAnswer, rejectAnswer) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.once('error', rejectAnswer);
        response.once('aborted', () => rejectAnswer(new Error('response cut')));
        response.once('end', () =>
          resolveAnswer({ status: response.statusCode!, headers: response.headers, body: text, reusedSocket: request.reusedSocket }),
        );
      });
      // Read by whoever awaits it; a cut stream is reported there, not as an unhandled rejection.
      answer.catch(() => {});
      resolve({ status: response.statusCode!, answer });
    });
    request.end(JSON.stringify(body));
  });
}

async function postWhole(agent: http.Agent, url: string, apiKey: string, body: unknown): Promise<Answer> {
  return (await post(agent, url, apiKey, body)).answer;
}

function expectRefusedBeforeAnyWork(answer: Answer): void {
  expect(answer.status, answer.body).toBe(503);
  expect(answer.headers.connection).toBe('close');
  expect(answer.headers['retry-after']).toBe('1');
  const { errors } = JSON.parse(answer.body) as { errors: { extensions: { code: string } }[] };
  expect(errors.map((error) => error.extensions.code)).toEqual(['SERVICE_UNAVAILABLE']);
}

/**
 * Starts an import slow enough to outlive the shutdown timeout (a tag on every row sends each
 * row through its own savepoint), and returns once its first batch has committed.
 */
async function startLongImport(client: GraphQLClient): Promise<{ importing: Promise<unknown> }> {
  const created = await client.request(CreateTag, { input: { title: 'Imported' } });
  if (created.createTag.__typename !== 'CreateTagSuccess') throw new Error(created.createTag.__typename);
  const rows = Array.from({ length: rowCount }, (_, index) => ({ givenName: `Row${index}`, familyName: 'Imported' }));
  let answered: unknown;
  const importing = client
    .request(ImportPeople, { input: { rows, tagIds: [created.createTag.tag.id], matchOn: [] } })
    // The server goes away under it: whatever it answers, or nothing, is not what is tested.
    .catch((error: unknown) => error)
    .then((outcome) => (answered = outcome ?? 'answered'));
  for (;;) {
    const { imports } = await client.request(LatestImport);
    // Wrapped: an async function returning the promise itself would wait for it.
    if ((imports.nodes[0]?.createdCount ?? 0) > 0) return { importing };
    if (answered !== undefined) throw new Error(`The import ended before its first batch: ${JSON.stringify(answered)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface ImportRecord {
  status: string;
  totalRows: number;
  createdCount: number;
  failedCount: number;
  finishedAt: Date | null;
}

let store: Store | undefined;
let server: Server | undefined;
afterEach(async () => {
  if (server && server.process.exitCode === null && server.process.signalCode === null) {
    server.process.kill('SIGKILL');
    await server.exited;
  }
  server = undefined;
  await store?.drop();
  store = undefined;
});

describe(`shutdown with an import in flight (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('SIGTERM: the process exits, the import reads back INTERRUPTED with its committed rows, no transaction is left open', async () => {
    store = await createStore();
    const apiKey = await createOrganization(store);
    server = await startServer(store);
    const client = new GraphQLClient(server.url, { headers: { authorization: `Bearer ${apiKey}` } });
    const { importing } = await startLongImport(client);
    // A subscription over SSE on a keep-alive connection: its response is under way (headers
    // sent, saying keep-alive) when the shutdown begins.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const stream = await post(agent, server.url, apiKey, { query: print(PeopleChanged) }, 'text/event-stream');
    expect(stream.status).toBe(200);

    server.process.kill('SIGTERM');
    // The shutdown ends the subscription; the import is still running.
    expect((await stream.answer).body).toContain('event: complete');
    // The next request on that connection is refused before any work, and told to go elsewhere.
    const refused = await postWhole(agent, server.url, apiKey, { query: print(CreatePerson), variables: { input: { familyName: 'AfterSigterm' } } });
    expect(refused.reusedSocket).toBe(true);
    expectRefusedBeforeAnyWork(refused);
    expect(await exitOf(server)).toBe(0);
    // The import is answered, not cut: it stopped between batches and says what it committed.
    const answered = await importing;
    expect(answered).toBeInstanceOf(ClientError);
    const [error] = (answered as ClientError).response.errors!;
    expect(error!.extensions!.code).toBe('SERVICE_UNAVAILABLE');
    expect(error!.message).toMatch(/the import stopped after \d+ rows, which are committed; it is INTERRUPTED/);

    if (onPostgres) {
      const idle = await store.query(
        `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      expect(idle).toEqual([]);
    }
    const [record] = await store.query<ImportRecord & { people: string }>(
      'SELECT *, (SELECT count(*) FROM "Person") AS people FROM "Import"',
    );
    expect(record!.status, server.logs.join('\n')).toBe('INTERRUPTED');
    expect(record!.finishedAt).not.toBeNull();
    // The counts are those of the batches committed, and they are all there: nothing half-done.
    expect(record!.createdCount).toBeGreaterThan(0);
    expect(record!.createdCount).toBeLessThan(rowCount);
    expect(record!.createdCount % 500).toBe(0);
    expect(record!.totalRows).toBe(record!.createdCount);
    expect(record!.failedCount).toBe(0);
    expect(Number(record!.people)).toBe(record!.createdCount);
    expect(error!.message).toContain(`after ${record!.createdCount} rows`);
    // The import outlived the timeout: it was cancelled, not waited for.
    expect(server.logs.some((line) => line.includes('cancelling them'))).toBe(true);
    expect(server.logs.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
  }, 300_000);

  it('kill -9: the import left RUNNING becomes INTERRUPTED, with its committed rows, when a server starts', async () => {
    store = await createStore();
    const apiKey = await createOrganization(store);
    server = await startServer(store);
    let client = new GraphQLClient(server.url, { headers: { authorization: `Bearer ${apiKey}` } });
    const { importing } = await startLongImport(client);

    server.process.kill('SIGKILL');
    await exitOf(server);
    await importing;
    if (onPostgres) {
      // Nothing ran in between: the process that died left it RUNNING.
      const [record] = await store.query<ImportRecord>('SELECT status FROM "Import"');
      expect(record!.status).toBe('RUNNING');
    }

    server = await startServer(store);
    client = new GraphQLClient(server.url, { headers: { authorization: `Bearer ${apiKey}` } });
    // On PGlite the server marks it as it starts; on PostgreSQL, once its heartbeat is older
    // than IMPORT_STALE_AFTER_MS (1 s here), at start or at the next periodic sweep.
    let latest = await client.request(LatestImport);
    for (let tries = 0; latest.imports.nodes[0]!.status === 'RUNNING' && tries < 300; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      latest = await client.request(LatestImport);
    }
    const record = latest.imports.nodes[0]!;
    expect(record.status).toBe('INTERRUPTED');
    expect(record.finishedAt).not.toBeNull();
    expect(record.createdCount).toBeGreaterThan(0);
    expect(record.createdCount).toBeLessThan(rowCount);
    expect(record.totalRows).toBe(record.createdCount);
    expect(latest.people.totalCount).toBe(record.createdCount);
    expect(server.logs.some((line) => line.includes('marked INTERRUPTED'))).toBe(true);

    server.process.kill('SIGTERM');
    expect(await exitOf(server)).toBe(0);
  }, 300_000);
});

/** What one create sent through the shutdown got: only a success may have written. */
interface Outcome {
  familyName: string;
  kind: 'created' | 'refused' | 'network error';
  /** When the answer (or the failure) came, in ms on performance.now()'s clock. */
  at: number;
  detail?: string;
}

describe(`shutdown under keep-alive load (${onPostgres ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('SIGTERM: no write is both committed and answered with a network error, and the process exits as soon as nothing is in flight', async () => {
    const shutdownTimeoutMs = 10_000;
    store = await createStore();
    store.env.SHUTDOWN_TIMEOUT_MS = String(shutdownTimeoutMs);
    const apiKey = await createOrganization(store);
    const running = await startServer(store);
    server = running;
    let exitedAt: number | undefined;
    running.process.once('exit', () => (exitedAt = performance.now()));

    // Each writer is a client with one keep-alive connection, creating people one after another.
    const writers = 6;
    const outcomes: Outcome[] = [];
    const write = async (writer: number) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      for (let index = 0; exitedAt === undefined; index++) {
        const familyName = `Writer${writer}-${index}`;
        let answer: Answer;
        try {
          answer = await postWhole(agent, running.url, apiKey, { query: print(CreatePerson), variables: { input: { familyName } } });
        } catch (error) {
          outcomes.push({ familyName, kind: 'network error', at: performance.now(), detail: String((error as NodeJS.ErrnoException).code ?? error) });
          // The listener is closed: each try is refused at once until the process is gone.
          await new Promise((resolve) => setTimeout(resolve, 5));
          continue;
        }
        const typename = (JSON.parse(answer.body) as { data?: { createPerson?: { __typename: string } } }).data?.createPerson?.__typename;
        if (answer.status === 200 && typename === 'CreatePersonSuccess') {
          outcomes.push({ familyName, kind: 'created', at: performance.now() });
        } else {
          expectRefusedBeforeAnyWork(answer);
          outcomes.push({ familyName, kind: 'refused', at: performance.now() });
        }
      }
      agent.destroy();
    };
    const writing = Promise.all(Array.from({ length: writers }, (_, writer) => write(writer)));
    while (outcomes.filter((outcome) => outcome.kind === 'created').length < 100) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(outcomes.filter((outcome) => outcome.kind !== 'created')).toEqual([]);

    const sigtermAt = performance.now();
    running.process.kill('SIGTERM');
    expect(await exitOf(running)).toBe(0);
    await writing;

    const rows = await store.query<{ familyName: string }>('SELECT "familyName" FROM "Person"');
    const written = new Set(rows.map((row) => row.familyName));
    const created = outcomes.filter((outcome) => outcome.kind === 'created');
    // A success was written; a refusal or a network error was not: the client can tell, and a
    // retry makes no duplicate.
    expect(created.filter((outcome) => !written.has(outcome.familyName))).toEqual([]);
    expect(outcomes.filter((outcome) => outcome.kind !== 'created' && written.has(outcome.familyName))).toEqual([]);
    expect(written.size).toBe(created.length);

    // The requests in flight at SIGTERM finished, and the process went as soon as the last
    // answer was out, instead of serving the keep-alive connections until SHUTDOWN_TIMEOUT_MS
    // (and then cutting them, and waiting the cancel grace). The issue asks for the exit within
    // a second of the last request; 3 s of slack covers a busy 2-core machine (closing the
    // database comes in between), and is still far below the 10 s + 5 s the old shutdown took.
    const lastAnswerAt = Math.max(...outcomes.filter((outcome) => outcome.kind !== 'network error').map((outcome) => outcome.at));
    const figures = `exit ${Math.round(exitedAt! - sigtermAt)} ms after SIGTERM, ${Math.round(exitedAt! - lastAnswerAt)} ms after the last answer`;
    expect(exitedAt! - lastAnswerAt, figures).toBeLessThan(3_000);
    expect(exitedAt! - sigtermAt, figures).toBeLessThan(shutdownTimeoutMs);
    expect(running.logs.some((line) => line.includes('cancelling them'))).toBe(false);
  }, 300_000);
});
