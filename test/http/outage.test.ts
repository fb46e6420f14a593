import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { createPrismaClient, type PrismaClient } from '../../src/db/prisma.ts';
import { createOrganization, createUser } from '../../src/accounts/account-service.ts';
import { type App, createApp } from '../../src/yoga.ts';
import { dropSchema } from '../support/app.ts';
import { captureLogs, errorLinesFor, type LogEntry } from '../support/log-capture.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';

/**
 * The database going away under a running app: the app reaches it through a TCP proxy that the
 * test closes (the shared database itself keeps running), then opens again.
 */
const databaseUrl = inject('databaseUrl');
const schema = `test_${randomBytes(6).toString('hex')}`;
let proxy: TcpProxy;
let direct: PrismaClient;
let prisma: PrismaClient;
let app: App;
let entries: LogEntry[];
/** A key the app has already seen (its cache knows it) and one it has not. */
let knownKey: string;
let unseenKey: string;
let personId: string;

beforeAll(async () => {
  await migrate({ connectionString: databaseUrl, schema });
  const embedded = inject('embedded');
  direct = createPrismaClient({ url: databaseUrl, schema, poolSize: 1 });
  const org = await createOrganization(direct, { name: 'Acme' });
  knownKey = org.apiKey;
  unseenKey = (await createUser(direct, { organizationId: org.organizationId, email: 'u@acme.org', role: 'EDITOR' })).apiKey;
  // Only one connection on PGlite at a time (one session behind its socket).
  await direct.$disconnect();
  proxy = await startTcpProxy(databaseUrl);
  prisma = createPrismaClient({
    url: proxy.url,
    schema,
    poolSize: embedded ? 1 : 4,
    preparedStatements: !embedded,
    // Short, so that the test of a database that hangs does not wait the default 10 s.
    connectionTimeoutMs: 1_000,
  });
  const captured = captureLogs();
  entries = captured.entries;
  app = createApp({ prisma, log: captured.log, dbSchema: schema });
  const created = await graphqlPost(knownKey, 'mutation { createPerson(input: { familyName: "Before" }) { ... on CreatePersonSuccess { person { id } } } }');
  expect(created.status).toBe(200);
  personId = ((await created.json()) as { data: { createPerson: { person: { id: string } } } }).data.createPerson.person.id;
});

afterAll(async () => {
  await prisma?.$disconnect();
  await proxy?.open().catch(() => {});
  await dropSchema(databaseUrl, schema);
});

let requestCounter = 0;
function newRequestId(): string {
  return `outage-${process.pid}-${++requestCounter}`;
}

async function graphqlPost(apiKey: string, query: string, requestId = newRequestId()): Promise<Response> {
  return app.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, 'x-request-id': requestId },
    body: JSON.stringify({ query }),
  });
}

interface ErrorBody {
  data?: unknown;
  errors: { message: string; extensions: Record<string, unknown> }[];
}

/** 503, Retry-After, SERVICE_UNAVAILABLE with the request id, and one error line in the log with the cause. */
async function expectUnavailable(response: Response, requestId: string): Promise<ErrorBody> {
  expect(response.status).toBe(503);
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
  expect(response.headers.get('x-request-id')).toBe(requestId);
  const body = (await response.json()) as ErrorBody;
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0]!.extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', requestId });
  expect(body.errors[0]!.message).toMatch(/database cannot be reached/);
  expectOneErrorLine(requestId);
  return body;
}

function expectOneErrorLine(requestId: string): LogEntry {
  const lines = errorLinesFor(entries, requestId);
  expect(lines).toHaveLength(1);
  // The cause, as pino serialises an error: its type, message and stack.
  expect(lines[0]!.fields.error).toMatchObject({ type: expect.any(String), message: expect.any(String), stack: expect.any(String) });
  return lines[0]!;
}

const peopleQuery = '{ people(first: 5) { edges { node { id familyName } } } }';

describe('the database cannot be reached', () => {
  it('answers 503 SERVICE_UNAVAILABLE with Retry-After, logs each request once with its id, and recovers', async () => {
    await proxy.close();

    // The key lookup fails in the context factory, outside execution.
    const unseen = newRequestId();
    await expectUnavailable(await graphqlPost(unseenKey, peopleQuery, unseen), unseen);
    expect(entries.find((entry) => entry.fields.requestId === unseen)?.msg).toBe('database unavailable');

    // A known key is cached: the query fails inside execution.
    const known = newRequestId();
    const body = await expectUnavailable(await graphqlPost(knownKey, peopleQuery, known), known);
    expect(body.data).toBeNull();

    const write = newRequestId();
    await expectUnavailable(
      await graphqlPost(knownKey, 'mutation { createPerson(input: { familyName: "During" }) { __typename } }', write),
      write,
    );

    const avatar = newRequestId();
    const avatarResponse = await app.fetch(`http://test/avatars/${encodeURIComponent(personId)}`, {
      headers: { authorization: `Bearer ${unseenKey}`, 'x-request-id': avatar },
    });
    await expectUnavailable(avatarResponse, avatar);

    const ready = newRequestId();
    const readyResponse = await app.fetch('http://test/readyz', { headers: { 'x-request-id': ready } });
    expect(readyResponse.status).toBe(503);
    expect(readyResponse.headers.get('retry-after')).not.toBeNull();
    expect(await readyResponse.json()).toEqual({ status: 'database unavailable', requestId: ready });
    expectOneErrorLine(ready);

    await proxy.open();
    const after = await graphqlPost(unseenKey, peopleQuery);
    expect(after.status).toBe(200);
    // Nothing of the write made during the outage was kept.
    expect(await after.json()).toEqual({ data: { people: { edges: [{ node: { id: personId, familyName: 'Before' } }] } } });
    expect((await app.fetch('http://test/readyz')).status).toBe(200);
  });
});

describe('a database that accepts connections and never answers', () => {
  it('fails the request as SERVICE_UNAVAILABLE once the connection timeout passes, instead of hanging', async () => {
    proxy.hang();
    try {
      const requestId = newRequestId();
      await expectUnavailable(await graphqlPost(unseenKey, peopleQuery, requestId), requestId);
    } finally {
      proxy.resume();
    }
    expect((await graphqlPost(unseenKey, peopleQuery)).status).toBe(200);
  });
});

describe('any masked error', () => {
  it('is logged once at error level with its request id and cause, also from the key lookup', async () => {
    // A stand-in for a bug: the app over a schema without tables, so the key lookup itself fails
    // (in the context factory, before execution) for a reason that is not an outage.
    const captured = captureLogs();
    const broken = createPrismaClient({ url: proxy.url, schema: `${schema}_missing`, poolSize: 1 });
    try {
      const brokenApp = createApp({ prisma: broken, log: captured.log, dbSchema: `${schema}_missing` });
      const requestId = newRequestId();
      const response = await brokenApp.fetch('http://test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${knownKey}`, 'x-request-id': requestId },
        body: JSON.stringify({ query: peopleQuery }),
      });
      expect(response.status).toBe(500);
      const body = (await response.json()) as ErrorBody;
      expect(body.errors).toEqual([
        { message: `Unexpected error. Quote request id ${requestId} when reporting it.`, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } },
      ]);
      const lines = errorLinesFor(captured.entries, requestId);
      expect(lines).toHaveLength(1);
      expect(lines[0]!.msg).toBe('unexpected error');
      expect(String((lines[0]!.fields.error as { message: string }).message)).toMatch(/does not exist/);
    } finally {
      await broken.$disconnect();
    }
  });
});
