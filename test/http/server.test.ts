import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';

/**
 * The real thing, as a newcomer runs it: `npm start` on the embedded database in a data
 * directory, the org:create and user:create commands beside it, a client over a real port,
 * SIGTERM, and a restart that finds the data again.
 */
const root = path.resolve(import.meta.dirname, '../..');
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'people-gateway-'));
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

function environment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' };
  delete env.DATABASE_URL;
  return env;
}

interface Server {
  /** npm, which started the server. */
  process: ChildProcess;
  url: string;
  /** The server's own process. */
  pid: number;
  logs: string[];
}

/**
 * `npm start` itself, so the test covers what a newcomer and a process manager run: it builds
 * dist/ (prestart) and then runs the compiled server with node; the SIGTERM goes to npm.
 */
function startServer(): Promise<Server> {
  const child = spawn('npm', ['start'], { cwd: root, env: environment() });
  const logs: string[] = [];
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      // The server's own lines are JSON; npm may add a warning of its own.
      for (const line of chunk.split('\n').filter((text) => text.startsWith('{'))) {
        logs.push(line);
        const entry = JSON.parse(line) as { msg: string; url?: string; pid?: number };
        if (entry.msg === 'server listening') resolve({ process: child, url: entry.url!, pid: entry.pid!, logs });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${logs.join('\n')}`)));
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function stopServer(server: Server): Promise<number | null> {
  return new Promise((resolve) => {
    server.process.once('exit', (code) => resolve(code));
    server.process.kill('SIGTERM');
  });
}

function runScript(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', `src/scripts/${script}.ts`, ...args], {
    cwd: root,
    env: environment(),
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

const CreatePerson = graphql(`
  mutation ServerCreatePerson($input: PersonInput!) {
    createPerson(input: $input) { __typename ... on CreatePersonSuccess { person { id fullName } } }
  }
`);
const CountPeople = graphql(`query ServerCountPeople { people(first: 10) { totalCount edges { node { fullName } } } viewer { role } }`);

describe('the server process on the embedded database', () => {
  it('serves, takes keys made beside it, stops cleanly on SIGTERM and keeps its data', async () => {
    const server = await startServer();
    try {
      const org = await runScript('org-create', ['--name', 'Acme']);
      expect(org.code, org.stderr).toBe(0);
      const { organizationId, apiKey } = JSON.parse(org.stdout) as { organizationId: string; apiKey: string };
      expect(apiKey).toMatch(/^pgw_/);

      const user = await runScript('user-create', ['--org', organizationId, '--email', 'viewer@acme.org', '--role', 'viewer']);
      expect(user.code, user.stderr).toBe(0);
      const viewerKey = (JSON.parse(user.stdout) as { apiKey: string }).apiKey;

      const bad = await runScript('user-create', ['--org', organizationId, '--email', 'x@acme.org', '--role', 'boss']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/--role must be one of admin, editor, viewer/);

      const admin = new GraphQLClient(server.url, { headers: { authorization: `Bearer ${apiKey}` } });
      const created = await admin.request({ document: CreatePerson, variables: { input: { givenName: 'Stella', familyName: 'Altois' } } });
      expect(created.createPerson.__typename).toBe('CreatePersonSuccess');

      const viewer = new GraphQLClient(server.url, { headers: { authorization: `Bearer ${viewerKey}` } });
      const seen = await viewer.request({ document: CountPeople });
      expect(seen).toEqual({ people: { totalCount: 1, edges: [{ node: { fullName: 'Stella Altois' } }] }, viewer: { role: 'VIEWER' } });
    } finally {
      expect(await stopServer(server)).toBe(0);
    }
    expect(server.logs.some((line) => line.includes('"msg":"stopped"'))).toBe(true);
    // npm handed the signal to the server it started, which is gone with it.
    expect(isAlive(server.pid)).toBe(false);

    // With the server stopped, the command opens the data directory itself.
    const second = await runScript('org-create', ['--name', 'Second']);
    expect(second.code, second.stderr).toBe(0);

    const restarted = await startServer();
    try {
      const { apiKey } = JSON.parse(second.stdout) as { apiKey: string };
      const client = new GraphQLClient(restarted.url, { headers: { authorization: `Bearer ${apiKey}` } });
      expect((await client.request({ document: CountPeople })).people.totalCount).toBe(0);
      const health = await fetch(restarted.url.replace('/graphql', '/readyz'));
      expect(health.status).toBe(200);
    } finally {
      expect(await stopServer(restarted)).toBe(0);
    }
  }, 300_000);
});
