import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { hashApiKey } from '../../src/accounts/account-service.ts';
import { createApp } from '../../src/yoga.ts';
import { createOrgClient, createTestApp, createUserClient, postRaw, type TestApp, type TestClient } from '../support/app.ts';

let test: TestApp;
/** The same database behind an app whose key cache forgets after 50 ms. */
let shortLived: TestApp;
let acme: TestClient;
const shortTtlMs = 50;

beforeAll(async () => {
  test = await createTestApp();
  shortLived = {
    ...test,
    app: createApp({ prisma: test.prisma, log: createLogger('error'), dbSchema: test.schema, apiKeyCache: { ttlMs: shortTtlMs } }),
  };
  acme = await createOrgClient(test);
});
afterAll(() => test?.close());

const query = JSON.stringify({ query: '{ viewer { id } }' });
// Reads only: a key's first use also writes its lastUsedAt (at most once a minute, see test/accounts/api-keys.test.ts).
const keyLookups = () => test.sql.filter((statement) => /^\s*SELECT\b[\s\S]*"ApiKey"/i.test(statement)).length;

async function statusWith(app: TestApp, apiKey: string): Promise<number> {
  const response = await postRaw(app, query, { authorization: `Bearer ${apiKey}` });
  await response.body?.cancel();
  return response.status;
}

describe('API key cache', () => {
  it('looks a key up once, then answers its next requests from the cache', async () => {
    const client = await createUserClient(test, acme.organizationId);
    test.sql.length = 0;
    expect(await statusWith(test, client.apiKey)).toBe(200);
    expect(keyLookups()).toBe(1);
    expect(await statusWith(test, client.apiKey)).toBe(200);
    expect(await statusWith(test, client.apiKey)).toBe(200);
    expect(keyLookups()).toBe(1);
  });

  it('does not remember unknown keys: each one is looked up, and refused', async () => {
    test.sql.length = 0;
    expect(await statusWith(test, 'pgw_not-a-key')).toBe(401);
    expect(await statusWith(test, 'pgw_not-a-key')).toBe(401);
    expect(keyLookups()).toBe(2);
  });

  it('keeps serving a key revoked a moment ago until the TTL runs out, then refuses it', async () => {
    const client = await createUserClient(test, acme.organizationId);
    expect(await statusWith(test, client.apiKey)).toBe(200);
    expect(await statusWith(shortLived, client.apiKey)).toBe(200);
    await test.prisma.apiKey.update({ where: { hashedKey: hashApiKey(client.apiKey) }, data: { revokedAt: new Date() } });
    // The default TTL (10 s) has not run out: the instance that saw the key still trusts it.
    expect(await statusWith(test, client.apiKey)).toBe(200);
    await sleep(shortTtlMs * 2);
    expect(await statusWith(shortLived, client.apiKey)).toBe(401);
  });

  it('refuses a deleted key once the TTL has run out', async () => {
    const client = await createUserClient(test, acme.organizationId);
    expect(await statusWith(shortLived, client.apiKey)).toBe(200);
    await test.prisma.apiKey.delete({ where: { hashedKey: hashApiKey(client.apiKey) } });
    await sleep(shortTtlMs * 2);
    expect(await statusWith(shortLived, client.apiKey)).toBe(401);
  });

  it('forgets the oldest key when full', async () => {
    const small = { ...test, app: createApp({ prisma: test.prisma, log: createLogger('error'), dbSchema: test.schema, apiKeyCache: { maxEntries: 2 } }) };
    const [first, second, third] = await Promise.all([1, 2, 3].map(() => createUserClient(test, acme.organizationId)));
    for (const client of [first!, second!, third!]) expect(await statusWith(small, client.apiKey)).toBe(200);
    test.sql.length = 0;
    expect(await statusWith(small, third!.apiKey)).toBe(200);
    expect(keyLookups()).toBe(0);
    expect(await statusWith(small, first!.apiKey)).toBe(200);
    expect(keyLookups()).toBe(1);
  });

  it('keeps the apps apart: another app instance looks the key up itself', async () => {
    const client = await createUserClient(test, acme.organizationId);
    expect(await statusWith(test, client.apiKey)).toBe(200);
    test.sql.length = 0;
    expect(await statusWith(shortLived, client.apiKey)).toBe(200);
    expect(keyLookups()).toBe(1);
  });
});
