import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GraphQLFieldResolver, type GraphQLSchema, isObjectType, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryRateLimitStore } from '../../src/http/rate-limit-store.ts';
import { createLogger } from '../../src/logger.ts';
import { schema } from '../../src/schema/index.ts';
import { federationSchema } from '../../src/graphql/subgraph.ts';
import { startTracing, type Tracing } from '../../src/telemetry/tracing.ts';
import { type App, createApp } from '../../src/yoga.ts';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';

/**
 * Per-field work on every request is the most expensive kind there is (a page of 50 runs some
 * 5,000 resolvers). Nothing may wrap /graphql's resolvers: a plugin that times or traces each
 * field (Apollo's ftv1, envelop's resolver metrics or spans) would do so for every request.
 */
const PeopleWithNotes = graphql(`
  query PeopleWithNotes { people(first: 5) { totalCount edges { node { id fullName notes(first: 3) { totalCount edges { node { id description } } } } } } }
`);

type Resolvers = Map<string, GraphQLFieldResolver<unknown, unknown> | undefined>;

/** Every object field's resolver, by `Type.field` (introspection types left out). */
function resolversOf(target: GraphQLSchema): Resolvers {
  const resolvers: Resolvers = new Map();
  for (const type of Object.values(target.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) resolvers.set(`${type.name}.${field.name}`, field.resolve);
  }
  return resolvers;
}

// Before any app exists: the resolvers as Pothos built them.
const built = resolversOf(schema);

let test: TestApp;
let acme: TestClient;
let app: App;
let tracing: Tracing;
let collector: Server;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
  // Spans are exported somewhere that accepts them; what they say is tracing.test.ts' business.
  collector = createServer((request, response) => request.resume().on('end', () => response.writeHead(200).end('{}')));
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  tracing = startTracing({ endpoint: `http://127.0.0.1:${(collector.address() as AddressInfo).port}` });
  // Every option that adds a plugin on.
  app = createApp({
    prisma: test.prisma,
    log: createLogger('error'),
    dbSchema: test.schema,
    tracing,
    metricsToken: 'scrape',
    apq: true,
    rateLimit: { capacity: 1_000_000, refillPerSecond: 1_000, store: memoryRateLimitStore() },
  });
});
afterAll(async () => {
  await tracing?.shutdown();
  collector?.close();
  await test?.close();
});

async function post(path: string, headers: Record<string, string> = {}): Promise<{ data?: unknown; extensions?: { ftv1?: unknown } }> {
  const response = await app.fetch(`http://test${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${acme.apiKey}`, ...headers },
    body: JSON.stringify({ query: print(PeopleWithNotes) }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { data?: unknown; extensions?: { ftv1?: unknown } };
}

describe('per-field work', () => {
  it('leaves every resolver of /graphql as Pothos built it, with every plugin on, even when a trace is asked for there', async () => {
    const plain = await post('/graphql');
    const traceAsked = await post('/graphql', { 'apollo-federation-include-trace': 'ftv1' });
    // The gateway's endpoint, traced and not, served by the same app.
    const subgraphTraced = await post('/subgraph', { 'apollo-federation-include-trace': 'ftv1' });
    const subgraphPlain = await post('/subgraph');

    // The schema yoga executes on /graphql (the public one, with @defer and @stream added):
    // its resolvers are the ones Pothos built.
    const executed = app.getEnveloped({ request: new Request('http://test/graphql') }).schema;
    const now = resolversOf(executed);
    expect(now.size).toBe(built.size);
    const wrapped = [...now].filter(([name, resolve]) => resolve !== built.get(name)).map(([name]) => name);
    expect(wrapped).toEqual([]);

    // Traces are for a gateway, on its endpoint only.
    expect(traceAsked.data).toEqual(plain.data);
    expect(traceAsked.extensions?.ftv1).toBeUndefined();
    expect(typeof subgraphTraced.extensions?.ftv1).toBe('string');
    expect(subgraphPlain.extensions?.ftv1).toBeUndefined();
  });

  it('gives the federation schema field objects of its own, so that what wraps them there stays there', () => {
    const subgraph = federationSchema(schema, 'People');
    expect(subgraph).not.toBe(schema);
    const shared: string[] = [];
    for (const type of Object.values(subgraph.getTypeMap())) {
      const publicType = schema.getType(type.name);
      if (!isObjectType(type) || type.name.startsWith('__') || !isObjectType(publicType)) continue;
      const publicFields = publicType.getFields();
      for (const field of Object.values(type.getFields())) if (field === publicFields[field.name]) shared.push(`${type.name}.${field.name}`);
    }
    expect(shared).toEqual([]);
  });
});
