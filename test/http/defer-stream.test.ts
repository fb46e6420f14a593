import { type DocumentNode, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../src/db/prisma.ts';
import { createApp } from '../../src/yoga.ts';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { allPayloads, type IncrementalPayload, incrementalPayloads } from '../support/incremental.ts';
import { captureLogs, errorLinesFor } from '../support/log-capture.ts';

// @defer and @stream through yoga's incremental delivery, over both transports a client can
// accept, with the project's plugins in place: plugin-prisma's query planning (a deferred
// relation is loaded after the first payload, for the right person of the right organisation),
// the operation limits, the bad-value check and the masking of unexpected errors.

const CreatePerson = graphql(`
  mutation DeferCreatePerson($input: PersonInput!) {
    createPerson(input: $input) { __typename ... on CreatePersonSuccess { person { id } } }
  }
`);

const UpdatePerson = graphql(`
  mutation DeferUpdatePerson($id: ID!, $input: UpdatePersonInput!) {
    updatePerson(id: $id, input: $input) { __typename }
  }
`);

// The documents with @defer/@stream are typed for the variables; their incremental results are
// read as payloads (graphql-request reads one JSON result only).
const PersonThenTimeline = graphql(`
  query DeferPersonThenTimeline($id: ID!) {
    person(id: $id) {
      id
      fullName
      ... @defer(label: "timeline") {
        timeline(first: 10) { edges { node { type person { id } } } }
      }
    }
  }
`);

const StreamedPeople = graphql(`
  query DeferStreamedPeople {
    people(first: 4, orderBy: [{ field: FAMILY_NAME, direction: ASC }]) {
      edges @stream(initialCount: 1) { node { familyName } }
    }
  }
`);

const NodeThenTimeline = graphql(`
  query DeferNodeThenTimeline($id: ID!) {
    node(id: $id) {
      id
      ... on Person @defer { timeline(first: 10) { edges { node { type } } } }
    }
  }
`);

const PeopleThenTimelines = graphql(`
  query DeferPeopleThenTimelines {
    people(first: 10) {
      edges { node { id ... @defer { timeline(first: 10) { edges { node { person { id } } } } } } }
    }
  }
`);

const DeferredTooMuch = graphql(`
  query DeferredTooMuch {
    people(first: 100) {
      edges { node { id ... @defer { timeline(first: 100) { edges { node { id type actor { id } person { id fullName } } } } } } }
    }
  }
`);

const DeferredBadCursor = graphql(`
  query DeferredBadCursor($id: ID!) {
    person(id: $id) { id ... @defer { timeline(first: 5, after: "not a cursor") { edges { node { id } } } } }
  }
`);

let test: TestApp;
let acme: TestClient;
let globex: TestClient;
let stella: string;
let globexPerson: string;

async function createPerson(client: TestClient, familyName: string): Promise<string> {
  const result = await client.request(CreatePerson, { input: { givenName: 'Stella', familyName } });
  if (result.createPerson.__typename !== 'CreatePersonSuccess') throw new Error(result.createPerson.__typename);
  return result.createPerson.person.id;
}

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test, 'Acme');
  globex = await createOrgClient(test, 'Globex');
  stella = await createPerson(acme, 'Altois');
  await acme.request(UpdatePerson, { id: stella, input: { jobTitle: 'Brewer' } });
  for (const familyName of ['Brabant', 'Cuvee', 'Duvel']) await createPerson(acme, familyName);
  globexPerson = await createPerson(globex, 'Globex');
  await globex.request(UpdatePerson, { id: globexPerson, input: { jobTitle: 'Spy' } });
});

afterAll(async () => {
  await test?.close();
});

function post(app: { fetch: TestApp['app']['fetch'] }, client: TestClient, accept: string, body: object): Promise<Response> {
  return Promise.resolve(
    app.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept, authorization: `Bearer ${client.apiKey}` },
      body: JSON.stringify(body),
    }),
  );
}

const query = (document: DocumentNode) => print(document);

/**
 * The app over a Prisma client that holds every statement loading a person's timeline until
 * released (or fails it): what was sent before that statement has provably been sent without it.
 */
function appWithHeldTimeline(fail?: Error) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let held = 0;
  const prisma = test.prisma.$extends({
    query: {
      person: {
        async $allOperations({ args, query: run }) {
          const select = (args as { select?: Record<string, unknown> }).select;
          if (select && 'timelineEvents' in select) {
            held += 1;
            await released;
            if (fail) throw fail;
          }
          return run(args);
        },
      },
    },
  }) as unknown as PrismaClient;
  const logs = captureLogs();
  const app = createApp({ prisma, log: logs.log, dbSchema: test.schema });
  return { app, logs, release, held: () => held };
}

describe.each(['multipart/mixed', 'text/event-stream'])('@defer and @stream as %s', (accept) => {
  it('sends the person first and their timeline when it is loaded', async () => {
    const { app, release, held } = appWithHeldTimeline();
    const response = await post(app, acme, accept, { query: query(PersonThenTimeline), variables: { id: stella } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain(accept);
    const payloads = incrementalPayloads(response);

    const first = (await payloads.next()).value as IncrementalPayload;
    expect(first).toEqual({ data: { person: { id: stella, fullName: 'Stella Altois' } }, hasNext: true });
    // The person has arrived while the statement loading the timeline cannot have returned.
    release();

    const rest: IncrementalPayload[] = [];
    for await (const payload of payloads) rest.push(payload);
    expect(rest.at(-1)?.hasNext).toBe(false);
    expect(held()).toBe(1);
    const parts = rest.flatMap((payload) => payload.incremental ?? []);
    expect(parts).toEqual([
      {
        path: ['person'],
        label: 'timeline',
        data: {
          timeline: {
            edges: [
              { node: { type: 'PERSON_UPDATED', person: { id: stella } } },
              { node: { type: 'PERSON_CREATED', person: { id: stella } } },
            ],
          },
        },
      },
    ]);
  });

  it('streams a list: the first item with the page, the others in later payloads, in order', async () => {
    const payloads = await allPayloads(await post(test.app, acme, accept, { query: query(StreamedPeople) }));
    expect(payloads[0]).toEqual({ data: { people: { edges: [{ node: { familyName: 'Altois' } }] } }, hasNext: true });
    const streamed = payloads.slice(1).flatMap((payload) => payload.incremental ?? []);
    // Each further edge comes as its own part, at its own index.
    expect(streamed).toEqual([
      { items: [{ node: { familyName: 'Brabant' } }], path: ['people', 'edges', 1] },
      { items: [{ node: { familyName: 'Cuvee' } }], path: ['people', 'edges', 2] },
      { items: [{ node: { familyName: 'Duvel' } }], path: ['people', 'edges', 3] },
    ]);
    expect(payloads.at(-1)?.hasNext).toBe(false);
  });

  it('masks an unexpected failure inside a deferred part and logs it once', async () => {
    const { app, logs, release } = appWithHeldTimeline(new Error('connection to secret-host:5432 failed'));
    release();
    const response = await post(app, acme, accept, { query: query(PersonThenTimeline), variables: { id: stella } });
    const requestId = response.headers.get('x-request-id')!;
    const payloads = await allPayloads(response);
    expect(payloads[0]!.data).toEqual({ person: { id: stella, fullName: 'Stella Altois' } });
    const errors = payloads.flatMap((payload) => [...(payload.errors ?? []), ...(payload.incremental ?? []).flatMap((part) => part.errors ?? [])]);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.message).toBe(`Unexpected error. Quote request id ${requestId} when reporting it.`);
    expect(errors[0]!.extensions).toMatchObject({ code: 'INTERNAL_SERVER_ERROR', requestId });
    expect(JSON.stringify(payloads)).not.toContain('secret-host');
    expect(errorLinesFor(logs.entries, requestId)).toHaveLength(1);
  });
});

describe('a deferred Prisma relation', () => {
  it('loads each person\'s own timeline, and nothing of another organisation', async () => {
    test.sql.length = 0;
    const payloads = await allPayloads(await post(test.app, acme, 'multipart/mixed', { query: query(PeopleThenTimelines) }));
    const first = payloads[0]!.data as { people: { edges: { node: { id: string } }[] } };
    const ids = first.people.edges.map((edge) => edge.node.id);
    expect(ids).toHaveLength(4);
    expect(ids).not.toContain(globexPerson);
    const parts = payloads.flatMap((payload) => payload.incremental ?? []);
    expect(parts).toHaveLength(4);
    for (const part of parts) {
      const [, , index] = part.path as [string, string, number];
      const owners = (part.data as { timeline: { edges: { node: { person: { id: string } } }[] } }).timeline.edges.map((edge) => edge.node.person.id);
      expect(owners.length).toBeGreaterThan(0);
      expect(new Set(owners)).toEqual(new Set([ids[index]]));
    }
    // The page's statement does not read the timeline; one more statement loads it for the page.
    const timelineStatements = test.sql.filter((statement) => statement.includes('"TimelineEvent"'));
    expect(timelineStatements).toHaveLength(1);
    expect(test.sql.find((statement) => statement.includes('"Person"'))).not.toContain('"TimelineEvent"');
  });

  it('of another organisation\'s person gives null and no deferred part', async () => {
    const payloads = await allPayloads(await post(test.app, acme, 'multipart/mixed', { query: query(NodeThenTimeline), variables: { id: globexPerson } }));
    // Nothing to defer: a single, complete result.
    expect(payloads).toEqual([{ data: { node: null } }]);
    const own = await allPayloads(await post(test.app, globex, 'multipart/mixed', { query: query(NodeThenTimeline), variables: { id: globexPerson } }));
    const timeline = own.flatMap((payload) => payload.incremental ?? [])[0]?.data as { timeline: { edges: unknown[] } };
    expect(timeline.timeline.edges).toHaveLength(2);
  });
});

describe('limits count deferred parts', () => {
  it('refuses an operation whose deferred parts cost too much, before any SQL', async () => {
    test.sql.length = 0;
    const response = await post(test.app, acme, 'multipart/mixed', { query: query(DeferredTooMuch) });
    const payloads = await allPayloads(response);
    expect(payloads).toHaveLength(1);
    expect(payloads[0]!.data).toBeUndefined();
    expect(payloads[0]!.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'complexity' });
    expect(test.sql.filter((statement) => !/"ApiKey"/.test(statement))).toEqual([]);
  });

  it('refuses a bad cursor inside a deferred fragment', async () => {
    const payloads = await allPayloads(await post(test.app, acme, 'text/event-stream', { query: query(DeferredBadCursor), variables: { id: stella } }));
    expect(payloads).toHaveLength(1);
    expect(payloads[0]!.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

describe('a client that accepts only one JSON result', () => {
  it.each(['application/graphql-response+json', 'application/json'])('is told to accept parts (Accept: %s), before any SQL', async (accept) => {
    test.sql.length = 0;
    const response = await post(test.app, acme, accept, { query: query(PersonThenTimeline), variables: { id: stella } });
    expect(response.status).toBe(406);
    const body = (await response.json()) as IncrementalPayload;
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      expect.objectContaining({ message: expect.stringContaining('send Accept: multipart/mixed or text/event-stream'), extensions: { code: 'NOT_ACCEPTABLE' } }),
    ]);
    expect(test.sql.filter((statement) => !/"ApiKey"/.test(statement))).toEqual([]);
  });
});
