import { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { NoteInput } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, createUserClient, postTyped, type TestApp, type TestClient } from '../support/app.ts';
import {
  type Instance,
  randomRedisPrefix,
  startInstance,
  subscribeOverSse,
  subscribeOverWebSocket,
  untilRedisListens,
  webSocketClient,
} from '../support/live.ts';

const LivePeopleChanged = graphql(`
  subscription LivePeopleChanged {
    peopleChanged { kind personId person { id fullName } mergedInto { id } }
  }
`);

const LivePersonChanged = graphql(`
  subscription LivePersonChanged($id: ID!) {
    personChanged(id: $id) { kind personId person { id fullName archivedAt } }
  }
`);

const LiveTimeline = graphql(`
  subscription LiveTimeline($personId: ID!) {
    timelineEventAdded(personId: $personId) { id type data person { id } actor { id } }
  }
`);

const LivePeoplePage = graphql(`
  query LivePeoplePage($first: Int) {
    people(first: $first) { totalCount }
  }
`);

const LiveCreatePerson = graphql(`
  mutation LiveCreatePerson($input: PersonInput!) {
    createPerson(input: $input) { __typename ... on CreatePersonSuccess { person { id } } }
  }
`);

const LiveUpdatePerson = graphql(`
  mutation LiveUpdatePerson($id: ID!, $input: UpdatePersonInput!) {
    updatePerson(id: $id, input: $input) { __typename }
  }
`);

const LiveArchivePerson = graphql(`
  mutation LiveArchivePerson($id: ID!) {
    archivePerson(id: $id) { __typename }
  }
`);

const LiveDeletePerson = graphql(`
  mutation LiveDeletePerson($id: ID!) {
    deletePerson(id: $id) { __typename }
  }
`);

const LiveMergePeople = graphql(`
  mutation LiveMergePeople($input: MergePeopleInput!) {
    mergePeople(input: $input) { __typename }
  }
`);

const LiveCreateNoteCategory = graphql(`
  mutation LiveCreateNoteCategory($input: NoteCategoryInput!) {
    createNoteCategory(input: $input) { __typename ... on CreateNoteCategorySuccess { noteCategory { id } } }
  }
`);

const LiveCreateNote = graphql(`
  mutation LiveCreateNote($personId: ID!, $input: NoteInput!) {
    createNote(personId: $personId, input: $input) { __typename ... on CreateNoteSuccess { note { id } } }
  }
`);

let test: TestApp;
let one: Instance;
let two: Instance;
let admin: TestClient;
let colleague: TestClient;
let other: TestClient;
const redisPrefix = randomRedisPrefix();

beforeAll(async () => {
  test = await createTestApp();
  admin = await createOrgClient(test, 'Acme');
  colleague = await createUserClient(test, admin.organizationId);
  other = await createOrgClient(test, 'Other');
  // Two instances over one database and one Redis, as behind a load balancer.
  one = await startInstance(test, redisPrefix);
  two = await startInstance(test, redisPrefix);
});

afterAll(async () => {
  await one?.close();
  await two?.close();
  await test?.close();
});

/** Sends operations to an instance's real port with the client's key. */
function on(instance: Instance, client: TestClient) {
  const http = new GraphQLClient(instance.url, { headers: { authorization: `Bearer ${client.apiKey}` } });
  return {
    request: <Result, Variables extends object>(document: import('@graphql-typed-document-node/core').TypedDocumentNode<Result, Variables>, variables: Variables) =>
      http.request({ document, variables } as Parameters<typeof http.request>[0]) as Promise<Result>,
  };
}

async function createPerson(instance: Instance, client: TestClient, familyName: string): Promise<string> {
  const { createPerson } = await on(instance, client).request(LiveCreatePerson, { input: { givenName: 'Ada', familyName } });
  if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(`createPerson: ${createPerson.__typename}`);
  return createPerson.person.id;
}

const fetchFrom = (request: Request) => fetch(request);

/** What a refused subscription answers: a JSON body, or the one event of its stream. */
async function firstResult(stream: Awaited<ReturnType<typeof subscribeOverSse>>): Promise<unknown> {
  return stream.body === undefined ? (await stream.next()).value : JSON.parse(stream.body);
}

describe('Subscription.peopleChanged over SSE', () => {
  it('hears a person created through the other instance, read with the subscriber’s own rights', async () => {
    const stream = await subscribeOverSse(fetchFrom, two.url, admin.apiKey, LivePeopleChanged, {});
    expect(stream.status).toBe(200);
    try {
      const id = await createPerson(one, admin, 'Lovelace');
      const { value } = await stream.next();
      expect(value).toEqual({
        data: { peopleChanged: { kind: 'CREATED', personId: id, person: { id, fullName: 'Ada Lovelace' }, mergedInto: null } },
      });
    } finally {
      stream.close();
    }
  });

  it('never hears another organisation: its first event is its own organisation’s next change', async () => {
    const stream = await subscribeOverSse(fetchFrom, two.url, other.apiKey, LivePeopleChanged, {});
    try {
      const acmeId = await createPerson(one, admin, 'Acme-only');
      const otherId = await createPerson(one, other, 'Other-only');
      const { value } = await stream.next();
      expect(value?.data?.peopleChanged.personId).toBe(otherId);
      expect(value?.data?.peopleChanged.personId).not.toBe(acmeId);
    } finally {
      stream.close();
    }
  });

  it('hears nothing of a write that was rolled back (a dry-run merge), and the merge once it is made', async () => {
    const keepId = await createPerson(one, admin, 'Keep');
    const goneId = await createPerson(one, admin, 'Gone');
    const stream = await subscribeOverSse(fetchFrom, two.url, admin.apiKey, LivePeopleChanged, {});
    try {
      const merge = (dryRun: boolean) => on(one, admin).request(LiveMergePeople, { input: { primaryId: keepId, personIds: [keepId, goneId], dryRun } });
      expect((await merge(true)).mergePeople.__typename).toBe('MergePeopleSuccess');
      await on(one, admin).request(LiveUpdatePerson, { id: keepId, input: { givenName: 'Kept' } });
      // The dry run's merge was rolled back: the first thing heard is the update after it.
      expect((await stream.next()).value?.data?.peopleChanged).toMatchObject({ kind: 'UPDATED', personId: keepId });

      expect((await merge(false)).mergePeople.__typename).toBe('MergePeopleSuccess');
      const first = (await stream.next()).value?.data?.peopleChanged;
      const second = (await stream.next()).value?.data?.peopleChanged;
      expect([first, second].sort((a, b) => a!.kind.localeCompare(b!.kind))).toEqual([
        { kind: 'MERGED', personId: keepId, person: { id: keepId, fullName: 'Kept Keep' }, mergedInto: null },
        { kind: 'MERGED_AWAY', personId: goneId, person: null, mergedInto: { id: keepId } },
      ]);
    } finally {
      stream.close();
    }
  });

  it('refuses a subscription with a wrong key (401) or none (UNAUTHENTICATED)', async () => {
    const wrong = await subscribeOverSse(fetchFrom, two.url, 'pgw_not-a-key', LivePeopleChanged, {});
    expect(wrong.status).toBe(401);
    expect(await firstResult(wrong)).toMatchObject({
      errors: [{ message: 'Unknown or revoked API key.', extensions: { code: 'UNAUTHENTICATED' } }],
    });
    expect(await wrong.next()).toEqual({ done: true, value: undefined });

    const anonymous = await subscribeOverSse(fetchFrom, two.url, undefined, LivePeopleChanged, {});
    expect(anonymous.status).toBe(401);
    expect(await firstResult(anonymous)).toEqual({
      errors: [{ message: 'Authentication required: send Authorization: Bearer <apiKey>.', extensions: { code: 'UNAUTHENTICATED' } }],
    });
  });

  it('answers NOT_FOUND for a person of another organisation, as for no one at all', async () => {
    const acmeId = await createPerson(one, admin, 'Private');
    const stream = await subscribeOverSse(fetchFrom, two.url, other.apiKey, LivePersonChanged, { id: acmeId });
    expect(await firstResult(stream)).toMatchObject({ errors: [{ message: `Person ${acmeId} was not found.`, extensions: { code: 'NOT_FOUND' } }] });
    stream.close();
  });
});

describe('Subscription.timelineEventAdded', () => {
  it('gives an event about a private note to its author only', async () => {
    const personId = await createPerson(one, admin, 'Noted');
    const { createNoteCategory } = await on(one, admin).request(LiveCreateNoteCategory, { input: { title: 'Call' } });
    if (createNoteCategory.__typename !== 'CreateNoteCategorySuccess') throw new Error(createNoteCategory.__typename);
    const note = (input: Partial<NoteInput>) =>
      on(one, admin).request(LiveCreateNote, {
        personId,
        input: { categoryId: createNoteCategory.noteCategory.id, description: 'Talked.', ...input },
      });

    const author = await subscribeOverSse(fetchFrom, two.url, admin.apiKey, LiveTimeline, { personId });
    const others = await subscribeOverSse(fetchFrom, two.url, colleague.apiKey, LiveTimeline, { personId });
    const othersPeople = await subscribeOverSse(fetchFrom, two.url, colleague.apiKey, LivePeopleChanged, {});
    try {
      const secret = await note({ isPrivate: true });
      const open = await note({ isPrivate: false });
      if (secret.createNote.__typename !== 'CreateNoteSuccess' || open.createNote.__typename !== 'CreateNoteSuccess') throw new Error('createNote');

      const authorFirst = (await author.next()).value?.data?.timelineEventAdded;
      const authorSecond = (await author.next()).value?.data?.timelineEventAdded;
      expect(authorFirst).toMatchObject({ type: 'NOTE_ADDED', data: { noteId: secret.createNote.note.id, private: true }, person: { id: personId } });
      expect(authorSecond).toMatchObject({ type: 'NOTE_ADDED', data: { noteId: open.createNote.note.id } });

      // The colleague's first event is the public note's: the private one never reached them.
      const othersFirst = (await others.next()).value?.data?.timelineEventAdded;
      expect(othersFirst).toMatchObject({ type: 'NOTE_ADDED', data: { noteId: open.createNote.note.id }, actor: { id: expect.any(String) } });
      const peopleFirst = (await othersPeople.next()).value;
      expect(peopleFirst?.data?.peopleChanged).toMatchObject({ kind: 'UPDATED', personId });
      expect(authorFirst!.id).not.toBe(othersFirst!.id);
    } finally {
      author.close();
      others.close();
      othersPeople.close();
    }
  });
});

describe('Subscription over WebSocket (graphql-ws)', () => {
  it('follows one person changed through the other instance until they are deleted', async () => {
    // An organisation of its own: its channel on Redis has no listener until this subscription.
    const owner = await createOrgClient(test, 'Sockets');
    const personId = await createPerson(one, owner, 'Babbage');
    const { client } = webSocketClient(two.wsUrl, owner.apiKey);
    try {
      const events = subscribeOverWebSocket(client, LivePersonChanged, { id: personId });
      const first = events.next();
      await untilRedisListens(`${redisPrefix}personChanged:${owner.organizationId}`);

      await on(one, owner).request(LiveUpdatePerson, { id: personId, input: { givenName: 'Charles' } });
      expect((await first).value).toEqual({
        data: { personChanged: { kind: 'UPDATED', personId, person: { id: personId, fullName: 'Charles Babbage', archivedAt: null } } },
      });
      await on(one, owner).request(LiveArchivePerson, { id: personId });
      expect((await events.next()).value?.data?.personChanged).toMatchObject({ kind: 'ARCHIVED', person: { archivedAt: expect.any(String) } });
      await on(one, owner).request(LiveDeletePerson, { id: personId });
      expect((await events.next()).value?.data?.personChanged).toEqual({ kind: 'DELETED', personId, person: null });
      // A deleted person has nothing more to say: the subscription completes.
      expect((await events.next()).done).toBe(true);
    } finally {
      await client.dispose();
    }
  });

  it('runs queries too, through the same checks as over HTTP', async () => {
    const { client } = webSocketClient(two.wsUrl, other.apiKey);
    try {
      const page = await subscribeOverWebSocket(client, LivePeoplePage, { first: 10 }).next();
      expect(page.value).toEqual({ data: { people: { totalCount: expect.any(Number) } } });
      const tooMany = await subscribeOverWebSocket(client, LivePeoplePage, { first: 101 }).next();
      expect(tooMany.value?.errors?.[0]).toMatchObject({ message: 'Argument "first" must be between 1 and 100, got 101.' });
    } finally {
      await client.dispose();
    }
  });

  it('closes with 4401 and the reason for a wrong key or none', async () => {
    for (const [apiKey, reason] of [
      ['pgw_not-a-key', 'Unknown or revoked API key.'],
      [undefined, 'Authentication required: send connectionParams { Authorization: "Bearer <apiKey>" }.'],
    ] as const) {
      const { client, closed } = webSocketClient(two.wsUrl, apiKey);
      const events = subscribeOverWebSocket(client, LivePeopleChanged, {});
      await expect(events.next()).rejects.toMatchObject({ code: 4401, reason });
      expect(await closed).toMatchObject({ code: 4401, reason });
      await client.dispose();
    }
  });
});

describe('Subscription without Redis', () => {
  it('reaches subscribers of the same instance through the in-process pub/sub', async () => {
    const local = await createTestApp();
    try {
      const owner = await createOrgClient(local, 'Local');
      const stream = await subscribeOverSse((request) => local.app.fetch(request), 'http://test/graphql', owner.apiKey, LivePeopleChanged, {});
      try {
        const { createPerson } = await owner.request(LiveCreatePerson, { input: { familyName: 'Hopper' } });
        if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(createPerson.__typename);
        expect((await stream.next()).value?.data?.peopleChanged).toMatchObject({ kind: 'CREATED', personId: createPerson.person.id });
      } finally {
        stream.close();
      }
    } finally {
      await local.close();
    }
  });
});

describe('Subscription and Idempotency-Key', () => {
  it('hears a mutation sent with a key once, after its commit, and nothing of its replay', async () => {
    const local = await createTestApp();
    try {
      const owner = await createOrgClient(local, 'Keyed');
      const stream = await subscribeOverSse((request) => local.app.fetch(request), 'http://test/graphql', owner.apiKey, LivePeopleChanged, {});
      try {
        // The services' transactions run as savepoints inside the key's one transaction: what
        // they noted is announced when that outer transaction commits.
        const send = () => postTyped(local.app, owner.apiKey, LiveCreatePerson, { input: { familyName: 'Keyed' } }, { 'idempotency-key': 'live-1' });
        const first = await send();
        const replay = await send();
        expect(replay.data).toEqual(first.data);
        if (first.data?.createPerson.__typename !== 'CreatePersonSuccess') throw new Error(JSON.stringify(first));
        const { createPerson: marker } = await owner.request(LiveCreatePerson, { input: { familyName: 'Marker' } });
        if (marker.__typename !== 'CreatePersonSuccess') throw new Error(marker.__typename);
        expect((await stream.next()).value?.data?.peopleChanged).toMatchObject({ kind: 'CREATED', personId: first.data.createPerson.person.id });
        // The next event is the marker's: the replay announced nothing.
        expect((await stream.next()).value?.data?.peopleChanged).toMatchObject({ kind: 'CREATED', personId: marker.person.id });
      } finally {
        stream.close();
      }
    } finally {
      await local.close();
    }
  });
});

describe('Shutdown', () => {
  it('ends SSE streams and WebSocket subscriptions at once', async () => {
    const leaving = await startInstance(test, redisPrefix);
    const stream = await subscribeOverSse(fetchFrom, leaving.url, admin.apiKey, LivePeopleChanged, {});
    const { client, connected, closed } = webSocketClient(leaving.wsUrl, admin.apiKey);
    const events = subscribeOverWebSocket(client, LivePeopleChanged, {});
    const first = events.next().catch((error: unknown) => error);
    await connected;
    await leaving.close();
    // The stream completes (its response ends) and the socket closes as going away.
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(await closed).toMatchObject({ code: 1001, reason: 'Going away' });
    expect(await first).toMatchObject({ code: 1001 });
    await client.dispose();
  });
});
