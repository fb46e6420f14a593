import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, IntrospectAndCompose, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { composeServices as composeServicesIndependently } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../../src/shared/global-ids.ts';
import { subgraphEndpoint } from '../../src/yoga.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';

/**
 * This server behind a real Apollo Gateway (inside Apollo Server), composed with a second subgraph
 * written here, every part on its own loopback port. The second subgraph is what another team
 * would write: a Relay subgraph of its own (Node, Query.node, Query.nodes), with its own Error
 * interface, ValidationError and FieldError in shapes unlike ours, that references our people by
 * global id and by external id and gives Person a field of its own.
 */
const dealsSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@shareable", "@external"])

  interface Node { id: ID! }

  interface Error { message: String! code: String! }
  type FieldError { field: String! reason: String! }
  type ValidationError implements Error { message: String! code: String! errors: [FieldError!]! }

  type Deal implements Node @key(fields: "id") {
    id: ID!
    title: String!
    "The person the deal is with, as our people subgraph knows them."
    person: Person
  }

  """
  A person as the CRM knows them: by its own external id. Reached from the people subgraph by
  either key; the global id is theirs to give (@external), so a deal's person is found by external id.
  """
  type Person @key(fields: "id") @key(fields: "externalId") {
    id: ID! @external
    externalId: String!
    deals: [Deal!]!
  }

  type PageInfo @shareable { hasNextPage: Boolean! hasPreviousPage: Boolean! startCursor: String endCursor: String }

  union SaveDealResult = Deal | ValidationError

  type Query {
    node(id: ID!): Node
    nodes(ids: [ID!]!): [Node]!
    deals: [Deal!]!
    "Many deals at once: the gateway sends all their people in one _entities call."
    bulkDeals: [Deal!]!
  }

  type Mutation { saveDeal(title: String!): SaveDealResult! }
`;

/** A deal, with both ids of its person: the CRM links people by its external id, and knows ours. */
interface Deal { id: string; title: string; personId: string; externalId: string }
/** A Person representation the gateway sends: by one key or the other. */
type PersonReference = { id: string; externalId?: undefined } | { id?: undefined; externalId: string };

/** More deals than a client's list argument may hold (100), each with a person of its own. */
const bulkDeals: Deal[] = Array.from({ length: 300 }, (_, n) => ({ id: `bulk-${n}`, title: `Bulk ${n}`, personId: '', externalId: n === 0 ? 'crm-5' : `bulk-${n}` }));

function dealsSchema(deals: Deal[]) {
  const dealById = (id: string) => deals.find((deal) => deal.id === id) ?? null;
  return buildSubgraphSchema({
    typeDefs: parse(dealsSdl),
    resolvers: {
      Query: {
        deals: () => deals,
        bulkDeals: () => bulkDeals,
        node: (_: unknown, { id }: { id: string }) => dealById(id),
        nodes: (_: unknown, { ids }: { ids: string[] }) => ids.map(dealById),
      },
      Mutation: {
        saveDeal: (_: unknown, { title }: { title: string }) =>
          title
            ? { __typename: 'Deal', id: 'deal-new', title, personId: '', externalId: '' }
            : { __typename: 'ValidationError', message: 'Invalid deal', code: 'INVALID', errors: [{ field: 'title', reason: 'empty' }] },
      },
      Node: { __resolveType: () => 'Deal' },
      Error: { __resolveType: () => 'ValidationError' },
      SaveDealResult: { __resolveType: (value: { __typename: string }) => value.__typename },
      Deal: {
        __resolveReference: ({ id }: { id: string }) => dealById(id),
        // The external id only: the people subgraph gives the rest, the global id included.
        person: (deal: Deal) => ({ externalId: deal.externalId }),
      },
      Person: {
        __resolveReference: (reference: PersonReference) => reference,
        deals: (person: PersonReference) =>
          deals.filter((deal) => (person.id !== undefined ? deal.personId === person.id : deal.externalId === person.externalId)),
      },
    },
  });
}

/** What the gateway sent to a subgraph and what it got back. */
interface SubgraphCall { subgraph: string; query: string; variables: Record<string, unknown>; ftv1: boolean; authorization: string | null }

let test: TestApp;
let acme: TestClient;
let globex: TestClient;
const servers: Server[] = [];
let apollo: ApolloServer<GatewayContext> | undefined;
let gatewayUrl: string;
let peopleUrl: string;
let dealsUrl: string;
const calls: SubgraphCall[] = [];
/** Each traced request's subgraph fetches, as the gateway decoded their ftv1 traces. */
const tracedFetches: { serviceName: string; traced: boolean }[][] = [];
const acmePeople: { id: string; externalId: string }[] = [];
let globexPerson: { id: string; externalId: string };
let deals: Deal[];

interface GatewayContext { authorization?: string; trace: boolean }

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Sets Apollo's own switch for collecting subgraph traces, as its usage reporting would. */
const traceWhenAsked: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart({ contextValue, metrics }) {
    metrics.captureTraces = contextValue.trace;
    return {
      async willSendResponse({ metrics }) {
        if (contextValue.trace) tracedFetches.push(fetchesOf(metrics.queryPlanTrace));
      },
    };
  },
};

interface PlanNode {
  sequence?: { nodes?: PlanNode[] | null } | null;
  parallel?: { nodes?: PlanNode[] | null } | null;
  flatten?: { node?: PlanNode | null } | null;
  fetch?: { serviceName?: string | null; trace?: { root?: unknown } | null } | null;
}

function fetchesOf(node: PlanNode | null | undefined): { serviceName: string; traced: boolean }[] {
  if (!node) return [];
  if (node.fetch) return [{ serviceName: node.fetch.serviceName ?? '', traced: Boolean(node.fetch.trace?.root) }];
  const children = [...(node.sequence?.nodes ?? []), ...(node.parallel?.nodes ?? []), ...(node.flatten?.node ? [node.flatten.node] : [])];
  return children.flatMap(fetchesOf);
}

beforeAll(async () => {
  // The gateway would otherwise report usage metrics to Apollo over the internet.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  // A TTL longer than the file's run: statement counts never include a second key lookup.
  test = await createTestApp({ apiKeyCache: { ttlMs: 600_000 } });
  acme = await createOrgClient(test, 'Acme');
  globex = await createOrgClient(test, 'Globex');
  for (let n = 0; n < 6; n++) {
    const person = await test.prisma.person.create({
      data: { organizationId: acme.organizationId, givenName: 'Ada', familyName: `P${n}`, externalId: `crm-${n}` },
    });
    acmePeople.push({ id: encodeGlobalId('Person', person.id), externalId: `crm-${n}` });
  }
  // Globex has a person with the same external id as one of Acme's, and one of its own.
  await test.prisma.person.create({ data: { organizationId: globex.organizationId, familyName: 'Twin', externalId: 'crm-0' } });
  const secret = await test.prisma.person.create({ data: { organizationId: globex.organizationId, familyName: 'Secret', externalId: 'globex-1' } });
  globexPerson = { id: encodeGlobalId('Person', secret.id), externalId: 'globex-1' };
  // External ids may repeat within an organisation: one that two of Acme's people share names no one.
  for (const familyName of ['Dup A', 'Dup B']) {
    await test.prisma.person.create({ data: { organizationId: acme.organizationId, familyName, externalId: 'dup-1' } });
  }
  deals = [
    ...acmePeople.slice(0, 4).map((person, n) => ({ id: `deal-${n}`, title: `Deal ${n}`, personId: person.id, externalId: person.externalId })),
    { id: 'deal-globex', title: 'Leaked?', personId: globexPerson.id, externalId: globexPerson.externalId },
    { id: 'deal-dup', title: 'Ambiguous', personId: '', externalId: 'dup-1' },
  ];

  peopleUrl = `${await listen(createServer(test.app))}${subgraphEndpoint}`;
  dealsUrl = `${await listen(createServer(createYoga({ schema: dealsSchema(deals), graphqlEndpoint: '/graphql', logging: false })))}/graphql`;

  const gateway = new ApolloGateway({
    supergraphSdl: new IntrospectAndCompose({ subgraphs: [{ name: 'people', url: peopleUrl }, { name: 'deals', url: dealsUrl }] }),
    buildService: ({ name, url }) =>
      new RemoteGraphQLDataSource<GatewayContext>({
        url,
        // Tenancy: each client's key goes with every request the gateway makes for it.
        willSendRequest({ request, context }) {
          if (context.authorization) request.http?.headers.set('authorization', context.authorization);
          const call = {
            subgraph: name,
            query: request.query ?? '',
            variables: request.variables ?? {},
            ftv1: false,
            authorization: request.http?.headers.get('authorization') ?? null,
          };
          // The request didReceiveResponse gets is a copy: a header says which call it answers.
          request.http?.headers.set('x-test-call', String(calls.push(call) - 1));
        },
        async didReceiveResponse({ request, response }) {
          const call = calls[Number(request.http?.headers.get('x-test-call'))];
          if (call) call.ftv1 = typeof response.extensions?.ftv1 === 'string';
          return response;
        },
      }),
  });
  apollo = new ApolloServer<GatewayContext>({ gateway, plugins: [traceWhenAsked], includeStacktraceInErrorResponses: false });
  const { url } = await startStandaloneServer(apollo, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization, trace: req.headers['x-test-trace'] === 'yes' }),
  });
  gatewayUrl = url;
});

afterAll(async () => {
  await apollo?.stop();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await test?.close();
});

interface GatewayResult<Data> { data?: Data; errors?: { message: string; extensions?: Record<string, unknown> }[] }

/** A query to the gateway over HTTP, as a client of the supergraph sends it. */
async function viaGateway<Data>(client: TestClient | null, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(client ? { authorization: `Bearer ${client.apiKey}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GatewayResult<Data>;
}

const entitiesCalls = (subgraph: string) => calls.filter((call) => call.subgraph === subgraph && call.query.includes('_entities'));

async function sdlOf(url: string): Promise<string> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ _service { sdl } }' }) });
  return ((await response.json()) as { data: { _service: { sdl: string } } }).data._service.sdl;
}

describe('Composition with another Relay subgraph that has its own error types', () => {
  it('composes with @apollo/composition and with @theguild/federation-composition', async () => {
    const subgraphs = [
      { name: 'people', url: peopleUrl, typeDefs: parse(await sdlOf(peopleUrl)) },
      { name: 'deals', url: dealsUrl, typeDefs: parse(dealsSdl) },
    ];
    const apolloResult = composeServices(subgraphs);
    expect(apolloResult.errors?.map((error) => error.message) ?? []).toEqual([]);
    const guildResult = composeServicesIndependently(subgraphs);
    expect(guildResult.errors?.map((error) => error.message) ?? []).toEqual([]);
    for (const supergraphSdl of [apolloResult.supergraphSdl!, 'supergraphSdl' in guildResult ? guildResult.supergraphSdl : '']) {
      // Their Error, ValidationError and FieldError, ours prefixed beside them; their node.
      expect(supergraphSdl).toMatch(/interface Error\b/);
      expect(supergraphSdl).toMatch(/interface PeopleError\b/);
      expect(supergraphSdl).toMatch(/type PeopleValidationError implements PeopleError\b/);
      expect(supergraphSdl).toMatch(/type PeopleFieldError\b/);
      expect(supergraphSdl).toMatch(/type FieldError\b/);
    }
  });

  it('composes its public /graphql SDL only without them: the subgraph endpoint is what a gateway needs', async () => {
    const publicSdl = await sdlOf(peopleUrl.replace(subgraphEndpoint, '/graphql'));
    const result = composeServices([
      { name: 'people', url: peopleUrl, typeDefs: parse(publicSdl) },
      { name: 'deals', url: dealsUrl, typeDefs: parse(dealsSdl) },
    ]);
    expect(result.errors?.map((error) => error.message).join('\n')).toMatch(/Query\.node/);
  });
});

describe('Queries through the gateway', () => {
  it('joins their deals to our people: one _entities call and one SQL statement for all of them', async () => {
    await viaGateway(acme, '{ viewer { id } }'); // the key lookup, then cached
    calls.length = 0;
    test.sql.length = 0;
    const { data, errors } = await viaGateway<{ deals: { title: string; person: { fullName: string; externalId: string } | null }[] }>(
      acme,
      '{ deals { title person { fullName externalId } } }',
    );
    expect(errors).toBeUndefined();
    expect(data!.deals).toEqual([
      { title: 'Deal 0', person: { fullName: 'Ada P0', externalId: 'crm-0' } },
      { title: 'Deal 1', person: { fullName: 'Ada P1', externalId: 'crm-1' } },
      { title: 'Deal 2', person: { fullName: 'Ada P2', externalId: 'crm-2' } },
      { title: 'Deal 3', person: { fullName: 'Ada P3', externalId: 'crm-3' } },
      // Another organisation's person, whatever the other subgraph holds, is not Acme's to see.
      { title: 'Leaked?', person: null },
      { title: 'Ambiguous', person: null },
    ]);
    // The CRM links people by external id: that is the key the gateway sent.
    expect(entitiesCalls('people')[0]!.variables.representations).toEqual(
      deals.map((deal) => ({ __typename: 'Person', externalId: deal.externalId })),
    );
    expect(entitiesCalls('people')).toHaveLength(1);
    expect(test.sql).toHaveLength(1);
    // The client's key went with the gateway's request.
    expect(entitiesCalls('people')[0]!.authorization).toBe(`Bearer ${acme.apiKey}`);
  });

  it('gives our people their deals: one _entities call to the deals subgraph for the whole page', async () => {
    calls.length = 0;
    test.sql.length = 0;
    const { data, errors } = await viaGateway<{ people: { nodes: { fullName: string; deals: { title: string }[] }[] } }>(
      acme,
      '{ people(first: 5) { nodes { fullName deals { title } } } }',
    );
    expect(errors).toBeUndefined();
    expect(data!.people.nodes).toEqual([
      { fullName: 'Ada P0', deals: [{ title: 'Deal 0' }] },
      { fullName: 'Ada P1', deals: [{ title: 'Deal 1' }] },
      { fullName: 'Ada P2', deals: [{ title: 'Deal 2' }] },
      { fullName: 'Ada P3', deals: [{ title: 'Deal 3' }] },
      { fullName: 'Ada P4', deals: [] },
    ]);
    expect(entitiesCalls('deals')).toHaveLength(1);
    expect(calls.filter((call) => call.subgraph === 'people')).toHaveLength(1);
    expect(test.sql).toHaveLength(1);
  });

  it("takes a gateway's whole batch in one call, beyond a client's 100 items per list", async () => {
    calls.length = 0;
    test.sql.length = 0;
    const { data, errors } = await viaGateway<{ bulkDeals: { person: { fullName: string } | null }[] }>(acme, '{ bulkDeals { person { fullName } } }');
    expect(errors).toBeUndefined();
    expect(data!.bulkDeals).toHaveLength(300);
    expect(data!.bulkDeals[0]).toEqual({ person: { fullName: 'Ada P5' } });
    expect(data!.bulkDeals.slice(1).every((deal) => deal.person === null)).toBe(true);
    expect(entitiesCalls('people')).toHaveLength(1);
    expect(entitiesCalls('people')[0]!.variables.representations).toHaveLength(300);
    expect(test.sql).toHaveLength(1);
  });

  it("keeps each organisation's people to its own API key, whatever the other subgraph sends", async () => {
    const query = '{ deals { title person { fullName } } }';
    const fromGlobex = await viaGateway<{ deals: { title: string; person: { fullName: string } | null }[] }>(globex, query);
    expect(fromGlobex.errors).toBeUndefined();
    // Globex's crm-0 is its own Twin, never Acme's Ada P0; Acme's other people are not there.
    expect(fromGlobex.data!.deals.map((deal) => deal.person?.fullName ?? null)).toEqual(['Twin', null, null, null, 'Secret', null]);
    // By id too: Globex's person asked for with Acme's key is null, and their deals never reach us.
    const byId = await viaGateway<{ person: unknown }>(acme, 'query($id: ID!) { person(id: $id) { fullName deals { title } } }', { id: globexPerson.id });
    expect(byId).toEqual({ data: { person: null } });
  });

  it('serves their node(id) and our person(id) side by side', async () => {
    const { data, errors } = await viaGateway<{ node: { id: string; title: string } | null; person: { fullName: string; deals: { title: string }[] } | null }>(
      acme,
      'query($deal: ID!, $person: ID!) { node(id: $deal) { id ... on Deal { title } } person(id: $person) { fullName deals { title } } }',
      { deal: 'deal-2', person: acmePeople[2]!.id },
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({ node: { id: 'deal-2', title: 'Deal 2' }, person: { fullName: 'Ada P2', deals: [{ title: 'Deal 2' }] } });
  });

  it('answers our typed errors under their prefixed names, and theirs under their own', async () => {
    const { data, errors } = await viaGateway<{
      createPerson: { __typename: string; fieldErrors?: { path: string[] }[]; message?: string };
      saveDeal: { __typename: string; errors?: { field: string }[] };
    }>(
      acme,
      `mutation {
        createPerson(input: { familyName: "", emails: ["not an email"] }) {
          __typename
          ... on PeopleError { message }
          ... on PeopleValidationError { fieldErrors { path } }
        }
        saveDeal(title: "") { __typename ... on ValidationError { errors { field } } }
      }`,
    );
    expect(errors).toBeUndefined();
    expect(data!.createPerson.__typename).toBe('PeopleValidationError');
    expect(data!.createPerson.fieldErrors!.length).toBeGreaterThan(0);
    expect(data!.saveDeal).toEqual({ __typename: 'ValidationError', errors: [{ field: 'title' }] });
  });

  it('sends ftv1 traces when the gateway asks for them, and none otherwise', async () => {
    calls.length = 0;
    tracedFetches.length = 0;
    const traced = await viaGateway(acme, '{ deals { title person { fullName } } }', {}, { 'x-test-trace': 'yes' });
    expect(traced.errors).toBeUndefined();
    expect(calls.find((call) => call.subgraph === 'people')).toMatchObject({ ftv1: true });
    // The gateway decoded it into its query plan trace.
    expect(tracedFetches).toHaveLength(1);
    expect(tracedFetches[0]).toContainEqual({ serviceName: 'people', traced: true });
    calls.length = 0;
    await viaGateway(acme, '{ deals { title person { fullName } } }');
    expect(calls.find((call) => call.subgraph === 'people')).toMatchObject({ ftv1: false });
  });

  it('refuses every request without a key at our subgraph, so no data leaves it', async () => {
    calls.length = 0;
    const { data, errors } = await viaGateway<{ deals: { person: unknown }[] }>(null, '{ deals { title person { fullName } } }');
    expect(errors).toMatchObject([{ extensions: { code: 'UNAUTHENTICATED', response: { status: 401 } } }]);
    expect(data!.deals.map((deal) => deal.person)).toEqual(deals.map(() => null));
    expect(entitiesCalls('people')).toMatchObject([{ authorization: null }]);
  });
});
