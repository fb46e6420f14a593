import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledReadFallbacks, compiledReads } from '../../src/compiled-reads/index.ts';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, createUserClient, type TestApp, type TestClient } from '../support/app.ts';

/**
 * The compiled read path (src/compiled-reads) must answer exactly as the resolvers do: every
 * document here is sent with the path on and off and the two response texts compared byte for
 * byte, after checking that the compiled path did answer it (no fallback, one statement).
 */
graphql(`
  fragment EveryCompiledPersonField on Person {
    id givenName familyName additionalName honorificPrefix fullName jobTitle description birthday gender language timezone
    profileColor externalId customerId linkedinId externalSource isTracked role suspended invitedAt
    emails primaryEmail phones primaryPhone urls primaryUrl addresses primaryAddress
    primaryCompany { id name createdAt }
    owner { id email name role createdAt deactivatedAt }
    createdBy { email }
    dealSize totalDeals totalWonDeals totalLostDeals isArchived archivedAt createdAt updatedAt importedAt lastActiveAt version avatarUrl
    companies { totalCount nodes { id name } }
    tags(first: 2) {
      totalCount
      edges { cursor node { value assignedAt tag { id title description color hidden valueType createdAt } } }
      nodes { value }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
    groups { totalCount edges { cursor node { role joinedAt group { id title description createdAt updatedAt } } } pageInfo { hasNextPage endCursor } }
    notes(first: 2) {
      totalCount
      edges { cursor node { id title description flagged isPrivate createdAt updatedAt version category { id title createdAt } author { email } } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    }
    allNotes: notes(first: 100) { totalCount nodes { description isPrivate } }
    timeline(first: 3) { totalCount edges { cursor node { id type occurredAt actor { email } } } pageInfo { hasNextPage } }
    fields(first: 5) {
      totalCount
      edges { cursor node { value updatedAt updatedBy { email } field { id title slug description type options groupId createdAt updatedAt } } }
    }
    interactionMetadata { user { approximateCount lastInteractedAt } workspace { approximateCount lastInteractedAt lastInteractedBy { email } } }
  }
`);

const CompiledPage = graphql(`
  query CompiledPage($first: Int, $archived: ArchivedFilter) {
    people(first: $first, filter: { archived: $archived }) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { ...EveryCompiledPersonField } }
    }
  }
`);

const CompiledPageShapes = graphql(`
  query CompiledPageShapes($withCount: Boolean!, $skipNotes: Boolean!, $notes: Int) {
    people {
      count: totalCount @include(if: $withCount)
      __typename
      nodes {
        __typename
        ... on Node { id }
        ... on Person { name: fullName, first: primaryEmail }
        notes(first: $notes) @skip(if: $skipNotes) { totalCount nodes { id } }
        later: notes(first: 1) { edges { node { description } } }
      }
    }
  }
`);

const CompiledPerson = graphql(`
  query CompiledPerson($id: ID!) {
    person(id: $id) { __typename ...EveryCompiledPersonField }
  }
`);

const CompiledNodes = graphql(`
  query CompiledNodes($id: ID!, $ids: [ID!]!) {
    node(id: $id) { __typename id ... on Person { ...EveryCompiledPersonField } ... on Tag { title } }
    nodes(ids: $ids) { __typename ... on Person { id fullName notes(first: 2) { totalCount nodes { description } } } }
  }
`);

const CompiledEntities = graphql(`
  query CompiledEntities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on Person { ...EveryCompiledPersonField }
    }
  }
`);

const PageAfter = graphql(`
  query CompiledPageAfter($first: Int, $after: String) {
    people(first: $first, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { id fullName } } }
  }
`);

const CountsOnly = graphql(`
  query CompiledCountsOnly($archived: ArchivedFilter) {
    people(filter: { archived: $archived }) { totalCount nodes { tags { totalCount } notes { pageInfo { hasPreviousPage } } } }
  }
`);

const Initials = graphql(`
  query CompiledFallback { people(first: 3) { edges { node { id initials } } } }
`);

const PageOfIds = graphql(`
  query CompiledPageOfIds($first: Int) { people(first: $first) { totalCount edges { cursor node { id } } } }
`);

let test: TestApp;
let acme: TestClient;
let colleague: TestClient;
let globex: TestClient;
const personIds: string[] = [];
let otherOrgPersonId = '';

/** Three people (one with everything, one bare, one archived) and all around them; their ids. */
async function seed(client: TestClient, author: TestClient, n: number): Promise<string[]> {
  const org = { organizationId: client.organizationId };
  const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 9, minutes, 30, 123));
  const full = await test.prisma.person.create({
    data: {
      ...org,
      givenName: `Ada${n}`,
      additionalName: 'King',
      familyName: 'Lovelace',
      honorificPrefix: 'Lady',
      jobTitle: 'Analyst',
      description: 'Says "hi" \\ 😀',
      birthday: new Date('1815-12-10'),
      gender: 'f',
      language: 'en',
      timezone: 'Europe/London',
      profileColor: '#aabbcc',
      externalId: `ext-${n}`,
      isTracked: true,
      role: 'member',
      invitedAt: at(1),
      emails: [`ada${n}@example.org`, 'a@b.example'],
      phones: ['+44 1'],
      urls: ['https://example.org'],
      addresses: ['London'],
      dealSize: 7,
      ownerId: client.userId,
      createdById: author.userId,
      createdAt: at(n),
      lastActiveAt: at(5),
    },
  });
  const bare = await test.prisma.person.create({ data: { ...org, givenName: '', familyName: `Bare${n}`, createdAt: at(n) } });
  const archived = await test.prisma.person.create({ data: { ...org, familyName: `Gone${n}`, archivedAt: at(9), createdAt: at(n + 1) } });
  await test.prisma.personAvatar.create({ data: { personId: full.id, contentType: 'image/png', data: Buffer.alloc(8) } });
  const companies = await Promise.all(
    ['Initech', 'Umbrella'].map((name) => test.prisma.company.create({ data: { ...org, name: `${name}${n}`, nameKey: `${name}${n}`.toLowerCase() } })),
  );
  await test.prisma.personCompany.createMany({ data: companies.map((company, position) => ({ ...org, personId: full.id, companyId: company.id, position })) });
  const tags = await Promise.all(
    [1, 2, 3].map((k) => test.prisma.tag.create({ data: { ...org, title: `T${n}-${k}`, titleKey: `t${n}-${k}`, valueType: k === 1 ? 'TEXT' : null } })),
  );
  await test.prisma.personTag.createMany({
    data: tags.map((tag, k) => ({ ...org, personId: full.id, tagId: tag.id, value: k === 0 ? 'gold' : k === 1 ? 42 : undefined, createdAt: at(k) })),
  });
  const group = await test.prisma.group.create({ data: { ...org, title: `G${n}` } });
  await test.prisma.groupMembership.create({ data: { ...org, personId: full.id, groupId: group.id, role: 'MANAGER' } });
  const category = await test.prisma.noteCategory.create({ data: { ...org, title: `Call${n}` } });
  const note = (authorId: string, description: string, extra: object) => ({ ...org, personId: full.id, authorId, categoryId: category.id, description, ...extra });
  await test.prisma.note.createMany({
    data: [
      note(client.userId, 'mine, shared', { createdAt: at(3) }),
      note(client.userId, 'mine, private', { isPrivate: true, createdAt: at(3) }),
      note(author.userId, "colleague's private", { isPrivate: true, flagged: true, createdAt: at(4) }),
      note(author.userId, "colleague's, flagged", { flagged: true, title: 'Flag', createdAt: at(2) }),
    ],
  });
  await test.prisma.timelineEvent.createMany({
    data: [
      { ...org, personId: full.id, actorId: client.userId, type: 'PERSON_UPDATED', occurredAt: at(1) },
      { ...org, personId: full.id, actorId: author.userId, type: 'NOTE_ADDED', occurredAt: at(2) },
      { ...org, personId: full.id, actorId: null, type: 'PERSON_UPDATED', occurredAt: at(2) },
      { ...org, personId: full.id, actorId: client.userId, type: 'TAG_ADDED', occurredAt: at(6) },
    ],
  });
  const field = await test.prisma.customField.create({ data: { ...org, title: 'Score', slug: `score${n}`, type: 'NUMBER', groupId: group.id } });
  const choice = await test.prisma.customField.create({ data: { ...org, title: 'Kind', slug: `kind${n}`, type: 'MULTIPLE_SELECT', options: ['a', 'b'] } });
  await test.prisma.personFieldValue.createMany({
    data: [
      { ...org, personId: full.id, fieldId: field.id, value: 12.5, updatedById: author.userId },
      { ...org, personId: full.id, fieldId: choice.id, value: ['b', 'a'] },
    ],
  });
  return [full.id, bare.id, archived.id];
}

beforeAll(async () => {
  test = await createTestApp({ apiKeyCache: { ttlMs: 600_000 } });
  acme = await createOrgClient(test);
  colleague = await createUserClient(test, acme.organizationId);
  globex = await createOrgClient(test, 'Globex');
  personIds.push(...(await seed(acme, colleague, 1)), ...(await seed(acme, colleague, 2)));
  otherOrgPersonId = (await seed(globex, globex, 3))[0]!;
});
afterAll(() => test?.close());

const enabledAtStart = compiledReads.enabled;

/** The response text of one request, with the compiled path on or off. */
async function answer(client: TestClient, document: Parameters<typeof print>[0], variables: object, compiled: boolean): Promise<string> {
  compiledReads.enabled = compiled;
  try {
    const response = await test.app.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${client.apiKey}` },
      body: JSON.stringify({ query: print(document), variables }),
    });
    return await response.text();
  } finally {
    compiledReads.enabled = enabledAtStart;
  }
}

async function fallbackCount(): Promise<number> {
  return (await compiledReadFallbacks.get()).values.reduce((sum, { value }) => sum + value, 0);
}

/** Both answers, checking that the compiled one came from one statement and no fallback. */
async function bothWays(client: TestClient, document: Parameters<typeof print>[0], variables: object): Promise<{ on: string; off: string }> {
  const off = await answer(client, document, variables, false);
  const fallbacks = await fallbackCount();
  test.sql.length = 0;
  const on = await answer(client, document, variables, true);
  expect(await fallbackCount()).toBe(fallbacks);
  expect(test.sql).toHaveLength(1);
  return { on, off };
}

const globalId = (id: string) => Buffer.from(`Person:${id}`).toString('base64');

describe('compiled reads', () => {
  it.each([
    ['the default page', {}],
    ['a page of one', { first: 1 }],
    ['archived people only', { archived: 'ARCHIVED' }],
    ['everyone', { first: 10, archived: 'ALL' }],
  ])('answers people byte for byte as the resolvers do: %s', async (_name, variables) => {
    await answer(acme, CompiledPage, variables, true);
    const { on, off } = await bothWays(acme, CompiledPage, variables);
    expect(JSON.parse(off).errors).toBeUndefined();
    expect(on).toBe(off);
  });

  it.each([
    ['with everything', { withCount: true, skipNotes: false, notes: 2 }],
    ['without the count and notes', { withCount: false, skipNotes: true }],
    ['with the default notes page', { withCount: true, skipNotes: false }],
  ])('honours fragments, aliases, @include/@skip and variables: %s', async (_name, variables) => {
    const { on, off } = await bothWays(acme, CompiledPageShapes, variables);
    expect(JSON.parse(off).data.people.nodes.length).toBeGreaterThan(0);
    expect(on).toBe(off);
  });

  it('answers person(id) byte for byte as the resolvers do, archived or not', async () => {
    for (const id of personIds) {
      const { on, off } = await bothWays(acme, CompiledPerson, { id: globalId(id) });
      expect(JSON.parse(off).data.person, off).not.toBeNull();
      expect(on).toBe(off);
    }
    // The colleague sees their private note and not acme's.
    const { on, off } = await bothWays(colleague, CompiledPerson, { id: globalId(personIds[0]!) });
    expect(on).toBe(off);
  });

  it('answers node, nodes and _entities for people byte for byte as the resolvers do', async () => {
    const ids = [...personIds, otherOrgPersonId, personIds[0]!].map(globalId);
    for (const id of ids) {
      // One statement each for node and nodes.
      const off = await answer(acme, CompiledNodes, { id, ids }, false);
      const fallbacks = await fallbackCount();
      test.sql.length = 0;
      const on = await answer(acme, CompiledNodes, { id, ids }, true);
      expect(await fallbackCount()).toBe(fallbacks);
      expect(test.sql).toHaveLength(2);
      expect(on).toBe(off);
    }
    const representations = ids.map((id) => ({ __typename: 'Person', id }));
    const { on, off } = await bothWays(acme, CompiledEntities, { representations });
    expect(JSON.parse(off).data._entities).toHaveLength(ids.length);
    expect(JSON.parse(off).data._entities[ids.length - 2]).toBeNull();
    expect(on).toBe(off);
  });

  it('leaves node ids of other types and references by externalId to the resolvers', async () => {
    const before = await fallbackCount();
    const tagId = Buffer.from('Tag:0190c1d2-7e3a-7b4c-9d5e-6f708192a3b4').toString('base64');
    const variables = { id: tagId, ids: [globalId(personIds[0]!), tagId] };
    expect(await answer(acme, CompiledNodes, variables, true)).toBe(await answer(acme, CompiledNodes, variables, false));
    const byExternalId = { representations: [{ __typename: 'Person', externalId: 'ext-1' }] };
    const on = await answer(acme, CompiledEntities, byExternalId, true);
    expect(JSON.parse(on).data._entities[0].externalId ?? JSON.parse(on).data._entities[0].id).toBeDefined();
    expect(on).toBe(await answer(acme, CompiledEntities, byExternalId, false));
    expect(await fallbackCount()).toBe(before + 3);
  });

  it("shows no one another user's private notes", async () => {
    const body = JSON.parse(await answer(acme, CompiledPerson, { id: globalId(personIds[0]!) }, true)) as {
      data: { person: { allNotes: { totalCount: number; nodes: { description: string }[] } } };
    };
    expect(body.data.person.allNotes.nodes.map((note) => note.description).sort()).toEqual(["colleague's, flagged", 'mine, private', 'mine, shared']);
    expect(body.data.person.allNotes.totalCount).toBe(3);
  });

  it("never shows another organisation's people", async () => {
    const person = JSON.parse(await answer(acme, CompiledPerson, { id: globalId(otherOrgPersonId) }, true));
    expect(person).toEqual({ data: { person: null } });
    const page = JSON.parse(await answer(acme, CompiledPage, { first: 10, archived: 'ALL' }, true)) as {
      data: { people: { totalCount: number; edges: { node: { familyName: string } }[] } };
    };
    expect(page.data.people.totalCount).toBe(6);
    expect(page.data.people.edges.every(({ node }) => !/3$/.test(node.familyName))).toBe(true);
  });

  it('answers null without a statement for an id that names no person', async () => {
    test.sql.length = 0;
    expect(JSON.parse(await answer(acme, CompiledPerson, { id: 'nonsense' }, true))).toEqual({ data: { person: null } });
    expect(test.sql).toHaveLength(0);
  });

  it('hands a selection it cannot compile to the resolvers, and counts it', async () => {
    const before = await fallbackCount();
    const on = await answer(acme, Initials, {}, true);
    expect(await fallbackCount()).toBe(before + 1);
    expect(on).toBe(await answer(acme, Initials, {}, false));
    const { values } = await compiledReadFallbacks.get();
    expect(values).toContainEqual(expect.objectContaining({ labels: { field: 'people', reason: 'Person.initials' } }));
  });

  it('pages people after a cursor as the resolvers do', async () => {
    const first = JSON.parse(await answer(acme, PageOfIds, { first: 2 }, true)) as { data: { people: { edges: { cursor: string }[] } } };
    const after = first.data.people.edges[1]!.cursor;
    const { on, off } = await bothWays(acme, PageAfter, { first: 2, after });
    expect(JSON.parse(off).data.people.pageInfo.hasPreviousPage).toBe(true);
    expect(JSON.parse(off).data.people.edges).toHaveLength(2);
    expect(on).toBe(off);
    const before = await fallbackCount();
    for (const bad of ['nonsense', Buffer.from(JSON.stringify({ s: 'other', k: ['x', 'y'] })).toString('base64url')]) {
      const refused = await answer(acme, PageAfter, { first: 2, after: bad }, true);
      expect(JSON.parse(refused).errors[0].extensions.code).toBe('BAD_USER_INPUT');
      expect(refused).toBe(await answer(acme, PageAfter, { first: 2, after: bad }, false));
    }
    expect(await fallbackCount()).toBe(before + 2);
  });

  it('answers connections that select no rows (only counts), and empty pages', async () => {
    for (const archived of ['ACTIVE', 'ARCHIVED']) {
      const { on, off } = await bothWays(globex, CountsOnly, { archived });
      expect(on).toBe(off);
    }
    const { on, off } = await bothWays(colleague, PageOfIds, { first: 1 });
    expect(on).toBe(off);
  });

  it('leaves page size errors to the resolvers', async () => {
    // Compiled first, with the same document: a plan made for a good size must not serve a bad one.
    expect((await bothWays(acme, PageOfIds, { first: 2 })).on).toContain('"cursor"');
    for (const first of [0, 101]) {
      const on = await answer(acme, PageOfIds, { first }, true);
      expect(JSON.parse(on).errors[0].message).toMatch(/"first" must be between 1 and 100/);
      expect(on).toBe(await answer(acme, PageOfIds, { first }, false));
    }
  });
});
