import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { PersonInput, TimelineEventType } from '../generated/graphql.ts';
import {
  createOrgClient,
  createTestApp,
  createUserClient,
  expectGraphQLError,
  type TestApp,
  type TestClient,
} from '../support/app.ts';

const CreatePerson = graphql(`
  mutation TimelineCreatePerson($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id companies { nodes { id } } } }
    }
  }
`);

const UpdatePerson = graphql(`
  mutation TimelineUpdatePerson($id: ID!, $input: UpdatePersonInput!) {
    updatePerson(id: $id, input: $input) {
      __typename
      ... on UpdatePersonSuccess { person { id companies { nodes { id } } } }
    }
  }
`);

const ArchivePerson = graphql(`
  mutation TimelineArchivePerson($id: ID!) {
    archivePerson(id: $id) { __typename }
  }
`);

const PersonTimeline = graphql(`
  query PersonTimeline(
    $id: ID!
    $first: Int
    $after: String
    $last: Int
    $before: String
    $types: [TimelineEventType!]
    $occurredAfter: DateTime
    $occurredBefore: DateTime
  ) {
    person(id: $id) {
      timeline(
        first: $first
        after: $after
        last: $last
        before: $before
        types: $types
        occurredAfter: $occurredAfter
        occurredBefore: $occurredBefore
      ) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage endCursor startCursor }
        edges { cursor node { id type occurredAt actor { id } person { id } data } }
      }
    }
  }
`);

const TimelineEventById = graphql(`
  query TimelineEventById($id: ID!) {
    timelineEvent(id: $id) { id type person { id } }
    node(id: $id) { __typename id ... on TimelineEvent { type } }
  }
`);

const TimelineEventOnly = graphql(`
  query TimelineEventOnly($id: ID!) {
    timelineEvent(id: $id) { id }
  }
`);

const Viewer = graphql(`
  query TimelineViewer { viewer { id } }
`);

const PersonInteractions = graphql(`
  query PersonInteractions($id: ID!) {
    person(id: $id) {
      interactionMetadata {
        user { approximateCount lastInteractedAt }
        workspace { approximateCount lastInteractedAt lastInteractedBy { id email } }
      }
    }
  }
`);

const PeopleInteractions = graphql(`
  query PeopleInteractions($first: Int!) {
    people(first: $first) {
      edges {
        node {
          id
          interactionMetadata {
            user { approximateCount lastInteractedAt }
            workspace { approximateCount lastInteractedAt lastInteractedBy { id } }
          }
        }
      }
    }
  }
`);

let test: TestApp;
let acme: TestClient;
let acmeUserGlobalId: string;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
  acmeUserGlobalId = (await acme.request(Viewer)).viewer.id;
});
afterAll(() => test?.close());

function globalId(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}

function databaseId(id: string): string {
  return Buffer.from(id, 'base64').toString().split(':')[1]!;
}

async function create(client: TestClient, input: PersonInput) {
  const { createPerson } = await client.request(CreatePerson, { input });
  if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(`createPerson: ${createPerson.__typename}`);
  return createPerson.person;
}

/** Events at fixed instants, so the order asserted never depends on the clock. */
async function backdatedEvents(
  client: TestClient,
  personId: string,
  events: { id: string; type: TimelineEventType; occurredAt: string; actorId?: string }[],
): Promise<void> {
  // The note, tag and group APIs that write these kinds are built on other branches.
  await test.prisma.timelineEvent.createMany({
    data: events.map((event) => ({
      id: event.id,
      organizationId: client.organizationId,
      personId: databaseId(personId),
      actorId: event.actorId ?? client.userId,
      type: event.type,
      occurredAt: new Date(event.occurredAt),
    })),
  });
}

const eventId = (n: number) => `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;

describe('Person.timeline', () => {
  it('shows what every person mutation recorded, with the changed fields before and after', async () => {
    const person = await create(acme, { familyName: 'Before', companies: [{ name: 'Old Co' }] });
    const updated = await acme.request(UpdatePerson, {
      id: person.id,
      input: { familyName: 'After', companies: [{ name: 'New Co' }] },
    });
    if (updated.updatePerson.__typename !== 'UpdatePersonSuccess') throw new Error(updated.updatePerson.__typename);
    await acme.request(ArchivePerson, { id: person.id });

    const { person: read } = await acme.request(PersonTimeline, { id: person.id, first: 10 });
    const nodes = read!.timeline.edges.map((edge) => edge.node);
    expect(read!.timeline.totalCount).toBe(3);
    expect(nodes.map((node) => node.type).sort()).toEqual(['PERSON_ARCHIVED', 'PERSON_CREATED', 'PERSON_UPDATED']);
    for (const node of nodes) {
      expect(node.actor).toEqual({ id: acmeUserGlobalId });
      expect(node.person).toEqual({ id: person.id });
    }
    expect(nodes.find((node) => node.type === 'PERSON_UPDATED')!.data).toEqual({
      changes: {
        familyName: { before: 'Before', after: 'After' },
        // Ids in event data are global, like every id the API shows.
        companies: { before: [person.companies.nodes[0]!.id], after: [updated.updatePerson.person.companies.nodes[0]!.id] },
      },
    });
    const occurred = nodes.map((node) => node.occurredAt);
    expect([...occurred].sort().reverse()).toEqual(occurred);
  });

  describe('with backdated events', () => {
    let personId: string;

    beforeAll(async () => {
      personId = (await create(acme, { familyName: 'Ordered' })).id;
      await backdatedEvents(acme, personId, [
        { id: eventId(1), type: 'TAG_ADDED', occurredAt: '2020-01-01T00:00:00.000Z' },
        { id: eventId(2), type: 'NOTE_ADDED', occurredAt: '2020-02-01T00:00:00.000Z' },
        // Two events of the same instant: the id breaks the tie.
        { id: eventId(4), type: 'TAG_ADDED', occurredAt: '2020-03-01T00:00:00.000Z' },
        { id: eventId(3), type: 'TAG_REMOVED', occurredAt: '2020-03-01T00:00:00.000Z' },
        { id: eventId(5), type: 'GROUP_JOINED', occurredAt: '2020-04-01T00:00:00.000Z' },
      ]);
    });

    const backdatedIds = (ids: number[]) => ids.map((n) => globalId('TimelineEvent', eventId(n)));

    it('lists newest first, breaks ties by id, and pages without overlap or gap', async () => {
      const page1 = await acme.request(PersonTimeline, { id: personId, first: 3 });
      const timeline1 = page1.person!.timeline;
      expect(timeline1.totalCount).toBe(6);
      expect(timeline1.edges[0]!.node.type).toBe('PERSON_CREATED');
      expect(timeline1.edges.slice(1).map((edge) => edge.node.id)).toEqual(backdatedIds([5, 4]));
      expect(timeline1.pageInfo.hasNextPage).toBe(true);

      const page2 = await acme.request(PersonTimeline, { id: personId, first: 3, after: timeline1.pageInfo.endCursor });
      expect(page2.person!.timeline.edges.map((edge) => edge.node.id)).toEqual(backdatedIds([3, 2, 1]));
      expect(page2.person!.timeline.pageInfo.hasNextPage).toBe(false);

      const last = await acme.request(PersonTimeline, { id: personId, last: 2 });
      expect(last.person!.timeline.edges.map((edge) => edge.node.id)).toEqual(backdatedIds([2, 1]));
    });

    it('filters by event types', async () => {
      const { person } = await acme.request(PersonTimeline, { id: personId, first: 10, types: ['TAG_ADDED', 'TAG_REMOVED'] });
      expect(person!.timeline.totalCount).toBe(3);
      expect(person!.timeline.edges.map((edge) => edge.node.id)).toEqual(backdatedIds([4, 3, 1]));
      const all = await acme.request(PersonTimeline, { id: personId, first: 10, types: [] });
      expect(all.person!.timeline.totalCount).toBe(6);
    });

    it('filters by a time range whose ends are excluded', async () => {
      const { person } = await acme.request(PersonTimeline, {
        id: personId,
        first: 10,
        occurredAfter: '2020-01-01T00:00:00.000Z',
        occurredBefore: '2020-04-01T00:00:00.000Z',
      });
      expect(person!.timeline.totalCount).toBe(3);
      expect(person!.timeline.edges.map((edge) => edge.node.id)).toEqual(backdatedIds([4, 3, 2]));

      const since = await acme.request(PersonTimeline, { id: personId, first: 10, occurredAfter: '2020-03-01T00:00:00.000Z' });
      expect(since.person!.timeline.edges.map((edge) => edge.node.type)).toEqual(['PERSON_CREATED', 'GROUP_JOINED']);
    });

    it('combines types and a time range', async () => {
      const { person } = await acme.request(PersonTimeline, {
        id: personId,
        first: 10,
        types: ['TAG_ADDED'],
        occurredBefore: '2020-03-01T00:00:00.000Z',
      });
      expect(person!.timeline.edges.map((edge) => edge.node.id)).toEqual(backdatedIds([1]));
      expect(person!.timeline.totalCount).toBe(1);
    });

    it.each([
      ['an inverted range', '2020-04-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z'],
      ['an empty range', '2020-04-01T00:00:00.000Z', '2020-04-01T00:00:00.000Z'],
    ])('refuses %s with a clear error', async (_name, occurredAfter, occurredBefore) => {
      const error = await expectGraphQLError(
        acme.request(PersonTimeline, { id: personId, first: 10, occurredAfter, occurredBefore }),
      );
      expect(error.response.errors?.[0]?.message).toMatch(/occurredAfter .* must be earlier than occurredBefore/);
      expect(error.response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('refuses a time that is not an ISO date and time', async () => {
      const error = await expectGraphQLError(
        acme.request(PersonTimeline, { id: personId, first: 10, occurredAfter: 'yesterday' }),
      );
      expect(error.response.errors?.[0]?.message).toMatch(/DateTime must be an ISO 8601/);
    });

    it('refuses an unknown event type', async () => {
      const error = await expectGraphQLError(
        acme.request(PersonTimeline, { id: personId, first: 10, types: ['EXPLODED' as TimelineEventType] }),
      );
      expect(error.response.errors?.[0]?.message).toMatch(/EXPLODED/);
    });
  });
});

describe('Query.timelineEvent', () => {
  it('finds an event by its id, through timelineEvent and node, only in its organisation', async () => {
    const person = await create(acme, { familyName: 'Evented' });
    const { person: read } = await acme.request(PersonTimeline, { id: person.id, first: 1 });
    const id = read!.timeline.edges[0]!.node.id;
    const found = await acme.request(TimelineEventById, { id });
    expect(found).toEqual({
      timelineEvent: { id, type: 'PERSON_CREATED', person: { id: person.id } },
      node: { __typename: 'TimelineEvent', id, type: 'PERSON_CREATED' },
    });

    const other = await createOrgClient(test, 'Other Org');
    expect(await other.request(TimelineEventById, { id })).toEqual({ timelineEvent: null, node: null });
    expect((await other.request(PersonTimeline, { id: person.id, first: 10 })).person).toBeNull();
  });

  it.each([
    ['an id that is not one', 'not-an-id'],
    ['the id of another type', globalId('Person', eventId(1))],
    ['an unknown event id', globalId('TimelineEvent', eventId(0xffff))],
  ])('answers null for %s', async (_name, id) => {
    expect(await acme.request(TimelineEventOnly, { id })).toEqual({ timelineEvent: null });
  });
});

describe('Person.interactionMetadata', () => {
  it('counts the calling user’s events and everyone’s, and names the last users newest first', async () => {
    const editor = await createUserClient(test, acme.organizationId);
    const editorGlobalId = (await editor.request(Viewer)).viewer.id;
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    const person = await create(acme, { familyName: 'Busy' });
    // The creation goes back a day, so the editor's changes are later whatever the clock's resolution.
    const created = new Date(Date.now() - 86_400_000);
    await test.prisma.timelineEvent.updateMany({ where: { personId: databaseId(person.id) }, data: { occurredAt: created } });
    await editor.request(UpdatePerson, { id: person.id, input: { jobTitle: 'First' } });
    await editor.request(UpdatePerson, { id: person.id, input: { jobTitle: 'Second' } });
    const { person: timeline } = await acme.request(PersonTimeline, { id: person.id, first: 1 });
    const newest = timeline!.timeline.edges[0]!.node.occurredAt;

    const asAdmin = (await acme.request(PersonInteractions, { id: person.id })).person!.interactionMetadata;
    expect(asAdmin.user).toEqual({ approximateCount: 1, lastInteractedAt: created.toISOString() });
    expect(asAdmin.workspace).toMatchObject({ approximateCount: 3, lastInteractedAt: newest });
    expect(asAdmin.workspace.lastInteractedBy.map((user) => user.id)).toEqual([editorGlobalId, acmeUserGlobalId]);

    const asEditor = (await editor.request(PersonInteractions, { id: person.id })).person!.interactionMetadata;
    expect(asEditor.user).toEqual({ approximateCount: 2, lastInteractedAt: newest });
    expect(asEditor.workspace).toEqual(asAdmin.workspace);

    const asViewer = (await viewer.request(PersonInteractions, { id: person.id })).person!.interactionMetadata;
    expect(asViewer.user).toEqual({ approximateCount: 0, lastInteractedAt: null });
  });

  it('names at most five distinct users, and counts events whose user is gone', async () => {
    const person = await create(acme, { familyName: 'Popular' });
    await test.prisma.timelineEvent.deleteMany({ where: { personId: databaseId(person.id) } });
    const users = [];
    for (let index = 0; index < 6; index++) users.push(await createUserClient(test, acme.organizationId));
    await backdatedEvents(
      acme,
      person.id,
      users.flatMap((user, index) => [
        { id: eventId(100 + 2 * index), type: 'NOTE_ADDED' as const, occurredAt: `2021-0${index + 1}-01T00:00:00.000Z`, actorId: user.userId },
        { id: eventId(101 + 2 * index), type: 'NOTE_ADDED' as const, occurredAt: `2021-0${index + 1}-02T00:00:00.000Z`, actorId: user.userId },
      ]),
    );
    // A user who left: their event still counts, but names nobody.
    const leaver = await createUserClient(test, acme.organizationId);
    await backdatedEvents(acme, person.id, [
      { id: eventId(200), type: 'TAG_ADDED', occurredAt: '2022-01-01T00:00:00.000Z', actorId: leaver.userId },
    ]);
    await test.prisma.user.delete({ where: { id: leaver.userId } });

    const { workspace } = (await acme.request(PersonInteractions, { id: person.id })).person!.interactionMetadata;
    expect(workspace.approximateCount).toBe(13);
    expect(workspace.lastInteractedAt).toBe('2022-01-01T00:00:00.000Z');
    expect(workspace.lastInteractedBy.map((user) => user.id)).toEqual(
      users.slice(1).reverse().map((user) => globalId('User', user.userId)),
    );
  });

  it('breaks a tie between users who acted at the same instant by their id', async () => {
    const person = await create(acme, { familyName: 'Simultaneous' });
    await test.prisma.timelineEvent.deleteMany({ where: { personId: databaseId(person.id) } });
    const users = [];
    for (let index = 0; index < 6; index++) users.push(await createUserClient(test, acme.organizationId));
    await test.prisma.timelineEvent.createMany({
      data: users.map((user) => ({
        organizationId: acme.organizationId,
        personId: databaseId(person.id),
        actorId: user.userId,
        type: 'PERSON_UPDATED',
        occurredAt: new Date('2023-03-03T00:00:00.000Z'),
      })),
    });
    const { workspace } = (await acme.request(PersonInteractions, { id: person.id })).person!.interactionMetadata;
    const byId = users.map((user) => user.userId).sort();
    expect(workspace.lastInteractedBy.map((user) => user.id)).toEqual(byId.slice(0, 5).map((id) => globalId('User', id)));
  });

  it('gives zero counts and no users for a person without events', async () => {
    const person = await create(acme, { familyName: 'Quiet' });
    await test.prisma.timelineEvent.deleteMany({ where: { personId: databaseId(person.id) } });
    const { interactionMetadata } = (await acme.request(PersonInteractions, { id: person.id })).person!;
    expect(interactionMetadata).toEqual({
      user: { approximateCount: 0, lastInteractedAt: null },
      workspace: { approximateCount: 0, lastInteractedAt: null, lastInteractedBy: [] },
    });
  });

  it('loads a page of 50 people in as many statements as a page of 5', async () => {
    const crowd = await createOrgClient(test, 'Crowd Ltd');
    const helper = await createUserClient(test, crowd.organizationId);
    // Plain rows: only the number of people matters here, not how they were made.
    const people = await test.prisma.person.createManyAndReturn({
      data: Array.from({ length: 50 }, (_, index) => ({ organizationId: crowd.organizationId, familyName: `C${index}` })),
    });
    await test.prisma.timelineEvent.createMany({
      data: people.flatMap((person) => [
        { organizationId: crowd.organizationId, personId: person.id, actorId: crowd.userId, type: 'PERSON_CREATED' },
        { organizationId: crowd.organizationId, personId: person.id, actorId: helper.userId, type: 'PERSON_UPDATED' },
      ]),
    });

    // The key is looked up on the client's first request only; both counted requests find it cached.
    await crowd.request(PeopleInteractions, { first: 1 });
    test.sql.length = 0;
    const small = await crowd.request(PeopleInteractions, { first: 5 });
    const smallStatements = test.sql.length;
    test.sql.length = 0;
    const large = await crowd.request(PeopleInteractions, { first: 50 });
    const largeStatements = test.sql.length;

    expect(small.people.edges).toHaveLength(5);
    expect(large.people.edges).toHaveLength(50);
    for (const edge of large.people.edges) {
      expect(edge.node.interactionMetadata.user.approximateCount).toBe(1);
      expect(edge.node.interactionMetadata.workspace.approximateCount).toBe(2);
      expect(edge.node.interactionMetadata.workspace.lastInteractedBy).toHaveLength(2);
    }
    expect(largeStatements).toBe(smallStatements);
    expect(test.sql.filter((statement) => /"TimelineEvent"/.test(statement))).toHaveLength(1);
  });
});
