import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { quoteIdent } from '../../src/db/migrate.ts';

export const root = path.resolve(import.meta.dirname, '../..');

/**
 * A database of its own for a server process and the commands run beside it, as a newcomer has
 * one: a fresh PostgreSQL database next to TEST_DATABASE_URL's when it is set, else a fresh
 * data directory for the embedded PGlite. `env` is what the server and the commands get.
 */
export interface FreshDatabase {
  env: NodeJS.ProcessEnv;
  drop(): Promise<void>;
}

export async function freshDatabase(): Promise<FreshDatabase> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'people-gateway-'));
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  delete env.DATABASE_URL;
  const external = process.env.TEST_DATABASE_URL;
  if (!external) return { env, drop: () => rm(dataDir, { recursive: true, force: true }) };

  const name = `people_gateway_${randomBytes(6).toString('hex')}`;
  await adminQuery(external, `CREATE DATABASE ${quoteIdent(name)}`);
  const url = new URL(external);
  url.pathname = `/${name}`;
  env.DATABASE_URL = url.toString();
  return {
    env,
    async drop() {
      await adminQuery(external, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function adminQuery(databaseUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface ServerProcess {
  /** http://127.0.0.1:<port>, the server's origin. */
  origin: string;
  stop(): Promise<void>;
  /** kill -9: the process ends at once, with whatever it had in flight. */
  kill(): Promise<void>;
}

/** The server from its sources (src/index.ts under tsx) on a free port of 127.0.0.1. */
export function startServerProcess(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/index.ts'], {
    cwd: root,
    env: { ...env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const logs: string[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      for (const line of chunk.split('\n').filter((text) => text.startsWith('{'))) {
        logs.push(line);
        const entry = JSON.parse(line) as { msg: string; url?: string };
        if (entry.msg === 'server listening') {
          resolve({
            origin: new URL(entry.url!).origin.replace('localhost', '127.0.0.1'),
            async stop() {
              child.kill('SIGTERM');
              await exited;
            },
            async kill() {
              child.kill('SIGKILL');
              await exited;
            },
          });
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${logs.join('\n')}`)));
  });
}

/** Runs a command with bash, like a person pasting it into a terminal at the repository's root. */
export function runBash(
  script: string,
  env: NodeJS.ProcessEnv,
  cwd = root,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-c', script], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
