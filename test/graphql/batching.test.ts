import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledReads } from '../../src/compiled-reads/index.ts';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';

/**
 * The N+1 guard: a page of people with everything nested costs the same number of SQL
 * statements whatever the page size. Every statement the app sends is counted through the
 * Prisma client's query log (TestApp.sql).
 */
const NestedPeople = graphql(`
  query NestedPeople($first: Int!) {
    people(first: $first) {
      totalCount
      edges {
        node {
          id
          fullName
          emails
          primaryEmail
          avatarUrl
          owner { email }
          companies { nodes { name } }
          tags(first: 10) { totalCount nodes { value tag { title } } }
          groups(first: 10) { totalCount edges { node { role group { title } } } }
          notes(first: 3) { totalCount edges { node { description category { title } author { email } } } }
          timeline(first: 5) { totalCount edges { node { type occurredAt actor { email } } } }
          interactionMetadata { workspace { approximateCount lastInteractedBy { email } } }
        }
      }
    }
  }
`);

const NestedPeopleByNodes = graphql(`
  query NestedPeopleByNodes($first: Int!) {
    people(first: $first) {
      totalCount
      nodes {
        id
        fullName
        avatarUrl
        companies { nodes { name } }
        tags(first: 10) { totalCount nodes { value tag { title } } }
        notes(first: 3) { totalCount nodes { description category { title } } }
      }
    }
  }
`);

/** The bench's person selection (test/bench/scenarios.ts). */
const BenchPerson = graphql(`
  fragment BenchPerson on Person {
    id fullName givenName familyName jobTitle emails primaryEmail phones createdAt updatedAt
    companies { nodes { id name } }
    owner { id email }
    tags(first: 10) { totalCount edges { node { value tag { id title } } } }
    groups(first: 10) { totalCount edges { node { role group { id title } } } }
    notes(first: 3) { totalCount edges { node { id description flagged category { title } author { email } } } }
    timeline(first: 5) { edges { node { type occurredAt actor { email } } } }
    interactionMetadata { workspace { approximateCount lastInteractedAt } }
    fields(first: 10) { edges { node { value field { slug type } } } }
  }
`);

/** The bench's person, by id. */
const NestedPerson = graphql(`
  query NestedPerson($id: ID!) {
    person(id: $id) { ...BenchPerson }
  }
`);

/** The bench's page: the same selection for 50 people. */
const BenchPage = graphql(`
  query BenchPage {
    people(first: 50) { totalCount edges { node { ...BenchPerson } } }
  }
`);

const PeopleIds = graphql(`
  query PeopleIds($first: Int!, $withCount: Boolean!) {
    people(first: $first) { totalCount @include(if: $withCount) edges { node { id } } }
  }
`);

/** COMPILED_READS=off runs this file against the resolvers alone. */
const compiled = compiledReads.enabled;
let test: TestApp;
let acme: TestClient;

beforeAll(async () => {
  // A TTL longer than the file's run, so that no request but the first looks the key up again.
  test = await createTestApp({ apiKeyCache: { ttlMs: 600_000 } });
  acme = await createOrgClient(test);
  const org = { organizationId: acme.organizationId };
  // 60 people with several of everything; rows written directly, as set-up for a read test.
  const tags = await Promise.all([1, 2, 3].map((n) => test.prisma.tag.create({ data: { ...org, title: `T${n}`, titleKey: `t${n}` } })));
  const groups = await Promise.all([1, 2].map((n) => test.prisma.group.create({ data: { ...org, title: `G${n}` } })));
  const category = await test.prisma.noteCategory.create({ data: { ...org, title: 'Call' } });
  const company = await test.prisma.company.create({ data: { ...org, name: 'Initech', nameKey: 'initech' } });
  for (let n = 0; n < 60; n++) {
    const person = await test.prisma.person.create({
      data: { ...org, familyName: `P${n}`, emails: [`p${n}@example.org`, `p${n}@work.example`], ownerId: acme.userId, createdById: acme.userId },
    });
    const personId = person.id;
    if (n % 2 === 0) await test.prisma.personAvatar.create({ data: { personId, contentType: 'image/png', data: Buffer.alloc(64) } });
    await test.prisma.personCompany.create({ data: { ...org, personId, companyId: company.id, position: 0 } });
    await test.prisma.personTag.createMany({ data: tags.map((tag) => ({ ...org, personId, tagId: tag.id })) });
    await test.prisma.groupMembership.createMany({ data: groups.map((group) => ({ ...org, personId, groupId: group.id })) });
    await test.prisma.note.createMany({
      data: [1, 2, 3, 4].map((k) => ({ ...org, personId, authorId: acme.userId, categoryId: category.id, description: `Note ${k}` })),
    });
    await test.prisma.timelineEvent.createMany({
      data: Array.from({ length: 7 }, () => ({ ...org, personId, actorId: acme.userId, type: 'PERSON_UPDATED' })),
    });
  }
});
afterAll(() => test?.close());

async function statementsFor(first: number): Promise<{ count: number; people: number }> {
  test.sql.length = 0;
  const { people } = await acme.request(NestedPeople, { first });
  const count = test.sql.length;
  expect(people.edges[0]!.node.notes.edges).toHaveLength(3);
  expect(people.edges[0]!.node.timeline.edges).toHaveLength(5);
  expect(people.edges[0]!.node.tags.totalCount).toBe(3);
  expect(people.edges.filter((edge) => edge.node.avatarUrl !== null)).toHaveLength(Math.ceil(first / 2));
  return { count, people: people.edges.length };
}

describe('Query.people batching', () => {
  it('runs the same, small number of SQL statements for 5 and for 50 nested people', async () => {
    const first = await statementsFor(5);
    const small = await statementsFor(5);
    const large = await statementsFor(50);
    expect(small.people).toBe(5);
    expect(large.people).toBe(50);
    expect(large.count).toBe(small.count);
    // 3: the page with every relation joined in (Prisma's relationJoins); the total count; the
    // timeline counts and the last actors behind interactionMetadata (one DataLoader batch, one
    // statement). The API key comes from the cache after the first request. A statement per
    // person would make the 50-person count larger. The compiled read path (src/compiled-reads)
    // answers the whole page in one statement.
    expect(small.count).toBe(compiled ? 1 : 3);
    // The first request also looks the API key up and records its first use (lastUsedAt, written
    // at most once a minute per key).
    expect(first.count).toBe(small.count + 2);
  });

  it('loads one person with the bench’s nested selection in one statement', async () => {
    const { people } = await acme.request(NestedPeople, { first: 1 });
    test.sql.length = 0;
    const { person } = await acme.request(NestedPerson, { id: people.edges[0]!.node.id });
    expect(person!.notes.edges).toHaveLength(3);
    expect(person!.interactionMetadata.workspace.approximateCount).toBe(7);
    // The person with its relations joined in, interactionMetadata's workspace figures included
    // (the PersonTimelineSummary view); compiled, one as well.
    expect(test.sql).toHaveLength(1);
    const personId = Buffer.from(person!.id, 'base64').toString().replace('Person:', '');
    const newest = await test.prisma.timelineEvent.aggregate({ where: { personId }, _max: { occurredAt: true } });
    expect(person!.interactionMetadata.workspace.lastInteractedAt).toBe(newest._max.occurredAt!.toISOString());
  });

  it('loads the bench’s page of 50 in two statements', async () => {
    test.sql.length = 0;
    const { people } = await acme.request(BenchPage);
    expect(people.edges).toHaveLength(50);
    expect(people.edges.every(({ node }) => node.interactionMetadata.workspace.approximateCount === 7)).toBe(true);
    // The page with every relation joined in, and the total count; interactionMetadata's
    // workspace figures come with the page. The compiled read path answers it in one.
    expect(test.sql).toHaveLength(compiled ? 1 : 2);
  });

  it('asks for the total count only when it is selected', async () => {
    test.sql.length = 0;
    const withCount = await acme.request(PeopleIds, { first: 50, withCount: true });
    expect(withCount.people.totalCount).toBe(60);
    // The page, and the total count; compiled, one statement.
    expect(test.sql).toHaveLength(compiled ? 1 : 2);
    test.sql.length = 0;
    const withoutCount = await acme.request(PeopleIds, { first: 50, withCount: false });
    expect(withoutCount.people.edges).toHaveLength(50);
    // The page alone.
    expect(test.sql).toHaveLength(1);
  });

  it('plans people selected through `nodes` into the page query as well', async () => {
    const counts: number[] = [];
    for (const first of [5, 50]) {
      test.sql.length = 0;
      const { people } = await acme.request(NestedPeopleByNodes, { first });
      counts.push(test.sql.length);
      expect(people.nodes).toHaveLength(first);
      expect(people.nodes[0]!.notes.nodes).toHaveLength(3);
      expect(people.nodes[0]!.tags.totalCount).toBe(3);
    }
    // The page with its relations joined in, and the total count (the API key is cached); compiled, one.
    expect(counts).toEqual(compiled ? [1, 1] : [2, 2]);
  });
});
