import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generate } from '@graphql-codegen/cli';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { loadTrustedDocuments, type TrustedDocuments } from '../../src/http/persisted-documents.ts';
import { type App, createApp } from '../../src/yoga.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { allPayloads } from '../support/incremental.ts';
import { captureLogs } from '../support/log-capture.ts';

// Trusted documents: a manifest written by GraphQL Code Generator's client preset
// (persistedDocuments: true), generated here from a few documents, as a client project would;
// and automatic persisted queries. Both through HTTP, with the requests clients send.

// Plain strings in .graphql files of a temporary project, not graphql(...) documents: they are
// the client's, not this test suite's.
const clientDocuments = {
  'person.graphql': 'query TrustedPerson($id: ID!) {\n  person(id: $id) { id fullName }\n}\n',
  'create.graphql':
    'mutation TrustedCreatePerson($input: PersonInput!) {\n  createPerson(input: $input) {\n    __typename\n    ... on CreatePersonSuccess { person { id fullName } }\n  }\n}\n',
  'timeline.graphql':
    'query TrustedPersonTimeline($id: ID!) {\n  person(id: $id) {\n    id\n    ... @defer { timeline(first: 5) { totalCount } }\n  }\n}\n',
};

let test: TestApp;
let acme: TestClient;
let clientDir: string;
let manifestPath: string;
let manifest: Record<string, string>;
let trusted: App;
const logs = captureLogs();

/** The manifest's hash of the operation with this name. */
function hashOf(operationName: string): string {
  const entry = Object.entries(manifest).find(([, document]) => document.includes(`${operationName}(`) || document.includes(`${operationName} `));
  if (!entry) throw new Error(`${operationName} is not in the manifest`);
  return entry[0];
}

async function post(app: App, body: object, { accept = 'application/graphql-response+json', key = acme.apiKey } = {}) {
  const response = await app.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  return response;
}

async function postJson(app: App, body: object) {
  const response = await post(app, body);
  return { status: response.status, body: (await response.json()) as { data?: Record<string, unknown>; errors?: { message: string; extensions?: Record<string, unknown> }[] } };
}

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
  clientDir = await mkdtemp(path.join(tmpdir(), 'pgw-client-'));
  for (const [name, text] of Object.entries(clientDocuments)) await writeFile(path.join(clientDir, name), text);
  // What a client project's codegen.ts says, run programmatically against the committed schema.
  await generate(
    {
      schema: path.resolve('schema.graphql'),
      documents: path.join(clientDir, '*.graphql'),
      silent: true,
      generates: { [path.join(clientDir, 'gql') + path.sep]: { preset: 'client', presetConfig: { persistedDocuments: true } } },
    },
    true,
  );
  manifestPath = path.join(clientDir, 'gql', 'persisted-documents.json');
  manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as Record<string, string>;
  trusted = createApp({ prisma: test.prisma, log: logs.log, dbSchema: test.schema, trustedDocuments: await loadTrustedDocuments(manifestPath) });
});

afterAll(async () => {
  await test?.close();
  if (clientDir) await rm(clientDir, { recursive: true, force: true });
});

describe('trusted documents (TRUSTED_DOCUMENTS)', () => {
  let personId: string;

  it('the client preset writes one sha256 per document', () => {
    expect(Object.keys(manifest)).toHaveLength(3);
    for (const [hash, document] of Object.entries(manifest)) {
      expect(hash).toBe(`sha256:${createHash('sha256').update(document).digest('hex')}`);
    }
  });

  it('runs a listed document sent by documentId, as the client preset hashes it', async () => {
    const created = await postJson(trusted, {
      documentId: hashOf('TrustedCreatePerson'),
      variables: { input: { givenName: 'Stella', familyName: 'Altois' } },
    });
    expect(created.status).toBe(200);
    const payload = created.body.data!.createPerson as { __typename: string; person: { id: string; fullName: string } };
    expect(payload).toMatchObject({ __typename: 'CreatePersonSuccess', person: { fullName: 'Stella Altois' } });
    personId = payload.person.id;

    const read = await postJson(trusted, { documentId: hashOf('TrustedPerson'), variables: { id: personId } });
    expect(read.body).toEqual({ data: { person: { id: personId, fullName: 'Stella Altois' } } });
  });

  it('runs it by Apollo\'s extensions.persistedQuery.sha256Hash (the bare hex) and by GET', async () => {
    const hex = hashOf('TrustedPerson').slice('sha256:'.length);
    const byExtension = await postJson(trusted, { variables: { id: personId }, extensions: { persistedQuery: { version: 1, sha256Hash: hex } } });
    expect(byExtension.body).toEqual({ data: { person: { id: personId, fullName: 'Stella Altois' } } });

    const url = new URL('http://test/graphql');
    url.searchParams.set('documentId', hashOf('TrustedPerson'));
    url.searchParams.set('variables', JSON.stringify({ id: personId }));
    const byGet = await trusted.fetch(url, { headers: { authorization: `Bearer ${acme.apiKey}`, accept: 'application/json' } });
    expect(byGet.status).toBe(200);
    expect(await byGet.json()).toEqual({ data: { person: { id: personId, fullName: 'Stella Altois' } } });
  });

  it('delivers a listed deferred document incrementally', async () => {
    const response = await post(trusted, { documentId: hashOf('TrustedPersonTimeline'), variables: { id: personId } }, { accept: 'multipart/mixed' });
    const payloads = await allPayloads(response);
    expect(payloads[0]).toEqual({ data: { person: { id: personId } }, hasNext: true });
    expect(payloads.flatMap((payload) => payload.incremental ?? [])).toEqual([{ data: { timeline: { totalCount: 1 } }, path: ['person'] }]);
  });

  it('refuses a document sent as text, listed or not: 403 PERSISTED_QUERY_ONLY', async () => {
    for (const query of [manifest[hashOf('TrustedPerson')]!, '{ people(first: 100) { totalCount } }']) {
      const refused = await postJson(trusted, { query, variables: { id: personId } });
      expect(refused.status).toBe(403);
      expect(refused.body.data).toBeUndefined();
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ message: expect.stringContaining('only trusted documents'), extensions: { code: 'PERSISTED_QUERY_ONLY' } }),
      ]);
    }
  });

  it('refuses an unknown hash (400 PERSISTED_QUERY_NOT_IN_LIST) and a request with neither (400 PERSISTED_QUERY_ID_REQUIRED)', async () => {
    const unknown = await postJson(trusted, { documentId: `sha256:${'0'.repeat(64)}` });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors?.[0]?.extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_IN_LIST' });
    const neither = await postJson(trusted, { variables: {} });
    expect(neither.status).toBe(400);
    expect(neither.body.errors?.[0]?.extensions).toEqual({ code: 'PERSISTED_QUERY_ID_REQUIRED' });
  });

  it('a manifest whose hash is not its document\'s stops the start', async () => {
    const tampered = path.join(clientDir, 'tampered.json');
    await writeFile(tampered, JSON.stringify({ [hashOf('TrustedPerson')]: '{ people(first: 100) { totalCount } }' }));
    await expect(loadTrustedDocuments(tampered)).rejects.toThrow(/is not the sha256 of its document/);
    await writeFile(tampered, '["not", "a manifest"]');
    await expect(loadTrustedDocuments(tampered)).rejects.toThrow(/must be a JSON object/);
  });

  it('logged nothing at error level', () => {
    expect(logs.entries.filter((entry) => entry.level === 'error')).toEqual([]);
  });
});

describe('automatic persisted queries (APQ=true)', () => {
  const document = 'query ApqPeople { people(first: 5) { totalCount } }';
  const hash = createHash('sha256').update(document).digest('hex');
  const persistedQuery = (sha256Hash: string) => ({ extensions: { persistedQuery: { version: 1, sha256Hash } } });

  it('misses a hash it does not know, registers it with its document, then runs it by hash alone', async () => {
    const app = createApp({ prisma: test.prisma, log: logs.log, dbSchema: test.schema, apq: true });
    const miss = await postJson(app, persistedQuery(hash));
    expect(miss.status).toBe(404);
    expect(miss.body.errors).toEqual([expect.objectContaining({ message: 'PersistedQueryNotFound', extensions: { code: 'PERSISTED_QUERY_NOT_FOUND' } })]);

    const registered = await postJson(app, { query: document, ...persistedQuery(hash) });
    expect(registered.body).toEqual({ data: { people: { totalCount: 1 } } });

    const byHash = await postJson(app, persistedQuery(hash));
    expect(byHash.status).toBe(200);
    expect(byHash.body).toEqual({ data: { people: { totalCount: 1 } } });
  });

  it('refuses a hash that is not its document\'s, and remembers nothing under it', async () => {
    const app = createApp({ prisma: test.prisma, log: logs.log, dbSchema: test.schema, apq: true });
    const wrong = 'f'.repeat(64);
    const mismatch = await postJson(app, { query: document, ...persistedQuery(wrong) });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors?.[0]?.extensions).toEqual({ code: 'PERSISTED_QUERY_MISMATCH' });
    expect(mismatch.body.data).toBeUndefined();
    expect((await postJson(app, persistedQuery(wrong))).status).toBe(404);
  });

  it('keeps a bounded store: the least recently used document goes, an over-long one is run but not kept', async () => {
    const app = createApp({ prisma: test.prisma, log: logs.log, dbSchema: test.schema, apq: { maxDocuments: 2, maxDocumentLength: 200 } });
    const documents = ['query A { people(first: 1) { totalCount } }', 'query B { people(first: 2) { totalCount } }', 'query C { people(first: 3) { totalCount } }'];
    for (const text of documents) {
      expect((await postJson(app, { query: text, ...persistedQuery(createHash('sha256').update(text).digest('hex')) })).status).toBe(200);
    }
    const status = async (text: string) => (await postJson(app, persistedQuery(createHash('sha256').update(text).digest('hex')))).status;
    expect(await status(documents[0]!)).toBe(404);
    expect(await status(documents[2]!)).toBe(200);

    const long = `query Long { people(first: 1) { totalCount } } # ${'x'.repeat(200)}`;
    const longHash = createHash('sha256').update(long).digest('hex');
    expect((await postJson(app, { query: long, ...persistedQuery(longHash) })).body).toEqual({ data: { people: { totalCount: 1 } } });
    expect((await postJson(app, persistedQuery(longHash))).status).toBe(404);
  });

  it('is off unless asked for: a hash alone is not a request', async () => {
    const plain = await postJson(test.app, persistedQuery(hash));
    expect(plain.status).toBe(400);
    expect(plain.body.errors?.[0]?.message).toBe('Must provide query string.');
  });

  it('cannot be configured together with trusted documents', () => {
    expect(() => loadConfig({ TRUSTED_DOCUMENTS: manifestPath, APQ: 'true' })).toThrow(/exclude each other/);
    expect(() => loadConfig({ APQ: 'yes' })).toThrow(/APQ must be true or false/);
    expect(loadConfig({ APQ: 'true' }).apq).toBe(true);
  });
});

describe('automatic persisted queries shared through Redis (APQ=true with REDIS_URL)', () => {
  const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  // The Redis is shared with other test runs: every key of this run under its own prefix.
  const keyPrefix = `pgw:${randomBytes(6).toString('hex')}:`;
  const clients: Redis[] = [];
  const connect = (url = redisUrl) => {
    const client = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false });
    client.on('error', () => {});
    clients.push(client);
    return client;
  };
  const document = 'query ApqShared { people(first: 7) { totalCount } }';
  const hash = createHash('sha256').update(document).digest('hex');
  const persistedQuery = { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } };

  afterAll(async () => {
    const [first] = clients;
    if (first) {
      const keys = await first.keys(`${keyPrefix}*`);
      if (keys.length > 0) await first.del(...keys);
    }
    for (const client of clients) client.disconnect();
  });

  it('a document registered on one instance runs by hash on another, and expires when unused', async () => {
    const instance = () => createApp({ prisma: test.prisma, log: logs.log, dbSchema: test.schema, apq: { redis: { client: connect(), keyPrefix } } });
    const [one, other] = [instance(), instance()];
    expect((await postJson(other, persistedQuery)).status).toBe(404);
    expect((await postJson(one, { query: document, ...persistedQuery })).body).toEqual({ data: { people: { totalCount: 1 } } });
    const byHash = await postJson(other, persistedQuery);
    expect(byHash.status).toBe(200);
    expect(byHash.body).toEqual({ data: { people: { totalCount: 1 } } });
    const ttl = await clients[0]!.pttl(`${keyPrefix}apq:${hash}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(24 * 3_600_000);
  });

  it('carries on without Redis when it cannot be reached: a miss, then the document runs', async () => {
    const captured = captureLogs();
    // Nothing listens on port 1.
    const app = createApp({ prisma: test.prisma, log: captured.log, dbSchema: test.schema, apq: { redis: { client: connect('redis://127.0.0.1:1'), keyPrefix } } });
    const miss = await postJson(app, persistedQuery);
    expect(miss.status).toBe(404);
    expect(miss.body.errors?.[0]?.extensions).toEqual({ code: 'PERSISTED_QUERY_NOT_FOUND' });
    expect((await postJson(app, { query: document, ...persistedQuery })).body).toEqual({ data: { people: { totalCount: 1 } } });
    expect(captured.entries.filter((entry) => entry.level === 'warn').map((entry) => entry.msg)).toEqual([
      'persisted query lookup in Redis failed: carrying on without it',
      'persisted query registration in Redis failed: carrying on without it',
    ]);
    expect(captured.entries.filter((entry) => entry.level === 'error')).toEqual([]);
  });
});
