import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgClient, createTestApp, postRaw, type TestApp, type TestClient } from '../support/app.ts';
import { captureLogs, errorLinesFor } from '../support/log-capture.ts';

let test: TestApp;
let acme: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
});
afterAll(() => test?.close());

const peopleQuery = JSON.stringify({ query: '{ people(first: 1) { totalCount } }' });

describe('authentication', () => {
  it('answers introspection without a key, so GraphiQL can load the schema', async () => {
    const response = await postRaw(test, JSON.stringify({ query: '{ __typename __schema { queryType { name } } }' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query', __schema: { queryType: { name: 'Query' } } } });
  });

  it.each([
    ['no key', {}, /Authentication required/],
    ['a Bearer header without a key (as GraphiQL first sends it)', { authorization: 'Bearer ' }, /Authentication required/],
    ['an unknown key', { authorization: 'Bearer pgw_not-a-real-key' }, /Unknown or revoked API key/],
    ['a key of the wrong shape', { authorization: 'Bearer nope' }, /Unknown or revoked API key/],
    ['a header that is not Bearer', { authorization: 'Basic dXNlcjpwYXNz' }, /Malformed Authorization header/],
  ])('refuses %s with 401 and a GraphQL error body', async (_name, headers, message) => {
    const response = await postRaw(test, peopleQuery, headers);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    const body = (await response.json()) as { data?: unknown; errors: { message: string; extensions: { code: string } }[] };
    expect(body.data).toBeUndefined();
    expect(body.errors[0]!.message).toMatch(message);
    expect(body.errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
  });

  it('answers introspection with a Bearer header that has no key yet, as GraphiQL sends it at first', async () => {
    const response = await postRaw(test, JSON.stringify({ query: '{ __typename }' }), { authorization: 'Bearer ' });
    expect(response.status).toBe(200);
  });

  it('refuses a wrong key even for introspection', async () => {
    const response = await postRaw(test, JSON.stringify({ query: '{ __typename }' }), { authorization: 'Bearer pgw_x' });
    expect(response.status).toBe(401);
  });

  it('serves a valid key', async () => {
    const response = await postRaw(test, peopleQuery, { authorization: `Bearer ${acme.apiKey}` });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { people: { totalCount: 0 } } });
  });
});

describe('health', () => {
  it('GET /healthz says the process is alive and /readyz that the database answers', async () => {
    const health = await test.app.fetch('http://test/healthz');
    expect(health.status).toBe(200);
    const ready = await test.app.fetch('http://test/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready' });
  });
});

describe('GraphiQL', () => {
  it('serves the explorer to a browser', async () => {
    const response = await test.app.fetch('http://test/graphql', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    const html = await response.text();
    expect(html).toMatch(/YogaGraphiQL/);
    // Its scripts come with the page: a closed network or an offline laptop still gets an explorer.
    expect(html).not.toMatch(/unpkg\.com|jsdelivr|<script[^>]+src=["']?https?:/);
  });
});

describe('request ids and masked errors', () => {
  it('echoes a given x-request-id', async () => {
    const response = await postRaw(test, peopleQuery, { authorization: `Bearer ${acme.apiKey}`, 'x-request-id': 'abc-123' });
    expect(response.headers.get('x-request-id')).toBe('abc-123');
  });

  it('masks an unexpected failure: no SQL, no stack, just the request id', async () => {
    // Break the database under the app: a table it needs is gone.
    const captured = captureLogs();
    const broken = await createTestApp({ log: captured.log });
    const client = await createOrgClient(broken);
    await broken.prisma.$executeRawUnsafe(`DROP TABLE "${broken.schema}"."PersonCompany"`);
    try {
      const response = await postRaw(
        broken,
        JSON.stringify({ query: '{ people(first: 1) { edges { node { companies { nodes { name } } } } } }' }),
        { authorization: `Bearer ${client.apiKey}` },
      );
      const body = (await response.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      const requestId = response.headers.get('x-request-id');
      expect(body.errors).toHaveLength(1);
      expect(body.errors[0]!.message).toBe(`Unexpected error. Quote request id ${requestId} when reporting it.`);
      expect(body.errors[0]!.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId });
      expect(JSON.stringify(body)).not.toMatch(/PersonCompany|SELECT|prisma/i);
      // The log has what the client does not: one error line with the request id and the cause.
      const lines = errorLinesFor(captured.entries, requestId!);
      expect(lines).toHaveLength(1);
      expect(lines[0]!.line).toMatch(/PersonCompany/);
    } finally {
      await broken.close();
    }
  });
});
