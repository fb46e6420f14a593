import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type FreshDatabase, freshDatabase, root, type ServerProcess, startServerProcess } from '../support/server-process.ts';

/**
 * The Dockerfile and compose.yaml, checked for what can be checked without Docker (no daemon
 * runs where this suite does): the scripts and paths they name exist, the command they run is
 * what `npm start` runs, and the image's HEALTHCHECK command works against a real server.
 */
const file = (name: string) => readFileSync(path.join(root, name), 'utf8');

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
const instructions = file('Dockerfile')
  .replace(/\\\n\s*/g, '')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'))
  .map((line) => {
    const [keyword, ...rest] = line.trim().split(/\s+/);
    return { keyword: keyword!.toUpperCase(), args: rest.join(' ') };
  });
const argsOf = (keyword: string) => instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.args);
const scripts = (JSON.parse(file('package.json')) as { scripts: Record<string, string> }).scripts;
const buildOptions = (JSON.parse(file('tsconfig.build.json').replace(/^\s*\/\/.*$/gm, '')) as { compilerOptions: { outDir: string; rootDir: string } })
  .compilerOptions;

/** The source file `tsc -p tsconfig.build.json` compiles to a dist/ path. */
function sourceOf(distPath: string): string {
  expect(distPath.startsWith(`${buildOptions.outDir}/`)).toBe(true);
  return path.join(root, buildOptions.rootDir, distPath.slice(buildOptions.outDir.length + 1).replace(/\.js$/, '.ts'));
}

/** A JSON-form CMD, after HEALTHCHECK's options when there are some. */
function execForm(args: string): string[] {
  return JSON.parse(args.slice(args.indexOf('['))) as string[];
}

describe('Dockerfile', () => {
  it('runs only npm scripts that exist, with npm ci before them', () => {
    const runs = argsOf('RUN').join(' && ');
    const named = [...runs.matchAll(/npm run (?:-s )?([\w:-]+)/g)].map((match) => match[1]!);
    expect(named).toEqual(expect.arrayContaining(['generate', 'build']));
    for (const script of named) expect(scripts, script).toHaveProperty(script);
    expect(runs.indexOf('npm ci')).toBeLessThan(runs.indexOf('npm run'));
  });

  it('copies from the repository only what is there, and leaves generated and local files out', () => {
    for (const copy of argsOf('COPY').filter((args) => !args.startsWith('--from'))) {
      const sources = copy.split(/\s+/).slice(0, -1).filter((source) => source !== '.');
      for (const source of sources) expect(existsSync(path.join(root, source)), source).toBe(true);
    }
    const ignored = file('.dockerignore').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'src/generated', '.data']));
  });

  it('runs the compiled server as npm start does, with what the build stage made, as a non-root user', () => {
    const copied = argsOf('COPY')
      .filter((args) => args.startsWith('--from=build'))
      .map((args) => args.split(/\s+/)[1]!);
    expect(copied).toEqual(expect.arrayContaining(['/app/dist', '/app/node_modules', '/app/prisma', '/app/package.json']));
    expect(existsSync(path.join(root, 'prisma/migrations'))).toBe(true);

    const command = execForm(argsOf('CMD').at(-1)!);
    expect(command[0]).toBe('node');
    expect(existsSync(sourceOf(command.at(-1)!))).toBe(true);
    // The same node flags and entry point as `npm start`.
    expect(scripts.start).toBe(`exec ${command.join(' ')}`);
    expect(argsOf('USER').at(-1)).toBe('node');
  });

  it("builds and runs on the Node major that package.json's engines and .nvmrc name", () => {
    const major = /^>=(\d+)$/.exec((JSON.parse(file('package.json')) as { engines: { node: string } }).engines.node)![1]!;
    expect(file('.nvmrc').trim()).toBe(major);
    const images = argsOf('FROM').map((args) => args.split(/\s+/)[0]);
    expect(images).toEqual([`node:${major}-bookworm-slim`, `node:${major}-bookworm-slim`]);
    // The suite itself runs on that Node (CI installs it when the machine's node is older).
    expect(process.versions.node.split('.')[0]).toBe(major);
  });
});

describe('the image HEALTHCHECK', () => {
  let database: FreshDatabase;
  let server: ServerProcess;
  const healthcheck = execForm(argsOf('HEALTHCHECK')[0]!);

  beforeAll(async () => {
    database = await freshDatabase();
    server = await startServerProcess(database.env);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  function runHealthcheck(port: string): Promise<number | null> {
    const child = spawn(healthcheck[0]!, healthcheck.slice(1), { env: { ...process.env, PORT: port }, stdio: 'ignore' });
    return new Promise((resolve) => child.once('exit', resolve));
  }

  it('passes against a running server (GET /readyz) and fails where none answers', async () => {
    expect(healthcheck.join(' ')).toContain('/readyz');
    expect(await runHealthcheck(new URL(server.origin).port)).toBe(0);
    expect(await runHealthcheck('1')).toBe(1);
  });
});

describe('compose.yaml', () => {
  const compose = parseYaml(file('compose.yaml')) as {
    services: Record<string, { build?: string; image?: string; environment?: Record<string, string> }>;
  };

  it('runs the server from this Dockerfile over its PostgreSQL and Redis', () => {
    const { server, postgres, redis } = compose.services;
    expect(server?.build).toBe('.');
    expect(postgres?.image).toMatch(/^postgres:/);
    expect(redis?.image).toMatch(/^redis:/);
    const databaseUrl = new URL(server!.environment!.DATABASE_URL!);
    expect(databaseUrl.hostname).toBe('postgres');
    expect(databaseUrl.pathname).toBe(`/${postgres!.environment!.POSTGRES_DB}`);
    expect(databaseUrl.username).toBe(postgres!.environment!.POSTGRES_USER);
    expect(databaseUrl.password).toBe(postgres!.environment!.POSTGRES_PASSWORD);
    expect(new URL(server!.environment!.REDIS_URL!).hostname).toBe('redis');
  });

  it('names a key command that the build makes', () => {
    const command = /docker compose exec server node (\S+)/.exec(file('compose.yaml'))![1]!;
    expect(existsSync(sourceOf(command))).toBe(true);
  });
});
