import { type Plugin } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryLimits } from '../../src/graphql/builder.ts';
import { createApp, type App } from '../../src/yoga.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { captureLogs, errorLinesFor } from '../support/log-capture.ts';

/**
 * Issue 22, items 1, 3 and 4: a request error (no `data`) gets the status GraphQL over HTTP gives
 * for the media type the client accepts, every error has a code a client can switch on, and every
 * unexpected error, in whatever phase, is one error-level log line with the request id.
 */

let test: TestApp;
let acme: TestClient;
const logs = captureLogs();

/**
 * Makes the phase a request names in `x-fail-in` fail with an error no code expects: the app
 * takes one extra plugin (the tracing slot), which is how these phases can be made to fail
 * through HTTP. Nothing else about the app is changed.
 */
function failingIn(): Plugin {
  const phase = (request: Request | undefined) => request?.headers.get('x-fail-in');
  const boom = (where: string) => new Error(`injected failure in ${where}`);
  return {
    onParams({ request, params, setParams }) {
      if (phase(request) !== 'variables') return;
      // Anything that reads the variables meets this: as a stack overflow in coercion once did.
      setParams({
        ...params,
        variables: Object.defineProperty({}, 'first', { enumerable: true, get: () => { throw boom('variables'); } }),
      });
    },
    onParse({ context }) {
      if (phase((context as { request?: Request }).request) === 'parse') throw boom('parse');
    },
    onValidate({ context }) {
      if (phase((context as { request?: Request }).request) === 'validate') throw boom('validate');
    },
    onContextBuilding({ context }) {
      if (phase((context as { request?: Request }).request) === 'context') throw boom('context');
    },
    onExecutionResult({ request, result, setResult }) {
      // A value JSON cannot write: the answer fails as it is serialised.
      if (phase(request) === 'serialise') setResult({ ...(result as object), data: { big: 10n } } as never);
    },
  };
}

let faulty: App;

beforeAll(async () => {
  test = await createTestApp({ log: logs.log });
  acme = await createOrgClient(test);
  faulty = createApp({
    prisma: test.prisma,
    dbSchema: test.schema,
    log: logs.log,
    tracing: { plugin: failingIn(), flush: async () => {}, shutdown: async () => {} },
  });
});
afterAll(() => test?.close());

interface Answer {
  status: number;
  requestId: string;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

let requestCount = 0;

async function post(
  body: Record<string, unknown>,
  { accept = 'application/graphql-response+json', app = test.app as Pick<App, 'fetch'>, headers = {} as Record<string, string> } = {},
): Promise<Answer> {
  const requestId = `request-errors-${(requestCount += 1)}`;
  const response = await app.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${acme.apiKey}`, 'x-request-id': requestId, ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, requestId, body: (await response.json()) as Answer['body'] };
}

const complexQuery =
  '{ people(first: 100) { nodes { timeline(first: 100) { nodes { id type occurredAt data } } notes(first: 100) { nodes { id title description } } } } }';

function deepQuery(): string {
  let selection = 'id';
  for (let step = 0; step < 3; step++) selection = `tags(first: 1) { nodes { tag { people(first: 1) { nodes { person { ${selection} } } } } } }`;
  return `{ people(first: 1) { nodes { ${selection} } } }`;
}

const aliasesQuery = `{ ${Array.from({ length: 31 }, (_, index) => `a${index}: people(first: 1) { totalCount }`).join(' ')} }`;

/** Request errors of every kind, and the code each answers. */
const requestErrors: { name: string; body: Record<string, unknown>; code: string; kind?: string }[] = [
  { name: 'a cost over the limit', body: { query: complexQuery }, code: 'QUERY_TOO_COMPLEX', kind: 'complexity' },
  { name: 'a depth over the limit', body: { query: deepQuery() }, code: 'QUERY_TOO_COMPLEX', kind: 'depth' },
  { name: 'more aliases than the limit', body: { query: aliasesQuery }, code: 'QUERY_TOO_COMPLEX', kind: 'aliases' },
  { name: 'a list argument over its bound', body: { query: '{ people(filter: { tagIds: [' + Array.from({ length: 101 }, () => '"x"').join(',') + '] }, first: 1) { totalCount } }' }, code: 'BAD_USER_INPUT', kind: 'items' },
  { name: 'a variable of the wrong type', body: { query: 'query Page($first: Int) { people(first: $first) { totalCount } }', variables: { first: 'ten' } }, code: 'BAD_USER_INPUT' },
  { name: 'a required variable not given', body: { query: 'query Page($first: Int!) { people(first: $first) { totalCount } }' }, code: 'BAD_USER_INPUT' },
  { name: 'an unknown field in an input variable', body: { query: 'query Page($filter: PersonFilter) { people(filter: $filter, first: 1) { totalCount } }', variables: { filter: { nope: 1 } } }, code: 'BAD_USER_INPUT' },
  { name: 'text the database cannot store', body: { query: 'query Page($q: String) { people(filter: { q: $q }, first: 1) { totalCount } }', variables: { q: 'a\u0000b' } }, code: 'BAD_USER_INPUT' },
  { name: 'an unknown field', body: { query: '{ people(first: 1) { nope } }' }, code: 'GRAPHQL_VALIDATION_FAILED' },
  { name: 'a syntax error', body: { query: '{ people(first: 1) { ' }, code: 'GRAPHQL_PARSE_FAILED' },
];

describe('item 1: a request error answers 400 with application/graphql-response+json, 200 with application/json', () => {
  for (const { name, body, code, kind } of requestErrors) {
    it(`${name}: ${code}${kind ? ` (${kind})` : ''}`, async () => {
      const strict = await post(body);
      expect(strict.body.data, JSON.stringify(strict.body).slice(0, 300)).toBeUndefined();
      expect(strict.body.errors![0]!.extensions).toMatchObject({ code, ...(kind ? { kind } : {}) });
      expect(strict.status).toBe(400);

      const legacy = await post(body, { accept: 'application/json' });
      expect(legacy.body.errors![0]!.extensions).toMatchObject({ code });
      expect(legacy.status).toBe(200);
    });
  }

  it('answers the query of issue 22 (complexity 90,301) with 400', async () => {
    const { status, body } = await post({ query: complexQuery });
    expect(status).toBe(400);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'complexity', measure: 90_301, max: queryLimits.complexity });
  });

  it('answers an error in execution with 200: the request ran, and has data', async () => {
    const { status, body } = await post({ query: '{ a: people(first: 1) { totalCount } b: people(first: 101) { totalCount } }' });
    expect(status, JSON.stringify(body)).toBe(200);
    // people is not nullable: its error makes the whole data null, which is still data.
    expect(body).toHaveProperty('data', null);
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('logs none of these client mistakes at error level', () => {
    expect(logs.entries.filter((entry) => entry.level === 'error')).toEqual([]);
  });
});

describe('item 4: every error has a code', () => {
  it.each([
    ['an id of a type that does not exist', '{ node(id: "Tm9wZTowMWEy") { id } }', 'Invalid global ID: Tm9wZTowMWEy'],
    ['a string that is not an id', '{ node(id: "%%%") { id } }', 'Invalid global ID: %%%'],
    ['an id of a type that has no ids', '{ node(id: "UGFnZUluZm86MQ==") { id } }', 'Invalid global ID: UGFnZUluZm86MQ=='],
    ['one bad id among nodes(ids)', '{ nodes(ids: ["%%%"]) { id } }', 'Invalid global ID: %%%'],
    ['an id of a type that does not exist among nodes(ids)', '{ nodes(ids: ["Tm9wZTowMWEy"]) { id } }', 'Invalid global ID: Tm9wZTowMWEy'],
  ])('%s: BAD_USER_INPUT', async (_name, query, message) => {
    const { body } = await post({ query });
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('a variable that does not coerce names the variable, with BAD_USER_INPUT', async () => {
    const { body } = await post({ query: 'query Page($first: Int) { people(first: $first) { totalCount } }', variables: { first: 'ten' } });
    expect(body.errors).toEqual([
      expect.objectContaining({ message: expect.stringMatching(/^Variable "\$first" got invalid value "ten"/), extensions: { code: 'BAD_USER_INPUT' } }),
    ]);
  });

  it('a date variable keeps its own BAD_USER_INPUT message', async () => {
    const { body } = await post({
      query: 'query Page($after: DateTime) { people(filter: { updatedAt: { after: $after } }, first: 1) { totalCount } }',
      variables: { after: '2026-02-30T00:00:00Z' },
    });
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('item 3: an unexpected error in any phase is one error line with its request id', () => {
  it.each(['parse', 'validate', 'context', 'variables', 'serialise'])('in %s: masked, 500, logged once at error level', async (phase) => {
    const { status, requestId, body } = await post({ query: 'query Page($first: Int) { people(first: $first) { totalCount } }', variables: { first: 1 } }, {
      app: faulty,
      headers: { 'x-fail-in': phase },
    });
    expect(status).toBe(500);
    expect(body).toEqual({
      errors: [{ message: `Unexpected error. Quote request id ${requestId} when reporting it.`, extensions: { code: 'INTERNAL_SERVER_ERROR', requestId } }],
    });
    const lines = errorLinesFor(logs.entries, requestId);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.msg).toBe('unexpected error');
    expect(lines[0]!.fields.error).toMatchObject({ message: expect.stringMatching(phase === 'serialise' ? /BigInt/ : `injected failure in ${phase}`), stack: expect.any(String) });
  });

  it('the same app answers a request that injects nothing', async () => {
    const { status, body } = await post({ query: '{ people(first: 1) { totalCount } }' }, { app: faulty });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { people: { totalCount: 0 } } });
  });
});
