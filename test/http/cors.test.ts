import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { type App, createApp } from '../../src/yoga.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';

// CORS from CORS_ORIGINS, as a browser meets it: a preflight (OPTIONS) before a POST with an
// Authorization header, then the request itself.

const allowed = 'https://app.example.org';
let test: TestApp;
let acme: TestClient;
let configured: App;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
  configured = createApp({ prisma: test.prisma, log: createLogger('error'), dbSchema: test.schema, corsOrigins: [allowed, 'http://localhost:5173'] });
});

afterAll(async () => {
  await test?.close();
});

function preflight(app: App, origin: string, path = '/graphql'): Promise<Response> {
  return Promise.resolve(
    app.fetch(`http://test${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key, x-request-id',
      },
    }),
  );
}

function postFrom(app: App, origin: string): Promise<Response> {
  return Promise.resolve(
    app.fetch('http://test/graphql', {
      method: 'POST',
      headers: { origin, 'content-type': 'application/json', authorization: `Bearer ${acme.apiKey}` },
      body: JSON.stringify({ query: '{ people(first: 1) { totalCount } }' }),
    }),
  );
}

const corsHeaders = (response: Response) =>
  Object.fromEntries([...response.headers].filter(([name]) => name.startsWith('access-control-')));

const list = (value: string | null) => (value ?? '').split(',').map((item) => item.trim().toLowerCase());

describe('CORS with CORS_ORIGINS', () => {
  it('answers a preflight from an allowed origin with that origin, the methods and headers, and no credentials', async () => {
    const response = await preflight(configured, allowed);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(list(response.headers.get('access-control-allow-methods'))).toEqual(['get', 'post']);
    expect(list(response.headers.get('access-control-allow-headers'))).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'idempotency-key', 'x-request-id']),
    );
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.has('access-control-allow-credentials')).toBe(false);
    expect(list(response.headers.get('vary'))).toContain('origin');
  });

  it('lets the page read the answer and the headers it needs', async () => {
    const response = await postFrom(configured, allowed);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { people: { totalCount: 0 } } });
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(response.headers.has('access-control-allow-credentials')).toBe(false);
    expect(list(response.headers.get('access-control-expose-headers'))).toEqual(
      expect.arrayContaining(['x-request-id', 'ratelimit', 'ratelimit-policy', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after']),
    );
    expect(list(response.headers.get('vary'))).toContain('origin');
  });

  it('answers on every route: the health checks and avatars too', async () => {
    for (const path of ['/healthz', '/avatars/x']) {
      const response = await preflight(configured, 'http://localhost:5173', path);
      // 204 from useCors; 200 from yoga's health check, which answers /healthz before any plugin.
      expect(response.status).toBe(path === '/healthz' ? 200 : 204);
      expect(response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
      expect(response.headers.get('access-control-allow-headers')).toContain('Authorization');
    }
    const health = await configured.fetch('http://test/healthz', { headers: { origin: allowed } });
    expect(health.headers.get('access-control-allow-origin')).toBe(allowed);
  });

  it('gives an origin that is not listed no CORS header at all', async () => {
    for (const origin of ['https://evil.example', 'https://app.example.org.evil.example', 'http://app.example.org', 'null']) {
      const response = await preflight(configured, origin);
      expect(response.status).toBe(204);
      expect(corsHeaders(response)).toEqual({});
      expect(corsHeaders(await postFrom(configured, origin))).toEqual({});
    }
  });
});

describe('CORS without configuration', () => {
  it('allows no origin: not a reflected one, not with credentials', async () => {
    const response = await preflight(test.app, allowed);
    expect(response.status).toBe(204);
    expect(corsHeaders(response)).toEqual({});
    const post = await postFrom(test.app, allowed);
    expect(post.status).toBe(200);
    expect(corsHeaders(post)).toEqual({});
  });
});

describe('CORS_ORIGINS', () => {
  it('takes a comma-separated list of exact origins', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://app.example.org, http://localhost:5173' }).corsOrigins).toEqual([
      'https://app.example.org',
      'http://localhost:5173',
    ]);
    expect(loadConfig({}).corsOrigins).toEqual([]);
  });

  it('refuses what is not an exact origin, saying what it should be', () => {
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.org/' })).toThrow(/did you mean "https:\/\/app.example.org"/);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://app.example.org/path' })).toThrow(/exact origins/);
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/exact origins/);
    expect(() => loadConfig({ CORS_ORIGINS: 'app.example.org' })).toThrow(/exact origins/);
  });
});
