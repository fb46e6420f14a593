import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { MergePeopleInput, PersonInput } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, createUserClient, type TestApp, type TestClient } from '../support/app.ts';
import { rowCounts, threeOverlappingPeople } from '../support/merge-fixtures.ts';

const CreatePerson = graphql(`
  mutation MergeCreatePerson($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id companies { nodes { id name } } } }
    }
  }
`);

const MergedPersonFields = graphql(`
  fragment MergedPersonFields on Person {
    id
    givenName
    familyName
    fullName
    jobTitle
    description
    birthday
    emails
    phones
    urls
    companies { nodes { name } }
    timeline(first: 20) { totalCount edges { node { type person { id } data } } }
    interactionMetadata { workspace { approximateCount } }
  }
`);

const MergePeople = graphql(`
  mutation MergePeople($input: MergePeopleInput!) {
    mergePeople(input: $input) {
      __typename
      ... on MergePeopleSuccess { person { ...MergedPersonFields } }
      ... on ValidationError { message fieldErrors { path message } }
      ... on ForbiddenError { message }
      ... on NotFoundError { message }
    }
  }
`);

const MergeWithPrimaryCompany = graphql(`
  mutation MergeWithPrimaryCompany($input: MergePeopleInput!) {
    mergePeople(input: $input) {
      __typename
      ... on MergePeopleSuccess { person { primaryCompany { name } ...ComparedMergeFields } }
    }
  }
`);

const MergeWithoutPrimaryCompany = graphql(`
  mutation MergeWithoutPrimaryCompany($input: MergePeopleInput!) {
    mergePeople(input: $input) {
      __typename
      ... on MergePeopleSuccess { person { ...ComparedMergeFields } }
    }
  }
`);

const ComparedMergeFields = graphql(`
  fragment ComparedMergeFields on Person {
    id
    familyName
    emails
    companies { totalCount nodes { name } }
    timeline(first: 20) { totalCount edges { node { type } } }
    interactionMetadata { user { approximateCount } workspace { approximateCount lastInteractedBy { email } } }
  }
`);

const ReadPeople = graphql(`
  query MergeReadPeople($ids: [ID!]!) {
    nodes(ids: $ids) { __typename id ... on Person { ...MergedPersonFields } }
  }
`);

const Merges = graphql(`
  query Merges($personId: ID) {
    merges(first: 10, personId: $personId) {
      totalCount
      edges {
        node {
          id
          primaryId
          primary { id familyName }
          mergedPersonIds
          overrides { field fromPersonId }
          actor { id }
          createdAt
        }
      }
    }
  }
`);

const MergeNode = graphql(`
  query MergeNode($id: ID!) {
    node(id: $id) { __typename id ... on Merge { primaryId } }
  }
`);

let test: TestApp;
let acme: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
});
afterAll(() => test?.close());

function databaseId(id: string): string {
  return Buffer.from(id, 'base64').toString().split(':')[1]!;
}

function globalId(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}

async function create(client: TestClient, input: PersonInput) {
  const { createPerson } = await client.request(CreatePerson, { input });
  if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(`createPerson: ${createPerson.__typename}`);
  return createPerson.person;
}

async function merge(client: TestClient, input: MergePeopleInput) {
  const { mergePeople } = await client.request(MergePeople, { input });
  if (mergePeople.__typename !== 'MergePeopleSuccess') throw new Error(`mergePeople: ${JSON.stringify(mergePeople)}`);
  return mergePeople.person;
}

describe('Mutation.mergePeople', () => {
  it('merges three overlapping people into the primary, uniting and moving everything', async () => {
    const { people, ids, tags, groups, fields } = await threeOverlappingPeople(test.prisma, acme, '', create);
    const before = await rowCounts(test.prisma);
    const merged = await merge(acme, {
      personIds: [people.ann.id, people.annie.id, people.anna.id],
      primaryId: people.ann.id,
      overrides: [{ field: 'GIVEN_NAME', fromPersonId: people.anna.id }],
    });

    expect(merged).toMatchObject({
      id: people.ann.id,
      givenName: 'Anna',
      familyName: 'Lee',
      // Derived from the names, not taken from another person.
      fullName: 'Anna Lee',
      jobTitle: 'Engineer',
      description: 'The primary.',
      birthday: '1990-01-31',
      emails: ['ann@example.org', 'shared@example.org', 'annie@example.org', 'anna@example.org'],
      phones: ['+1 555 0100', '+1 555 0200'],
      urls: ['https://anna.example.org'],
      companies: { nodes: [{ name: 'Acme' }, { name: 'Beta' }, { name: 'Gamma' }] },
    });
    const events = merged.timeline.edges.map((edge) => edge.node);
    expect(merged.timeline.totalCount).toBe(4);
    expect(events[0]!.type).toBe('MERGED');
    expect(events.slice(1).map((event) => event.type)).toEqual(['PERSON_CREATED', 'PERSON_CREATED', 'PERSON_CREATED']);
    expect(events.every((event) => event.person.id === people.ann.id)).toBe(true);
    expect(merged.interactionMetadata.workspace.approximateCount).toBe(4);

    const { merges } = await acme.request(Merges, { personId: people.annie.id });
    expect(merges.totalCount).toBe(1);
    const record = merges.edges[0]!.node;
    expect(record).toMatchObject({
      primaryId: people.ann.id,
      primary: { id: people.ann.id, familyName: 'Lee' },
      mergedPersonIds: [people.annie.id, people.anna.id],
      overrides: [{ field: 'GIVEN_NAME', fromPersonId: people.anna.id }],
      actor: { id: globalId('User', acme.userId) },
    });
    expect(events[0]!.data).toMatchObject({
      mergeId: record.id,
      mergedPersonIds: [people.annie.id, people.anna.id],
      moved: { tags: 2, memberships: 2, fieldValues: 2, notes: 3, timelineEvents: 2 },
      changes: {
        givenName: { before: 'Ann', after: 'Anna' },
        jobTitle: { before: null, after: 'Engineer' },
        emails: { before: ['ann@example.org', 'shared@example.org'] },
      },
    });
    expect((await acme.request(MergeNode, { id: record.id })).node).toEqual({ __typename: 'Merge', id: record.id, primaryId: people.ann.id });
    expect((await acme.request(Merges, { personId: people.anna.id })).merges.totalCount).toBe(1);
    expect((await acme.request(Merges, { personId: people.ann.id })).merges.totalCount).toBe(1);
    expect((await acme.request(Merges, { personId: globalId('Person', acme.userId) })).merges.totalCount).toBe(0);

    const read = await acme.request(ReadPeople, { ids: [people.ann.id, people.annie.id, people.anna.id] });
    expect(read.nodes.map((node) => node?.id ?? null)).toEqual([people.ann.id, null, null]);

    // Tags, groups, notes, field values and avatars have no GraphQL reader on this branch yet.
    const db = test.prisma;
    const personTags = await db.personTag.findMany({ where: { personId: ids.a } });
    expect(Object.fromEntries(personTags.map((row) => [row.tagId, row.value]))).toEqual({
      [tags.donor.id]: 'from Ann',
      [tags.volunteer.id]: null,
      [tags.speaker.id]: null,
    });
    const memberships = await db.groupMembership.findMany({ where: { personId: ids.a } });
    expect(Object.fromEntries(memberships.map((row) => [row.groupId, row.role]))).toEqual({
      [groups.board.id]: 'MANAGER',
      [groups.choir.id]: 'MEMBER',
      [groups.kitchen.id]: 'MANAGER',
    });
    const notes = await db.note.findMany({ where: { personId: ids.a }, orderBy: { description: 'asc' } });
    expect(notes.map((note) => note.description)).toEqual(['Ann 1', 'Anna 1', 'Anna 2', 'Annie 1']);
    const values = await db.personFieldValue.findMany({ where: { personId: ids.a } });
    expect(Object.fromEntries(values.map((row) => [row.fieldId, row.value]))).toEqual({
      [fields.shirt.id]: 'M',
      [fields.diet.id]: 'vegan',
      [fields.team.id]: 'blue',
    });
    const avatar = await db.personAvatar.findUniqueOrThrow({ where: { personId: ids.a } });
    expect(Buffer.from(avatar.data).toString()).toBe('annie');
    // Nothing of the merged-away people is left behind.
    const ofMergedAway = { where: { personId: { in: [ids.b, ids.c] } } };
    expect([
      await db.personTag.count(ofMergedAway),
      await db.groupMembership.count(ofMergedAway),
      await db.personFieldValue.count(ofMergedAway),
      await db.note.count(ofMergedAway),
      await db.timelineEvent.count(ofMergedAway),
      await db.personCompany.count(ofMergedAway),
      await db.personAvatar.count(ofMergedAway),
    ]).toEqual([0, 0, 0, 0, 0, 0, 0]);
    const after = await rowCounts(test.prisma);
    expect(after.people).toBe(before.people - 2);
    expect(after.merges).toBe(before.merges + 1);
  });

  it('takes an overridden value as it is, even empty, and the avatar of the person named', async () => {
    const primary = await create(acme, { familyName: 'Primary', fullName: 'Dr. P', emails: ['p@example.org'] });
    const other = await create(acme, { givenName: 'Otto', familyName: 'Other', jobTitle: 'Chef', fullName: 'Otto the Chef' });
    // Written directly: a merge only moves the row (test/avatars/avatars.test.ts merges pictures set through the API).
    await test.prisma.personAvatar.create({
      data: { personId: databaseId(primary.id), contentType: 'image/png', data: Buffer.from('primary') },
    });
    const merged = await merge(acme, {
      personIds: [other.id, primary.id],
      primaryId: primary.id,
      overrides: [
        { field: 'JOB_TITLE', fromPersonId: primary.id },
        { field: 'AVATAR', fromPersonId: other.id },
      ],
    });
    expect(merged).toMatchObject({ givenName: 'Otto', familyName: 'Primary', jobTitle: null, fullName: 'Dr. P' });
    expect(await test.prisma.personAvatar.count({ where: { personId: databaseId(primary.id) } })).toBe(0);
  });

  it('returns the merged person on a dry run, and writes nothing', async () => {
    const { people } = await threeOverlappingPeople(test.prisma, acme, '-dry', create);
    const ids = [people.ann.id, people.annie.id, people.anna.id];
    const before = await rowCounts(test.prisma);
    const peopleBefore = await acme.request(ReadPeople, { ids });
    const mergesBefore = await acme.request(Merges, {});

    const preview = await merge(acme, {
      personIds: ids,
      primaryId: people.annie.id,
      overrides: [{ field: 'FAMILY_NAME', fromPersonId: people.ann.id }],
      dryRun: true,
    });
    expect(preview).toMatchObject({
      id: people.annie.id,
      givenName: 'Annie',
      familyName: 'Lee-dry',
      jobTitle: 'Engineer',
      birthday: '1990-01-31',
      description: 'The primary.',
      emails: ['shared-dry@example.org', 'annie-dry@example.org', 'ann-dry@example.org', 'anna-dry@example.org'],
      companies: { nodes: [{ name: 'Acme-dry' }, { name: 'Beta-dry' }, { name: 'Gamma-dry' }] },
    });
    expect(preview.timeline.totalCount).toBe(4);
    expect(preview.timeline.edges[0]!.node.type).toBe('MERGED');

    expect(await rowCounts(test.prisma)).toEqual(before);
    expect(await acme.request(ReadPeople, { ids })).toEqual(peopleBefore);
    expect(await acme.request(Merges, {})).toEqual(mergesBefore);
  });

  describe('a dry run gives the person exactly as the merge leaves them', () => {
    const selections = [
      ['with primaryCompany selected', MergeWithPrimaryCompany],
      ['without primaryCompany selected', MergeWithoutPrimaryCompany],
    ] as const;
    it.each(selections)('%s', async (label, document) => {
      const alpha = await create(acme, { familyName: `Alpha ${label}`, emails: ['a@example.org'], companies: [{ name: `Alpha ${label}` }] });
      const beta = await create(acme, { familyName: `Beta ${label}`, emails: ['b@example.org'], companies: [{ name: `Beta ${label}` }] });
      const input = { personIds: [alpha.id, beta.id], primaryId: alpha.id };

      const { mergePeople: preview } = await acme.request(document, { input: { ...input, dryRun: true } });
      const { mergePeople: merged } = await acme.request(document, { input });

      expect(merged).toMatchObject({ person: { companies: { totalCount: 2 } } });
      expect(preview).toEqual(merged);
    });
  });

  describe('bad input', () => {
    let ids: string[];
    let foreignId: string;
    let viewer: TestClient;

    beforeAll(async () => {
      ids = [];
      for (let index = 0; index < 11; index++) {
        ids.push((await create(acme, { familyName: `Bad${index}`, emails: [`bad${index}@example.org`] })).id);
      }
      const other = await createOrgClient(test, 'Other Org');
      foreignId = (await create(other, { familyName: 'Foreign' })).id;
      viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    });

    const unknownId = globalId('Person', '00000000-0000-7000-8000-000000000000');

    it.each<[string, () => MergePeopleInput, string[]]>([
      ['a single person', () => ({ personIds: [ids[0]!], primaryId: ids[0]! }), ['input', 'personIds']],
      ['no person', () => ({ personIds: [], primaryId: ids[0]! }), ['input', 'personIds']],
      ['more than 10 people', () => ({ personIds: ids, primaryId: ids[0]! }), ['input', 'personIds']],
      ['a person twice', () => ({ personIds: [ids[0]!, ids[1]!, ids[0]!], primaryId: ids[0]! }), ['input', 'personIds', '2']],
      ['a primary not in the list', () => ({ personIds: [ids[0]!, ids[1]!], primaryId: ids[2]! }), ['input', 'primaryId']],
      ['an unknown person', () => ({ personIds: [ids[0]!, unknownId], primaryId: ids[0]! }), ['input', 'personIds', '1']],
      ["another organisation's person", () => ({ personIds: [ids[0]!, foreignId], primaryId: ids[0]! }), ['input', 'personIds', '1']],
      ['an id that is not one', () => ({ personIds: [ids[0]!, 'garbage'], primaryId: ids[0]! }), ['input', 'personIds', '1']],
      [
        'the id of another type',
        () => ({ personIds: [ids[0]!, globalId('Company', databaseId(ids[1]!))], primaryId: ids[0]! }),
        ['input', 'personIds', '1'],
      ],
      ['a malformed primary id', () => ({ personIds: [ids[0]!, ids[1]!], primaryId: 'garbage' }), ['input', 'primaryId']],
      [
        'an override from a person not merged',
        () => ({ personIds: [ids[0]!, ids[1]!], primaryId: ids[0]!, overrides: [{ field: 'JOB_TITLE', fromPersonId: ids[2]! }] }),
        ['input', 'overrides', '0', 'fromPersonId'],
      ],
      [
        'two overrides of one field',
        () => ({
          personIds: [ids[0]!, ids[1]!],
          primaryId: ids[0]!,
          overrides: [
            { field: 'JOB_TITLE', fromPersonId: ids[0]! },
            { field: 'JOB_TITLE', fromPersonId: ids[1]! },
          ],
        }),
        ['input', 'overrides', '1', 'field'],
      ],
      [
        'an override with a malformed person id',
        () => ({ personIds: [ids[0]!, ids[1]!], primaryId: ids[0]!, overrides: [{ field: 'ROLE', fromPersonId: 'garbage' }] }),
        ['input', 'overrides', '0', 'fromPersonId'],
      ],
    ])('refuses %s with a ValidationError at its path, writing nothing', async (_name, input, path) => {
      const before = await rowCounts(test.prisma);
      const { mergePeople } = await acme.request(MergePeople, { input: input() });
      expect(mergePeople.__typename).toBe('ValidationError');
      if (mergePeople.__typename !== 'ValidationError') return;
      expect(mergePeople.fieldErrors.map((error) => error.path)).toContainEqual(path);
      expect(await rowCounts(test.prisma)).toEqual(before);
    });

    it('refuses a merge whose united emails would exceed 20, writing nothing', async () => {
      const many = (prefix: string) => Array.from({ length: 11 }, (_, index) => `${prefix}${index}@example.org`);
      const first = await create(acme, { familyName: 'Many1', emails: many('x') });
      const second = await create(acme, { familyName: 'Many2', emails: many('y') });
      const before = await rowCounts(test.prisma);
      const { mergePeople } = await acme.request(MergePeople, {
        input: { personIds: [first.id, second.id], primaryId: first.id },
      });
      expect(mergePeople).toMatchObject({
        __typename: 'ValidationError',
        fieldErrors: [{ path: ['input', 'personIds'], message: 'The merged person would have 22 emails; at most 20.' }],
      });
      expect(await rowCounts(test.prisma)).toEqual(before);
    });

    it('refuses a viewer with a ForbiddenError, writing nothing', async () => {
      const before = await rowCounts(test.prisma);
      const { mergePeople } = await viewer.request(MergePeople, { input: { personIds: [ids[0]!, ids[1]!], primaryId: ids[0]! } });
      expect(mergePeople.__typename).toBe('ForbiddenError');
      expect(await rowCounts(test.prisma)).toEqual(before);
    });

    it('refuses to merge people who were merged away already', async () => {
      const survivor = await create(acme, { familyName: 'Survivor' });
      const gone = await create(acme, { familyName: 'Gone' });
      await merge(acme, { personIds: [survivor.id, gone.id], primaryId: survivor.id });
      const before = await rowCounts(test.prisma);
      const { mergePeople } = await acme.request(MergePeople, { input: { personIds: [survivor.id, gone.id], primaryId: survivor.id } });
      expect(mergePeople).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'personIds', '1'] }] });
      expect(await rowCounts(test.prisma)).toEqual(before);
    });
  });
});

describe('Mutation.mergePeople, concurrently', () => {
  it('lets one of two simultaneous merges of the same people win; the other finds them gone', async () => {
    const first = await create(acme, { familyName: 'Race A' });
    const second = await create(acme, { familyName: 'Race B' });
    const input = { personIds: [first.id, second.id], primaryId: first.id };
    const results = await Promise.all([acme.request(MergePeople, { input }), acme.request(MergePeople, { input })]);
    expect(results.map((result) => result.mergePeople.__typename).sort()).toEqual(['MergePeopleSuccess', 'ValidationError']);
    expect((await acme.request(Merges, { personId: second.id })).merges.totalCount).toBe(1);
    expect(await test.prisma.person.count({ where: { id: databaseId(first.id) } })).toBe(1);
  });
});

describe('Query.merges', () => {
  it("shows only the caller's organisation's merges", async () => {
    const other = await createOrgClient(test, 'Merging Elsewhere');
    const a = await create(other, { familyName: 'Elsewhere A' });
    const b = await create(other, { familyName: 'Elsewhere B' });
    await merge(other, { personIds: [a.id, b.id], primaryId: a.id });
    const theirs = await other.request(Merges, {});
    expect(theirs.merges.totalCount).toBe(1);
    const ours = await acme.request(Merges, {});
    expect(ours.merges.edges.map((edge) => edge.node.id)).not.toContain(theirs.merges.edges[0]!.node.id);
    expect((await acme.request(MergeNode, { id: theirs.merges.edges[0]!.node.id })).node).toBeNull();
    expect((await acme.request(Merges, { personId: a.id })).merges.totalCount).toBe(0);
  });

  it('lists newest first', async () => {
    const firstPair = [await create(acme, { familyName: 'Old A' }), await create(acme, { familyName: 'Old B' })];
    await merge(acme, { personIds: firstPair.map((person) => person.id), primaryId: firstPair[0]!.id });
    // An hour back, so the order asserted never depends on the clock's resolution.
    await test.prisma.merge.updateMany({
      where: { primaryId: databaseId(firstPair[0]!.id) },
      data: { createdAt: new Date(Date.now() - 3_600_000) },
    });
    const secondPair = [await create(acme, { familyName: 'New A' }), await create(acme, { familyName: 'New B' })];
    await merge(acme, { personIds: secondPair.map((person) => person.id), primaryId: secondPair[0]!.id });
    const { merges } = await acme.request(Merges, {});
    const primaries = merges.edges.map((edge) => edge.node.primaryId);
    expect(primaries.indexOf(secondPair[0]!.id)).toBeLessThan(primaries.indexOf(firstPair[0]!.id));
    const createdAt = merges.edges.map((edge) => edge.node.createdAt);
    expect([...createdAt].sort().reverse()).toEqual(createdAt);
  });
});
