import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryRateLimitStore, type RateLimitStore, redisRateLimitStore } from '../../src/http/rate-limit-store.ts';
import { createLogger } from '../../src/logger.ts';
import { createApp } from '../../src/yoga.ts';
import { graphql } from '../generated/index.ts';
import type { ApiKeyRateLimitInput } from '../generated/graphql.ts';
import { clientWithKey, createOrgClient, createTestApp, createUserClient, postTyped, type TestApp, type TestClient } from '../support/app.ts';

/**
 * Issue 22, item 8: a key's own rate limit. The default bucket fits one person's client; an admin
 * gives a gateway's key a bigger one (or exempts it), and any key a smaller one, through
 * createApiKey and updateApiKey; apiKeys shows it; the limiter charges each key by its own.
 */

const CreateApiKey = graphql(`
  mutation KeyLimitCreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      __typename
      ... on CreateApiKeySuccess { secret apiKey { id rateLimit { capacity refillPerSecond exempt } } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ForbiddenError { message }
    }
  }
`);

const UpdateApiKey = graphql(`
  mutation KeyLimitUpdateApiKey($id: ID!, $input: UpdateApiKeyInput!) {
    updateApiKey(id: $id, input: $input) {
      __typename
      ... on UpdateApiKeySuccess { apiKey { id rateLimit { capacity refillPerSecond exempt } } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ForbiddenError { message }
      ... on NotFoundError { resource }
    }
  }
`);

const ApiKeys = graphql(`
  query KeyLimitApiKeys {
    apiKeys(first: 100) { nodes { id name rateLimit { capacity refillPerSecond exempt } } }
  }
`);

const PeoplePage = graphql(`query KeyLimitPeople($first: Int!) { people(first: $first) { nodes { id fullName } } }`);

const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let test: TestApp;
const stores: RateLimitStore[] = [];

beforeAll(async () => {
  test = await createTestApp();
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await test?.close();
});

type StoreKind = 'memory' | 'Redis';

function storeOf(kind: StoreKind): RateLimitStore {
  const store =
    kind === 'memory' ? memoryRateLimitStore() : redisRateLimitStore({ url: redisUrl, keyPrefix: `pgw:test:${randomBytes(6).toString('hex')}:` });
  stores.push(store);
  return store;
}

/**
 * An app with a rate limit (the server's default unless given) over the test's database. The key
 * cache is off unless a TTL is given, so that a key's new limit applies at once.
 */
function rateLimitedApp(kind: StoreKind, { capacity = 200_000, refillPerSecond = 10_000, cacheTtlMs = 0 } = {}) {
  return createApp({
    prisma: test.prisma,
    log: createLogger('error'),
    dbSchema: test.schema,
    apiKeyCache: { ttlMs: cacheTtlMs },
    rateLimit: { capacity, refillPerSecond, store: storeOf(kind) },
  });
}

async function newKey(client: TestClient, rateLimit?: ApiKeyRateLimitInput): Promise<{ id: string; secret: string }> {
  const { createApiKey } = await client.request(CreateApiKey, { input: { name: `key ${randomBytes(3).toString('hex')}`, rateLimit } });
  if (createApiKey.__typename !== 'CreateApiKeySuccess') throw new Error(`createApiKey answered ${createApiKey.__typename}`);
  return { id: createApiKey.apiKey.id, secret: createApiKey.secret };
}

let pageCostCache: number | undefined;
async function pageCost(admin: TestClient): Promise<number> {
  if (pageCostCache === undefined) {
    const response = await postTyped(rateLimitedApp('memory'), admin.apiKey, PeoplePage, { first: 10 });
    pageCostCache = (response.extensions!.cost as { requested: number }).requested;
  }
  return pageCostCache;
}

async function statuses(app: ReturnType<typeof rateLimitedApp>, secret: string, count: number): Promise<number[]> {
  const result: number[] = [];
  for (let index = 0; index < count; index++) result.push((await postTyped(app, secret, PeoplePage, { first: 10 })).status);
  return result;
}

describe.each<StoreKind>(['memory', 'Redis'])('a key’s own rate limit, %s store', (kind) => {
  it('charges a key with a small capacity of its own by it: 429 where the default bucket lets the same requests through', async () => {
    const admin = await createOrgClient(test);
    const cost = await pageCost(admin);
    const small = await newKey(admin, { capacity: 2 * cost, refillPerSecond: 1 });
    const usual = await newKey(admin);
    const app = rateLimitedApp(kind);
    expect(await statuses(app, small.secret, 3)).toEqual([200, 200, 429]);
    expect(await statuses(app, usual.secret, 3)).toEqual([200, 200, 200]);
    const refused = await postTyped(app, small.secret, PeoplePage, { first: 10 });
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.headers.get('RateLimit-Limit')).toBe(String(2 * cost));
    const served = await postTyped(app, usual.secret, PeoplePage, { first: 10 });
    expect(served.extensions!.cost).toMatchObject({ limit: 200_000, refillPerSecond: 10_000 });
  });

  it('never answers an exempt key 429, nor charges it, where a key on the default bucket is refused', async () => {
    const admin = await createOrgClient(test);
    const cost = await pageCost(admin);
    const gateway = await newKey(admin, { exempt: true });
    const usual = await newKey(admin);
    // A default bucket of two pages that hardly refills.
    const app = rateLimitedApp(kind, { capacity: 2 * cost, refillPerSecond: 1 });
    expect(await statuses(app, usual.secret, 3)).toEqual([200, 200, 429]);
    expect(await statuses(app, gateway.secret, 10)).toEqual(Array(10).fill(200));
    const response = await postTyped(app, gateway.secret, PeoplePage, { first: 10 });
    expect(response.headers.get('RateLimit-Remaining')).toBeNull();
    expect(response.extensions?.cost).toBeUndefined();
  });

  it('gives a key a bigger bucket of its own through updateApiKey, and puts it back on the default with {}', async () => {
    const admin = await createOrgClient(test);
    const cost = await pageCost(admin);
    const gateway = await newKey(admin);
    const app = rateLimitedApp(kind, { capacity: 2 * cost, refillPerSecond: 1 });
    expect(await statuses(app, gateway.secret, 3)).toEqual([200, 200, 429]);
    const { updateApiKey } = await admin.request(UpdateApiKey, { id: gateway.id, input: { rateLimit: { capacity: 100 * cost, refillPerSecond: 10_000_000 } } });
    expect(updateApiKey).toEqual({ __typename: 'UpdateApiKeySuccess', apiKey: { id: gateway.id, rateLimit: { capacity: 100 * cost, refillPerSecond: 10_000_000, exempt: false } } });
    // The bucket keeps what it had spent, and refills toward the new capacity at the new rate.
    const after = await postTyped(app, gateway.secret, PeoplePage, { first: 10 });
    expect(after.status).toBe(200);
    expect(after.extensions!.cost).toMatchObject({ limit: 100 * cost, refillPerSecond: 10_000_000 });
    const { updateApiKey: reset } = await admin.request(UpdateApiKey, { id: gateway.id, input: { rateLimit: {} } });
    expect(reset).toMatchObject({ apiKey: { rateLimit: { capacity: null, refillPerSecond: null, exempt: false } } });
    expect((await postTyped(app, gateway.secret, PeoplePage, { first: 10 })).extensions!.cost).toMatchObject({ limit: 2 * cost });
  });
});

describe('setting a key’s rate limit', () => {
  it('is carried by the key cache: an instance that has just looked the key up charges it by its old limit until the TTL passes', async () => {
    const admin = await createOrgClient(test);
    const cost = await pageCost(admin);
    const key = await newKey(admin);
    const cached = rateLimitedApp('memory', { cacheTtlMs: 60_000 });
    expect((await postTyped(cached, key.secret, PeoplePage, { first: 10 })).extensions!.cost).toMatchObject({ limit: 200_000 });
    await admin.request(UpdateApiKey, { id: key.id, input: { rateLimit: { capacity: 10 * cost } } });
    expect((await postTyped(cached, key.secret, PeoplePage, { first: 10 })).extensions!.cost).toMatchObject({ limit: 200_000 });
    // A fresh instance (or this one after the TTL) looks the key up again.
    const fresh = rateLimitedApp('memory', { cacheTtlMs: 60_000 });
    expect((await postTyped(fresh, key.secret, PeoplePage, { first: 10 })).extensions!.cost).toMatchObject({ limit: 10 * cost, refillPerSecond: 10_000 });
  });

  it('shows each key’s limit in apiKeys', async () => {
    const admin = await createOrgClient(test);
    const small = await newKey(admin, { capacity: 500, refillPerSecond: 5 });
    const gateway = await newKey(admin, { exempt: true });
    const refillOnly = await newKey(admin, { refillPerSecond: 50_000 });
    const { apiKeys } = await admin.request(ApiKeys);
    const limitOf = (id: string) => apiKeys.nodes.find((node) => node.id === id)!.rateLimit;
    expect(limitOf(small.id)).toEqual({ capacity: 500, refillPerSecond: 5, exempt: false });
    expect(limitOf(gateway.id)).toEqual({ capacity: null, refillPerSecond: null, exempt: true });
    expect(limitOf(refillOnly.id)).toEqual({ capacity: null, refillPerSecond: 50_000, exempt: false });
    // The organisation's first key, made by org:create, is on the default bucket.
    expect(apiKeys.nodes[0]!.rateLimit).toEqual({ capacity: null, refillPerSecond: null, exempt: false });
  });

  it.each<[string, 'EDITOR' | 'VIEWER']>([
    ['an editor', 'EDITOR'],
    ['a viewer', 'VIEWER'],
  ])('is refused to %s as a ForbiddenError, changing nothing', async (_name, role) => {
    const admin = await createOrgClient(test);
    const target = await newKey(admin);
    const user = await createUserClient(test, admin.organizationId, role);
    const { createApiKey } = await user.request(CreateApiKey, { input: { name: 'mine', rateLimit: { exempt: true } } });
    expect(createApiKey).toMatchObject({ __typename: 'ForbiddenError', message: expect.stringMatching(/admin/) });
    const { updateApiKey } = await user.request(UpdateApiKey, { id: target.id, input: { rateLimit: { exempt: true } } });
    expect(updateApiKey).toMatchObject({ __typename: 'ForbiddenError', message: expect.stringMatching(/admin/) });
    // Not even on a key of their own.
    const own = await newKey(user);
    const { updateApiKey: ownUpdate } = await user.request(UpdateApiKey, { id: own.id, input: { rateLimit: { capacity: 1_000_000 } } });
    expect(ownUpdate.__typename).toBe('ForbiddenError');
    const { apiKeys } = await admin.request(ApiKeys);
    expect(apiKeys.nodes.every((node) => !node.rateLimit.exempt && node.rateLimit.capacity === null)).toBe(true);
    expect(apiKeys.nodes.map((node) => node.name)).not.toContain('mine');
  });

  it('answers values out of bounds, or an exempt key with a bucket, as a typed ValidationError, writing nothing', async () => {
    const admin = await createOrgClient(test);
    const target = await newKey(admin);
    const cases: [ApiKeyRateLimitInput, string[]][] = [
      [{ capacity: 0 }, ['capacity']],
      [{ capacity: -5, refillPerSecond: 0 }, ['capacity', 'refillPerSecond']],
      [{ capacity: 100_000_001 }, ['capacity']],
      [{ refillPerSecond: 10_000_001 }, ['refillPerSecond']],
      [{ exempt: true, capacity: 1_000 }, ['capacity']],
    ];
    for (const [rateLimit, fields] of cases) {
      const { updateApiKey } = await admin.request(UpdateApiKey, { id: target.id, input: { rateLimit } });
      expect(updateApiKey.__typename).toBe('ValidationError');
      if (updateApiKey.__typename !== 'ValidationError') continue;
      expect(updateApiKey.fieldErrors.map((error) => error.path)).toEqual(fields.map((field) => ['input', 'rateLimit', field]));
      const { createApiKey } = await admin.request(CreateApiKey, { input: { name: 'refused', rateLimit } });
      expect(createApiKey.__typename).toBe('ValidationError');
    }
    const { apiKeys } = await admin.request(ApiKeys);
    expect(apiKeys.nodes.map((node) => node.name)).not.toContain('refused');
    expect(apiKeys.nodes.find((node) => node.id === target.id)!.rateLimit).toEqual({ capacity: null, refillPerSecond: null, exempt: false });
  });

  it("answers another organisation's key as NotFoundError", async () => {
    const admin = await createOrgClient(test);
    const other = await createOrgClient(test, 'Globex');
    const theirs = await newKey(other);
    const { updateApiKey } = await admin.request(UpdateApiKey, { id: theirs.id, input: { rateLimit: { exempt: true } } });
    expect(updateApiKey).toMatchObject({ __typename: 'NotFoundError', resource: 'ApiKey' });
    const { apiKeys } = await clientWithKey(test, theirs.secret).request(ApiKeys);
    expect(apiKeys.nodes.find((node) => node.id === theirs.id)!.rateLimit.exempt).toBe(false);
  });
});
