import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPerson } from './client-example.ts';
import {
  codeBlocks,
  documentationFiles,
  documentSection,
  headingAnchors,
  linkTarget,
  readDocument,
  relativeLinks,
  sourcePaths,
  tableRows,
  withLinksFromRoot,
} from './support/readme.ts';
import { type FreshDatabase, freshDatabase, root, runBash, type ServerProcess, startServerProcess } from './support/server-process.ts';

/**
 * The README's first steps and the typed client of docs/clients.md, run as a newcomer pastes them:
 * their shell blocks with bash against a real server on a database of its own. Only the host and
 * port are replaced (the documents' `http://localhost:4000` is the server's real, free port); the
 * key comes from the README's own commands. Then what keeps the README and docs/ consistent: their
 * links resolve, and the README's settings are those of the full table.
 */
let database: FreshDatabase;
let server: ServerProcess;

beforeAll(async () => {
  database = await freshDatabase();
  server = await startServerProcess(database.env);
});

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe('README: A first query', () => {
  const section = documentSection('README.md', 'A first query');

  it('its shell commands work pasted, one after the other', { timeout: 120_000 }, async () => {
    const commands = codeBlocks(section, 'sh');
    expect(commands.length).toBeGreaterThanOrEqual(3);
    const script = ['set -euo pipefail', ...commands, 'echo "KEY=$KEY"']
      .join('\n')
      .replaceAll('http://localhost:4000', server.origin);
    const { code, stdout, stderr } = await runBash(script, database.env);
    expect(code, stderr).toBe(0);
    const lines = stdout.trim().split('\n');
    const json = lines.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    // org:create, user:create, createPerson, people
    expect(json).toHaveLength(4);
    expect(json[0]).toEqual({ organizationId: expect.any(String), apiKey: expect.stringMatching(/^pgw_/) });
    expect(json[1]).toEqual({ userId: expect.any(String), apiKey: expect.stringMatching(/^pgw_/) });
    expect(json[2]).toMatchObject({
      data: {
        createPerson: {
          __typename: 'CreatePersonSuccess',
          person: { fullName: 'Stella Altois', primaryEmail: 'stella@example.org', primaryCompany: { name: 'Tech Corp' } },
        },
      },
    });
    expect(json[3]).toMatchObject({
      data: { people: { totalCount: 1, edges: [{ node: { fullName: 'Stella Altois', emails: ['stella@example.org'] } }] } },
    });
    expect(lines.at(-1)).toBe(`KEY=${(json[0] as { apiKey: string }).apiKey}`);
  });

  it('its GraphiQL operation and variables are valid and run', async () => {
    const [operation] = codeBlocks(section, 'graphql');
    const [variables] = codeBlocks(section, 'json');
    const schema = buildSchema(readFileSync(path.join(root, 'schema.graphql'), 'utf8'));
    expect(validate(schema, parse(operation!))).toEqual([]);
    const org = await runBash('npm run -s org:create -- --name "Acme GraphiQL"', database.env);
    const { apiKey } = JSON.parse(org.stdout) as { apiKey: string };
    const response = await fetch(`${server.origin}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: operation, variables: JSON.parse(variables!) as unknown }),
    });
    expect(await response.json()).toMatchObject({
      data: { createPerson: { __typename: 'CreatePersonSuccess', person: { fullName: 'Stella Altois' } } },
    });
  });
});

describe('docs/clients.md: Typed client', () => {
  const section = documentSection('docs/clients.md', 'Typed client');
  const [config, example] = codeBlocks(section, 'ts');
  const repositoryFile = (name: string) => readFileSync(path.join(root, name), 'utf8');
  const withoutComments = (code: string) => code.replace(/^[ \t]*\/\/.*\n/gm, '');

  it("gives this repository's codegen.ts, for src/ where the tests have test/", () => {
    const forTests = config!.replaceAll('src/gql/', 'test/generated/').replaceAll("'src/", "'test/");
    expect(withoutComments(forTests)).toBe(withoutComments(repositoryFile('codegen.ts')));
  });

  it('gives the code of test/client-example.ts, importing the generated folder of the config', () => {
    expect(example!.replace("from './gql/index.js'", "from './generated/index.js'")).toBe(repositoryFile('test/client-example.ts'));
  });

  it('gives a tsconfig with the module resolution this repository compiles the example with', () => {
    const [tsconfig] = codeBlocks(section, 'json');
    const options = (JSON.parse(tsconfig!) as { compilerOptions: Record<string, unknown> }).compilerOptions;
    const ours = (JSON.parse(repositoryFile('tsconfig.json')) as { compilerOptions: Record<string, unknown> }).compilerOptions;
    expect([options.module, options.moduleResolution]).toEqual([ours.module, ours.moduleResolution]);
  });

  it('sets up a client app that generates and compiles: its codegen.ts, tsconfig.json and example as they are', { timeout: 120_000 }, async () => {
    const [tsconfig] = codeBlocks(section, 'json');
    const app = await mkdtemp(path.join(tmpdir(), 'people-gateway-client-'));
    try {
      await symlink(path.join(root, 'node_modules'), path.join(app, 'node_modules'), 'dir');
      await mkdir(path.join(app, 'src'));
      await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'client', private: true, type: 'module' }));
      await writeFile(path.join(app, 'schema.graphql'), repositoryFile('schema.graphql'));
      await writeFile(path.join(app, 'codegen.ts'), config!);
      await writeFile(path.join(app, 'tsconfig.json'), tsconfig!);
      await writeFile(path.join(app, 'src/people.ts'), example!);
      const generated = await runBash('node_modules/.bin/graphql-codegen --config codegen.ts', { ...process.env }, app);
      expect(generated.code, generated.stderr + generated.stdout).toBe(0);
      const compiled = await runBash('node_modules/.bin/tsc -p . --noEmit', { ...process.env }, app);
      expect(compiled.code, compiled.stdout).toBe(0);
    } finally {
      await rm(app, { recursive: true, force: true });
    }
  });

  it('runs against the server, each case of the union', async () => {
    const org = await runBash('npm run -s org:create -- --name "Acme typed"', database.env);
    const { apiKey } = JSON.parse(org.stdout) as { apiKey: string };
    const client = new GraphQLClient(`${server.origin}/graphql`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(await addPerson(client, 'Stella', 'Altois')).toBe('created Stella Altois');
    expect(await addPerson(client, 'Stella', ' ')).toMatch(/^invalid: input\.familyName: /);
  });
});

describe('README and docs/', () => {
  it.each(documentationFiles())('%s: every relative link leads to a file, and an anchor to a heading of it', (file) => {
    const broken = relativeLinks(readDocument(file)).filter((link) => {
      const target = linkTarget(file, link);
      if (!existsSync(path.join(root, target.file))) return true;
      return target.anchor !== undefined && target.file.endsWith('.md') && !headingAnchors(readDocument(target.file)).has(target.anchor);
    });
    expect(broken).toEqual([]);
  });

  it.each(documentationFiles())('%s: every path under src/ and test/ it names exists', (file) => {
    // The typed client's own app has a src/ of its own: its generated folder and example.
    const clientApp = new Set(['src/gql/', 'src/gql/persisted-documents.json', 'src/people.ts']);
    const missing = sourcePaths(readDocument(file)).filter((named) => !clientApp.has(named) && !existsSync(path.join(root, named)));
    expect(missing).toEqual([]);
  });

  it('the README links every page of docs/', () => {
    const linked = new Set(relativeLinks(readDocument('README.md')).map((link) => linkTarget('README.md', link).file));
    expect(documentationFiles().filter((file) => file !== 'README.md' && !linked.has(file))).toEqual([]);
  });

  it("the README's essential settings are rows of docs/operations.md's full table, as they are there", () => {
    const essential = tableRows(withLinksFromRoot('README.md', documentSection('README.md', 'Settings')));
    const all = tableRows(withLinksFromRoot('docs/operations.md', documentSection('docs/operations.md', 'Configuration')));
    expect(essential.size).toBeGreaterThanOrEqual(5);
    for (const [variable, row] of essential) expect(row, variable).toBe(all.get(variable));
  });
});
