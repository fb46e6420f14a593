import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { memoryRateLimitStore, type RateLimitStore, redisRateLimitStore } from '../../src/http/rate-limit-store.ts';
import { createApp } from '../../src/yoga.ts';
import { graphql } from '../generated/index.ts';
import { captureLogs } from '../support/log-capture.ts';
import { createOrgClient, createTestApp, createUserClient, postTyped, type TestApp } from '../support/app.ts';

/**
 * Each API key's token bucket, charged with the operation's cost (the complexity useOperationLimits
 * measures) before any SQL. Small numbers: a bucket of `capacity` that refills slowly, so that a
 * burst of requests empties it long before it could refill.
 */

const Ping = graphql(`query RateLimitPing { __typename }`);
const PeoplePage = graphql(`query RateLimitPeople($first: Int!) { people(first: $first) { nodes { id fullName } } }`);

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

function appWith(capacity: number, refillPerSecond: number, store: RateLimitStore = memoryRateLimitStore()) {
  stores.push(store);
  return createApp({ prisma: test.prisma, log: createLogger('error'), dbSchema: test.schema, rateLimit: { capacity, refillPerSecond, store } });
}

function redisStore(keyPrefix: string): RateLimitStore {
  return redisRateLimitStore({ url: redisUrl, keyPrefix });
}

const costOf = async (first: number) => {
  const acme = await createOrgClient(test);
  const response = await postTyped(appWith(1_000_000, 1), acme.apiKey, PeoplePage, { first });
  return (response.extensions!.cost as { requested: number }).requested;
};

describe('rate limits', () => {
  it('charges each operation its complexity and says so in extensions.cost and the RateLimit headers', async () => {
    const acme = await createOrgClient(test);
    const app = appWith(1_000, 0.001);
    const first = await postTyped(app, acme.apiKey, PeoplePage, { first: 10 });
    expect(first.status).toBe(200);
    const cost = first.extensions!.cost as { requested: number; remaining: number; limit: number };
    // people (1) + nodes (1) + 10 × (node's id and fullName): the cost model's figure for it.
    expect(cost.requested).toBe(await costOf(10));
    expect(cost.requested).toBeGreaterThan(await costOf(1));
    expect(cost).toMatchObject({ limit: 1_000, remaining: 1_000 - cost.requested, refillPerSecond: 0.001 });
    expect(first.headers.get('RateLimit-Limit')).toBe('1000');
    expect(first.headers.get('RateLimit-Remaining')).toBe(String(1_000 - cost.requested));
    expect(Number(first.headers.get('RateLimit-Reset'))).toBeGreaterThan(0);
    const second = await postTyped(app, acme.apiKey, PeoplePage, { first: 10 });
    expect((second.extensions!.cost as { remaining: number }).remaining).toBe(1_000 - 2 * cost.requested);
  });

  it('refuses an operation that would overdraw the bucket with 429, Retry-After and RATE_LIMITED, before any SQL, taking nothing', async () => {
    const acme = await createOrgClient(test);
    const pageCost = await costOf(10);
    // Room for two pages and a little; it refills one token a second.
    const app = appWith(2 * pageCost + 5, 1);
    expect((await postTyped(app, acme.apiKey, PeoplePage, { first: 10 })).status).toBe(200);
    expect((await postTyped(app, acme.apiKey, PeoplePage, { first: 10 })).status).toBe(200);
    test.sql.length = 0;
    const refused = await postTyped(app, acme.apiKey, PeoplePage, { first: 10 });
    expect(test.sql).toEqual([]);
    expect(refused.status).toBe(429);
    expect(refused.data ?? null).toBeNull();
    expect(refused.errors).toHaveLength(1);
    const retryAfter = Number(refused.headers.get('Retry-After'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter });
    const remaining = Number(refused.headers.get('RateLimit-Remaining'));
    expect(remaining).toBeLessThan(pageCost);
    expect(refused.extensions!.cost).toMatchObject({ requested: pageCost, remaining, limit: 2 * pageCost + 5 });
    // The refusal took nothing: a cheaper operation that fits what is left still runs.
    const ping = await postTyped(app, acme.apiKey, Ping, {});
    expect(ping.status).toBe(200);
    expect(ping.data).toEqual({ __typename: 'Query' });
  });

  it('lets an operation through again once the bucket has refilled for Retry-After seconds', async () => {
    const acme = await createOrgClient(test);
    const pageCost = await costOf(10);
    // One page, refilled in 2 seconds.
    const app = appWith(pageCost, pageCost / 2);
    expect((await postTyped(app, acme.apiKey, PeoplePage, { first: 10 })).status).toBe(200);
    const refused = await postTyped(app, acme.apiKey, PeoplePage, { first: 10 });
    expect(refused.status).toBe(429);
    await sleep(Number(refused.headers.get('Retry-After')) * 1000);
    expect((await postTyped(app, acme.apiKey, PeoplePage, { first: 10 })).status).toBe(200);
  });

  it('keeps a bucket per API key', async () => {
    const acme = await createOrgClient(test);
    const colleague = await createUserClient(test, acme.organizationId);
    const app = appWith(await costOf(10), 0.001);
    expect((await postTyped(app, acme.apiKey, PeoplePage, { first: 10 })).status).toBe(200);
    expect((await postTyped(app, acme.apiKey, PeoplePage, { first: 10 })).status).toBe(429);
    expect((await postTyped(app, colleague.apiKey, PeoplePage, { first: 10 })).status).toBe(200);
  });

  it('refuses an operation that costs more than the bucket holds as QUERY_TOO_COMPLEX: waiting would not help', async () => {
    const acme = await createOrgClient(test);
    const app = appWith(5, 1);
    const response = await postTyped(app, acme.apiKey, PeoplePage, { first: 10 });
    expect(response.errors![0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'complexity', max: 5 });
  });

  it('shares a bucket between two instances over one Redis (and one database)', async () => {
    const prefix = `pgw:test:${randomBytes(6).toString('hex')}:`;
    const acme = await createOrgClient(test);
    const pageCost = await costOf(10);
    const one = appWith(pageCost * 2, 0.001, redisStore(prefix));
    const two = appWith(pageCost * 2, 0.001, redisStore(prefix));
    const first = await postTyped(one, acme.apiKey, PeoplePage, { first: 10 });
    expect(first.status).toBe(200);
    const second = await postTyped(two, acme.apiKey, PeoplePage, { first: 10 });
    expect(second.status).toBe(200);
    expect((second.extensions!.cost as { remaining: number }).remaining).toBe(0);
    expect((await postTyped(one, acme.apiKey, PeoplePage, { first: 10 })).status).toBe(429);
    expect((await postTyped(two, acme.apiKey, PeoplePage, { first: 10 })).status).toBe(429);
    // Another prefix is another deployment: a bucket of its own.
    const elsewhere = appWith(pageCost * 2, 0.001, redisStore(`${prefix}other:`));
    expect((await postTyped(elsewhere, acme.apiKey, PeoplePage, { first: 10 })).status).toBe(200);
  });

  it('lets requests through uncharged, with a warning, while Redis cannot be reached', async () => {
    const acme = await createOrgClient(test);
    const { log, entries } = captureLogs();
    // Nothing listens on port 1.
    const store = redisRateLimitStore({ url: 'redis://127.0.0.1:1', keyPrefix: 'pgw:test:unreachable:' });
    stores.push(store);
    const app = createApp({ prisma: test.prisma, log, dbSchema: test.schema, rateLimit: { capacity: 1, refillPerSecond: 0.001, store } });
    const response = await postTyped(app, acme.apiKey, Ping, {});
    expect(response.status).toBe(200);
    expect(response.data).toEqual({ __typename: 'Query' });
    expect(response.headers.get('RateLimit-Remaining')).toBeNull();
    expect(entries.filter((entry) => entry.level === 'warn').map((entry) => entry.msg)).toContain(
      'rate limit store unavailable: the request goes through uncharged',
    );
    expect(entries.filter((entry) => entry.level === 'error')).toEqual([]);
  });
});
