import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import { createApp } from '../../src/yoga.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { captureLogs, type LogEntry } from '../support/log-capture.ts';

const CreateObservedPerson = graphql(`
  mutation CreateObservedPerson($input: PersonInput!) {
    createPerson(input: $input) { __typename ... on CreatePersonSuccess { person { id } } }
  }
`);

const ObservedPeople = graphql(`
  query ObservedPeople($first: Int) { people(first: $first) { totalCount edges { node { id familyName } } } }
`);

let test: TestApp;
let acme: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
});
afterAll(() => test?.close());

/** A request through an app of its own, whose log is kept. */
async function send(app: ReturnType<typeof createApp>, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return app.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

function accessLine(entries: readonly LogEntry[], requestId: string): LogEntry {
  const lines = entries.filter((entry) => entry.msg === 'request' && entry.fields.requestId === requestId);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

describe('access log', () => {
  it('writes one line per request with its operation, status, duration, request and organisation ids, and nothing private', async () => {
    const { log, entries } = captureLogs('info');
    const app = createApp({ prisma: test.prisma, log, dbSchema: test.schema });
    const requestId = 'access-log-create';
    const personal = { givenName: 'Ada', familyName: 'Lovelace-Secret', emails: ['ada.secret@example.org'] };
    const response = await send(
      app,
      { query: print(CreateObservedPerson), operationName: 'CreateObservedPerson', variables: { input: personal } },
      { authorization: `Bearer ${acme.apiKey}`, 'x-request-id': requestId },
    );
    expect(response.status).toBe(200);
    expect(((await response.json()) as { data: { createPerson: { __typename: string } } }).data.createPerson.__typename).toBe('CreatePersonSuccess');

    const line = accessLine(entries, requestId);
    expect(line.level).toBe('info');
    expect(line.fields).toEqual({
      method: 'POST',
      path: '/graphql',
      operationName: 'CreateObservedPerson',
      operationType: 'mutation',
      status: 200,
      durationMs: expect.any(Number),
      requestId,
      organizationId: acme.organizationId,
    });
    expect(line.fields.durationMs).toBeGreaterThan(0);
    const written = entries.map((entry) => entry.line).join('\n');
    expect(written).not.toContain(acme.apiKey);
    expect(written).not.toMatch(/Bearer|authorization|Lovelace-Secret|ada\.secret|variables/i);
  });

  it('logs a refused request with its status and no organisation', async () => {
    const { log, entries } = captureLogs('info');
    const app = createApp({ prisma: test.prisma, log, dbSchema: test.schema });
    const response = await send(app, { query: '{ people(first: 1) { totalCount } }' }, { authorization: 'Bearer pgw_not-a-real-key', 'x-request-id': 'access-log-401' });
    expect(response.status).toBe(401);
    const line = accessLine(entries, 'access-log-401');
    expect(line.fields).toMatchObject({ method: 'POST', path: '/graphql', status: 401 });
    expect(line.fields.organizationId).toBeUndefined();
    expect(line.line).not.toContain('pgw_not-a-real-key');
  });

  it('logs health probes at debug level only', async () => {
    const { log, entries } = captureLogs('debug');
    const app = createApp({ prisma: test.prisma, log, dbSchema: test.schema });
    await app.fetch('http://test/healthz', { headers: { 'x-request-id': 'access-log-health' } });
    expect(accessLine(entries, 'access-log-health')).toMatchObject({ level: 'debug', fields: { path: '/healthz', status: 200 } });
  });
});

/** The value of one series in a Prometheus text exposition, 0 when it is absent. */
function sample(exposition: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of exposition.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const given = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => given[key] === value)) return Number(match[3]);
  }
  return 0;
}

describe('metrics', () => {
  async function scrape(app: ReturnType<typeof createApp>, headers: Record<string, string> = {}): Promise<string> {
    const response = await app.fetch('http://test/metrics', { headers });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/plain/);
    return response.text();
  }

  it('counts requests, phases, errors by code, SQL statements and pool connections', async () => {
    const app = createApp({ prisma: test.prisma, log: captureLogs('error').log, dbSchema: test.schema });
    const before = await scrape(app);
    const operation = { operationName: 'ObservedPeople' };
    for (let i = 0; i < 3; i += 1) {
      const response = await send(app, { query: print(ObservedPeople), variables: { first: 5 } }, { authorization: `Bearer ${acme.apiKey}` });
      expect(response.status).toBe(200);
    }
    // Over the page size: a BAD_USER_INPUT error in the response.
    const refused = await send(app, { query: print(ObservedPeople), variables: { first: 1000 } }, { authorization: `Bearer ${acme.apiKey}` });
    expect(((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    const after = await scrape(app);

    expect(sample(after, 'graphql_envelop_request_duration_count', operation) - sample(before, 'graphql_envelop_request_duration_count', operation)).toBe(4);
    expect(sample(after, 'graphql_envelop_phase_parse_count', operation)).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'graphql_envelop_phase_validate_count', operation)).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'graphql_envelop_phase_execute_count', operation)).toBe(4);
    expect(sample(after, 'graphql_errors_total', { ...operation, code: 'BAD_USER_INPUT' })).toBe(1);
    expect(sample(after, 'graphql_yoga_http_duration_count', { method: 'POST', statusCode: '200' })).toBeGreaterThanOrEqual(4);
    // Each page is one statement at least (one with the compiled read path; a count and a select without).
    expect(sample(after, 'prisma_statements_total') - sample(before, 'prisma_statements_total')).toBeGreaterThanOrEqual(3);
    expect(sample(after, 'prisma_statement_duration_seconds_count')).toBe(sample(after, 'prisma_statements_total'));
    expect(sample(after, 'pg_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'pg_pool_idle_connections')).toBeLessThanOrEqual(sample(after, 'pg_pool_connections'));
    expect(after).toMatch(/^pg_pool_waiting_requests 0$/m);
    // The process's memory, under prom-client's default names (npm run soak reads the heap here).
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(sample(after, 'nodejs_heap_size_used_bytes'));
    expect(sample(after, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(sample(after, 'nodejs_heap_size_total_bytes')).toBeGreaterThanOrEqual(sample(after, 'nodejs_heap_size_used_bytes'));
    expect(sample(after, 'nodejs_external_memory_bytes')).toBeGreaterThan(0);
  });

  it('asks for METRICS_TOKEN when one is set', async () => {
    const app = createApp({ prisma: test.prisma, log: captureLogs('error').log, dbSchema: test.schema, metricsToken: 'scrape-secret' });
    expect((await app.fetch('http://test/metrics')).status).toBe(401);
    expect((await app.fetch('http://test/metrics', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect(await scrape(app, { authorization: 'Bearer scrape-secret' })).toMatch(/prisma_statements_total/);
  });

});
