import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { ImportPeopleInput, PersonInput, UpdatePersonInput } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, requestWithFiles, type TestApp, type TestClient } from '../support/app.ts';
import { createPersonId, localIdOf, timelineOf } from '../support/organising.ts';
import { rawRequest } from '../support/raw.ts';

// Issue 13: seed 002's person body (tags, archivedAt, a client's own id) and seed 000's imports
// matching people by their id. Everything goes through HTTP and is read back.

const BodyPerson = graphql(`
  fragment BodyPerson on Person {
    id
    familyName
    archivedAt
    isArchived
    tags(first: 100) { totalCount edges { node { tag { id title } value } } }
  }
`);

const BodyCreatePerson = graphql(`
  mutation BodyCreatePerson($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { ...BodyPerson } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ConflictError { message }
      ... on NotFoundError { message }
    }
  }
`);

const BodyReplacePerson = graphql(`
  mutation BodyReplacePerson($id: ID!, $input: PersonInput!) {
    replacePerson(id: $id, input: $input) {
      __typename
      ... on ReplacePersonSuccess { person { ...BodyPerson } }
      ... on ValidationError { fieldErrors { path message } }
      ... on NotFoundError { message }
    }
  }
`);

const BodyUpdatePerson = graphql(`
  mutation BodyUpdatePerson($id: ID!, $input: UpdatePersonInput!) {
    updatePerson(id: $id, input: $input) {
      __typename
      ... on UpdatePersonSuccess { person { ...BodyPerson } }
      ... on ValidationError { fieldErrors { path message } }
      ... on NotFoundError { message }
    }
  }
`);

const BodyGetPerson = graphql(`
  query BodyGetPerson($id: ID!) {
    person(id: $id) { ...BodyPerson }
  }
`);

const BodyPeopleCount = graphql(`
  query BodyPeopleCount {
    people(filter: { archived: ALL }) { totalCount }
  }
`);

const BodyActivePeople = graphql(`
  query BodyActivePeople {
    people(first: 100) { nodes { id } }
  }
`);

const BodyCreateTag = graphql(`
  mutation BodyCreateTag($input: TagInput!) {
    createTag(input: $input) { __typename ... on CreateTagSuccess { tag { id } } }
  }
`);

const BodyTagPerson = graphql(`
  mutation BodyTagPerson($personId: ID!, $tagId: ID!, $value: JSON) {
    tagPerson(personId: $personId, tagId: $tagId, value: $value) { __typename }
  }
`);

const BodyDeleteTag = graphql(`
  mutation BodyDeleteTag($id: ID!) {
    deleteTag(id: $id) { __typename }
  }
`);

const BodyImportPeople = graphql(`
  mutation BodyImportPeople($input: ImportPeopleInput!) {
    importPeople(input: $input) {
      __typename
      ... on ImportPeopleSuccess {
        import { createdCount updatedCount unchangedCount failedCount rowErrors { row errors { path message } } }
      }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

let test: TestApp;
let acme: TestClient;
let other: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test, 'Acme');
  other = await createOrgClient(test, 'Other');
});

afterAll(async () => {
  await test?.close();
});

const personGlobalId = (uuid: string) => Buffer.from(`Person:${uuid}`).toString('base64');

async function createTag(client: TestClient, title: string, valueType?: 'TEXT' | 'NUMBER'): Promise<string> {
  const { createTag } = await client.request(BodyCreateTag, { input: { title, ...(valueType ? { valueType } : {}) } });
  if (createTag.__typename !== 'CreateTagSuccess') throw new Error(createTag.__typename);
  return createTag.tag.id;
}

async function create(input: PersonInput, client = acme) {
  return (await client.request(BodyCreatePerson, { input })).createPerson;
}

async function created(input: PersonInput, client = acme) {
  const result = await create(input, client);
  if (result.__typename !== 'CreatePersonSuccess') throw new Error(JSON.stringify(result));
  return result.person;
}

async function replace(id: string, input: PersonInput) {
  return (await acme.request(BodyReplacePerson, { id, input })).replacePerson;
}

async function update(id: string, input: UpdatePersonInput) {
  return (await acme.request(BodyUpdatePerson, { id, input })).updatePerson;
}

async function read(id: string, client = acme) {
  return (await client.request(BodyGetPerson, { id })).person;
}

const tagIdsOf = (person: { tags: { edges: { node: { tag: { id: string } } }[] } } | null | undefined) =>
  person?.tags.edges.map((edge) => edge.node.tag.id) ?? [];

async function peopleCount(client = acme): Promise<number> {
  return (await client.request(BodyPeopleCount)).people.totalCount;
}

/** The timeline as stored, with the global ids of the tags its events name. */
async function timeline(personId: string) {
  return (await timelineOf(test, personId)).map(({ type, data }) => ({ type, data }));
}

const tagEvent = (type: 'TAG_ADDED' | 'TAG_REMOVED', tagId: string, title: string, value: unknown = null) => ({
  type,
  data: { tagId: localIdOf(tagId), title, value },
});

describe('Seed 002: tags in the person body (createPerson, replacePerson, updatePerson take tagIds)', () => {
  it('createPerson with tagIds puts exactly those tags on, each with the TAG_ADDED tagPerson writes', async () => {
    const vip = await createTag(acme, 'Body VIP');
    const donor = await createTag(acme, 'Body donor');
    const person = await created({ familyName: 'Tagged', tagIds: [vip, donor] });
    expect(tagIdsOf(person)).toEqual([vip, donor]);
    expect(tagIdsOf(await read(person.id))).toEqual([vip, donor]);
    expect(await timeline(person.id)).toEqual([
      { type: 'PERSON_CREATED', data: {} },
      tagEvent('TAG_ADDED', vip, 'Body VIP'),
      tagEvent('TAG_ADDED', donor, 'Body donor'),
    ]);
    // The same event as tagPerson's own.
    const other = await createPersonId(acme, 'Tagged by tagPerson');
    await acme.request(BodyTagPerson, { personId: other, tagId: vip });
    expect((await timeline(other)).at(-1)).toEqual(tagEvent('TAG_ADDED', vip, 'Body VIP'));
  });

  it('replacePerson replaces the tags: those not given are removed with TAG_REMOVED, those kept keep their value and write nothing', async () => {
    const a = await createTag(acme, 'Body replace A');
    const b = await createTag(acme, 'Body replace B');
    const c = await createTag(acme, 'Body replace C');
    const score = await createTag(acme, 'Body replace score', 'NUMBER');
    const person = await created({ familyName: 'Replaced', tagIds: [a, b] });
    await acme.request(BodyTagPerson, { personId: person.id, tagId: score, value: 5 });
    const before = await timeline(person.id);

    const replaced = await replace(person.id, { familyName: 'Replaced', tagIds: [b, c, score] });
    expect(replaced.__typename).toBe('ReplacePersonSuccess');
    const after = await read(person.id);
    expect(tagIdsOf(after).sort()).toEqual([b, c, score].sort());
    expect(after!.tags.edges.find((edge) => edge.node.tag.id === score)!.node.value).toBe(5);
    expect((await timeline(person.id)).slice(before.length)).toEqual([
      tagEvent('TAG_REMOVED', a, 'Body replace A'),
      tagEvent('TAG_ADDED', c, 'Body replace C'),
    ]);

    // A PUT without tagIds removes every tag, a valued one with the value untagPerson reports.
    const mark = (await timeline(person.id)).length;
    expect((await replace(person.id, { familyName: 'Replaced' })).__typename).toBe('ReplacePersonSuccess');
    expect(tagIdsOf(await read(person.id))).toEqual([]);
    const removed = (await timeline(person.id)).slice(mark);
    expect(removed).toHaveLength(3);
    expect(removed).toContainEqual(tagEvent('TAG_REMOVED', score, 'Body replace score', 5));
    expect(removed).toContainEqual(tagEvent('TAG_REMOVED', b, 'Body replace B'));
  });

  it('updatePerson: absent tagIds keep the tags, a list sets them, null and [] clear them (the PATCH rule)', async () => {
    const a = await createTag(acme, 'Body patch A');
    const b = await createTag(acme, 'Body patch B');
    const person = await created({ familyName: 'Patched', tagIds: [a] });

    const kept = await update(person.id, { givenName: 'Pat' });
    expect(kept.__typename === 'UpdatePersonSuccess' && tagIdsOf(kept.person)).toEqual([a]);
    await update(person.id, { tagIds: [a, b] });
    expect(tagIdsOf(await read(person.id))).toEqual([a, b]);
    await update(person.id, { tagIds: null });
    expect(tagIdsOf(await read(person.id))).toEqual([]);
    await update(person.id, { tagIds: [b] });
    await update(person.id, { tagIds: [] });
    expect(tagIdsOf(await read(person.id))).toEqual([]);
    expect((await timeline(person.id)).filter((event) => event.type.startsWith('TAG_'))).toEqual([
      tagEvent('TAG_ADDED', a, 'Body patch A'),
      tagEvent('TAG_ADDED', b, 'Body patch B'),
      tagEvent('TAG_REMOVED', a, 'Body patch A'),
      tagEvent('TAG_REMOVED', b, 'Body patch B'),
      tagEvent('TAG_ADDED', b, 'Body patch B'),
      tagEvent('TAG_REMOVED', b, 'Body patch B'),
    ]);
  });

  it('giving the tags a person already has is idempotent: success, and no event', async () => {
    const a = await createTag(acme, 'Body same A');
    const person = await created({ familyName: 'Same', tagIds: [a] });
    const before = await timeline(person.id);
    expect((await update(person.id, { tagIds: [a] })).__typename).toBe('UpdatePersonSuccess');
    expect((await replace(person.id, { familyName: 'Same', tagIds: [a] })).__typename).toBe('ReplacePersonSuccess');
    expect(await timeline(person.id)).toEqual(before);
    expect(tagIdsOf(await read(person.id))).toEqual([a]);
  });

  it('concurrent updatePerson with the same new tag: one assignment and one TAG_ADDED', async () => {
    const a = await createTag(acme, 'Body race A');
    const person = await created({ familyName: 'Raced' });
    const results = await Promise.all(Array.from({ length: 6 }, () => update(person.id, { tagIds: [a] })));
    expect(new Set(results.map((result) => result.__typename))).toEqual(new Set(['UpdatePersonSuccess']));
    expect((await timeline(person.id)).filter((event) => event.type === 'TAG_ADDED')).toHaveLength(1);
    expect(tagIdsOf(await read(person.id))).toEqual([a]);
  });

  it('updatePerson tagIds racing deleteTag: each person is tagged (then untagged with TAG_REMOVED) or gets a ValidationError', async () => {
    const doomed = await createTag(acme, 'Body doomed');
    const people = await Promise.all(Array.from({ length: 4 }, (_, index) => createPersonId(acme, `Doomed ${index}`)));
    const [deleted, ...updates] = await Promise.all([
      acme.request(BodyDeleteTag, { id: doomed }),
      ...people.map((id) => update(id, { tagIds: [doomed] })),
    ]);
    expect(deleted.deleteTag.__typename).toBe('DeleteTagSuccess');
    for (const [index, result] of updates.entries()) {
      const types = (await timeline(people[index]!)).map((event) => event.type);
      if (result.__typename === 'UpdatePersonSuccess') expect(types).toEqual(['PERSON_CREATED', 'TAG_ADDED', 'TAG_REMOVED']);
      else {
        expect(result).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'tagIds', '0'] }] });
        expect(types).toEqual(['PERSON_CREATED']);
      }
      expect(tagIdsOf(await read(people[index]!))).toEqual([]);
    }
  });

  it('a tag with a value type cannot be added without a value (as tagPerson refuses it): ValidationError, nothing written', async () => {
    const plain = await createTag(acme, 'Body refused plain');
    const score = await createTag(acme, 'Body refused score', 'NUMBER');
    const count = await peopleCount();
    const refused = await create({ familyName: 'Refused', tagIds: [plain, score] });
    expect(refused).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'tagIds', '1'] }] });
    expect(refused.__typename === 'ValidationError' && refused.fieldErrors[0]!.message).toContain('needs a NUMBER value');
    expect(await peopleCount()).toBe(count);

    const person = await created({ familyName: 'Kept', tagIds: [plain] });
    const before = await timeline(person.id);
    expect(await update(person.id, { tagIds: [score] })).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'tagIds', '0'] }],
    });
    expect(tagIdsOf(await read(person.id))).toEqual([plain]);
    expect(await timeline(person.id)).toEqual(before);
  });

  it("another organisation's tag, an unknown one, a malformed id or a tag listed twice: ValidationError at its path, nothing written", async () => {
    const theirs = await createTag(other, 'Body theirs');
    const mine = await createTag(acme, 'Body mine');
    const person = await created({ familyName: 'Untouched', givenName: 'Una', tagIds: [mine] });
    const before = await timeline(person.id);
    const unknown = Buffer.from('Tag:00000000-0000-7000-8000-000000000000').toString('base64');

    const foreign = await update(person.id, { givenName: 'Changed', tagIds: [mine, theirs, unknown] });
    expect(foreign).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'tagIds', '1'] }, { path: ['input', 'tagIds', '2'] }],
    });
    expect(await update(person.id, { tagIds: ['not an id'] })).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'tagIds', '0'] }],
    });
    expect(await update(person.id, { tagIds: [mine, mine] })).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'tagIds', '1'], message: 'This tag is listed twice.' }],
    });
    const read1 = await read(person.id);
    expect(tagIdsOf(read1)).toEqual([mine]);
    expect(await timeline(person.id)).toEqual(before);
    expect((await acme.request(BodyGetPerson, { id: person.id })).person!.familyName).toBe('Untouched');
  });

  it('tagIds are bounded: more than 100 is a ValidationError at ["input","tagIds"] before anything is read', async () => {
    const count = await peopleCount();
    const many = Array.from({ length: 101 }, (_, index) => Buffer.from(`Tag:00000000-0000-7000-8000-${String(index).padStart(12, '0')}`).toString('base64'));
    test.sql.length = 0;
    const refused = await create({ familyName: 'Too many', tagIds: many });
    expect(refused).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'tagIds'], message: 'At most 100 tags (got 101).' }] });
    // Only the API key may have been looked up.
    expect(test.sql.filter((statement) => !/"ApiKey"/.test(statement))).toEqual([]);
    expect(await peopleCount()).toBe(count);
  });
});

describe('Seed 002: archivedAt is writable (create archived, set or clear it in replacePerson and updatePerson)', () => {
  it('createPerson with a past archivedAt creates the person archived at that instant, with PERSON_CREATED then PERSON_ARCHIVED', async () => {
    const at = '2024-03-01T10:00:00.000Z';
    const person = await created({ familyName: 'Born archived', archivedAt: at });
    expect(person).toMatchObject({ archivedAt: at, isArchived: true });
    expect(await read(person.id)).toMatchObject({ archivedAt: at, isArchived: true });
    expect((await timeline(person.id)).map((event) => event)).toEqual([
      { type: 'PERSON_CREATED', data: {} },
      { type: 'PERSON_ARCHIVED', data: {} },
    ]);
    // Archived people are left out of people by default, as archivePerson's are.
    expect((await acme.request(BodyActivePeople)).people.nodes.map((node) => node.id)).not.toContain(person.id);
  });

  it('updatePerson sets archivedAt (PERSON_ARCHIVED), moves it (PERSON_UPDATED), keeps it when absent and clears it with null (PERSON_UNARCHIVED)', async () => {
    const person = await created({ familyName: 'Archivable' });
    const first = '2025-01-02T03:04:05.000Z';
    const second = '2025-06-07T08:09:10.000Z';
    expect(await update(person.id, { archivedAt: first })).toMatchObject({ person: { archivedAt: first, isArchived: true } });
    expect(await update(person.id, { archivedAt: first })).toMatchObject({ person: { archivedAt: first } });
    expect(await update(person.id, { archivedAt: second })).toMatchObject({ person: { archivedAt: second } });
    expect(await update(person.id, { givenName: 'Still' })).toMatchObject({ person: { archivedAt: second } });
    expect(await update(person.id, { archivedAt: null })).toMatchObject({ person: { archivedAt: null, isArchived: false } });
    expect(await read(person.id)).toMatchObject({ archivedAt: null });
    const events = (await timeline(person.id)).slice(1);
    expect(events).toEqual([
      { type: 'PERSON_ARCHIVED', data: {} },
      { type: 'PERSON_UPDATED', data: { changes: { archivedAt: { before: first, after: second } } } },
      { type: 'PERSON_UPDATED', data: { changes: { givenName: { before: null, after: 'Still' } } } },
      { type: 'PERSON_UNARCHIVED', data: {} },
    ]);
  });

  it('replacePerson is a PUT for archivedAt too: given, it archives; not given, it unarchives', async () => {
    const person = await created({ familyName: 'Put' });
    const at = '2025-02-03T04:05:06.000Z';
    expect(await replace(person.id, { familyName: 'Put', archivedAt: at })).toMatchObject({ person: { archivedAt: at } });
    expect(await replace(person.id, { familyName: 'Put' })).toMatchObject({ person: { archivedAt: null } });
    expect((await timeline(person.id)).map((event) => event.type)).toEqual(['PERSON_CREATED', 'PERSON_ARCHIVED', 'PERSON_UNARCHIVED']);
  });

  it('an archivedAt in the future is a ValidationError at ["input","archivedAt"], and nothing is written', async () => {
    const future = new Date(Date.now() + 24 * 3600 * 1000).toISOString();
    const count = await peopleCount();
    expect(await create({ familyName: 'Later', archivedAt: future })).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'archivedAt'], message: 'Must not be in the future.' }],
    });
    expect(await peopleCount()).toBe(count);
    const person = await created({ familyName: 'Now' });
    const before = await timeline(person.id);
    expect(await update(person.id, { archivedAt: future })).toMatchObject({ __typename: 'ValidationError' });
    expect(await replace(person.id, { familyName: 'Now', archivedAt: future })).toMatchObject({ __typename: 'ValidationError' });
    expect(await read(person.id)).toMatchObject({ archivedAt: null });
    expect(await timeline(person.id)).toEqual(before);
  });
});

describe("Seed 002: a client may give a person's id on create (a UUID it chose; a clash is a ConflictError)", () => {
  it('createPerson with a UUID: the person has the Person id of that UUID, found by person(id)', async () => {
    const uuid = randomUUID();
    const person = await created({ id: uuid, familyName: 'Chosen' });
    expect(person.id).toBe(personGlobalId(uuid));
    expect(await read(personGlobalId(uuid))).toMatchObject({ familyName: 'Chosen' });
  });

  it('the UUID is taken in any case (stored in lower case), or as the Person id made from it', async () => {
    const upper = randomUUID().toUpperCase();
    expect((await created({ id: upper, familyName: 'Upper' })).id).toBe(personGlobalId(upper.toLowerCase()));
    const uuid = randomUUID();
    expect((await created({ id: personGlobalId(uuid), familyName: 'Global' })).id).toBe(personGlobalId(uuid));
  });

  it('an id already taken in this organisation is a ConflictError, and nothing is written', async () => {
    const uuid = randomUUID();
    await created({ id: uuid, familyName: 'First' });
    const count = await peopleCount();
    const clash = await create({ id: uuid, familyName: 'Second', tagIds: [await createTag(acme, 'Body clash')] });
    expect(clash).toEqual({ __typename: 'ConflictError', message: `The id ${uuid} is already taken: choose another.` });
    expect(await peopleCount()).toBe(count);
    expect(await read(personGlobalId(uuid))).toMatchObject({ familyName: 'First', tags: { totalCount: 0 } });
    expect(await timeline(personGlobalId(uuid))).toHaveLength(1);
  });

  it("an id of another organisation's person is the same ConflictError, which tells nothing of them; their person is untouched", async () => {
    const uuid = randomUUID();
    await created({ id: uuid, familyName: 'Theirs' }, other);
    const count = await peopleCount();
    const clash = await create({ id: uuid, familyName: 'Mine' });
    expect(clash).toEqual({ __typename: 'ConflictError', message: `The id ${uuid} is already taken: choose another.` });
    expect(await peopleCount()).toBe(count);
    expect(await read(personGlobalId(uuid))).toBeNull();
    expect(await read(personGlobalId(uuid), other)).toMatchObject({ familyName: 'Theirs' });
  });

  it('concurrent createPerson with one id: one person, ConflictError for the rest', async () => {
    const uuid = randomUUID();
    const results = await Promise.all(Array.from({ length: 6 }, (_, index) => create({ id: uuid, familyName: `Racer ${index}` })));
    const typenames = results.map((result) => result.__typename).sort();
    expect(typenames).toEqual(['ConflictError', 'ConflictError', 'ConflictError', 'ConflictError', 'ConflictError', 'CreatePersonSuccess']);
    expect(await timeline(personGlobalId(uuid))).toHaveLength(1);
  });

  it('an id that is not a UUID (nor the Person id of one) is a ValidationError at ["input","id"], and nothing is written', async () => {
    const count = await peopleCount();
    for (const id of ['42', 'not-a-uuid', Buffer.from('Tag:0190c1d2-7e3a-7b4c-9d5e-6f708192a3b4').toString('base64'), personGlobalId('42')]) {
      expect(await create({ id, familyName: 'Bad id' })).toMatchObject({
        __typename: 'ValidationError',
        fieldErrors: [{ path: ['input', 'id'] }],
      });
    }
    expect(await peopleCount()).toBe(count);
  });

  it("replacePerson takes the person's own id back (as a GET gives it) and refuses another, writing nothing", async () => {
    const person = await created({ familyName: 'Round trip' });
    expect(await replace(person.id, { id: person.id, familyName: 'Round trip', givenName: 'Again' })).toMatchObject({
      __typename: 'ReplacePersonSuccess',
      person: { id: person.id },
    });
    const before = await timeline(person.id);
    expect(await replace(person.id, { id: randomUUID(), familyName: 'Moved' })).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'id'], message: "A person's id cannot change: give this person's own id, or none." }],
    });
    expect(await read(person.id)).toMatchObject({ familyName: 'Round trip' });
    expect(await timeline(person.id)).toEqual(before);
  });

  it('updatePerson has no id: sending one is refused before anything runs', async () => {
    const person = await created({ familyName: 'Patch id' });
    const answer = await rawRequest(test, acme, 'mutation($id: ID!, $input: UpdatePersonInput!) { updatePerson(id: $id, input: $input) { __typename } }', {
      id: person.id,
      input: { id: randomUUID() },
    });
    expect(answer.errors?.[0]?.message).toContain('"id" is not defined by type "UpdatePersonInput"');
    expect(await read(person.id)).toMatchObject({ familyName: 'Patch id' });
  });
});

describe("Seed 000: imports match existing people by their own id (an ID match key, ids as the row gives them)", () => {
  async function importRows(input: Omit<ImportPeopleInput, 'file'>) {
    const { importPeople } = await acme.request(BodyImportPeople, { input });
    if (importPeople.__typename !== 'ImportPeopleSuccess') throw new Error(JSON.stringify(importPeople));
    return importPeople.import;
  }

  it('matchOn ID: a row with the Person id, or the raw UUID, updates that person', async () => {
    const byGlobal = await created({ familyName: 'Import global', externalId: 'body-x1' });
    const byUuid = await created({ familyName: 'Import uuid' });
    const result = await importRows({
      matchOn: ['ID'],
      rows: [
        { id: byGlobal.id, familyName: 'Import global', jobTitle: 'Engineer' },
        { id: localIdOf(byUuid.id).toUpperCase(), jobTitle: 'Designer' },
      ],
    });
    expect(result).toMatchObject({ createdCount: 0, updatedCount: 2, failedCount: 0 });
    const jobTitle = async (id: string) => (await test.prisma.person.findUniqueOrThrow({ where: { id: localIdOf(id) } })).jobTitle;
    expect(await jobTitle(byGlobal.id)).toBe('Engineer');
    expect(await jobTitle(byUuid.id)).toBe('Designer');
    expect((await timeline(byUuid.id)).at(-1)).toMatchObject({ type: 'IMPORTED', data: { result: 'UPDATED' } });
  });

  it('the default matchOn tries ID first', async () => {
    const person = await created({ familyName: 'Default key', emails: ['default-key@example.org'] });
    const result = await importRows({ rows: [{ id: person.id, givenName: 'Dee' }] });
    expect(result).toMatchObject({ createdCount: 0, updatedCount: 1 });
    expect((await read(person.id))!.familyName).toBe('Default key');
  });

  it('a row whose id names no one (and matches no one by another key) creates the person with that id', async () => {
    const uuid = randomUUID();
    const result = await importRows({ matchOn: ['ID', 'EMAIL'], rows: [{ id: uuid, familyName: 'Imported with id' }] });
    expect(result).toMatchObject({ createdCount: 1, failedCount: 0 });
    expect(await read(personGlobalId(uuid))).toMatchObject({ familyName: 'Imported with id' });
    expect((await timeline(personGlobalId(uuid))).map((event) => event.type)).toEqual(['PERSON_CREATED', 'IMPORTED']);
  });

  it("a row whose id is another organisation's person fails alone, telling nothing of them; the other rows are applied", async () => {
    const uuid = randomUUID();
    await created({ id: uuid, familyName: 'Their import' }, other);
    const count = await peopleCount();
    const result = await importRows({ rows: [{ id: uuid, familyName: 'Mine' }, { familyName: 'Fine' }] });
    expect(result).toMatchObject({
      createdCount: 1,
      failedCount: 1,
      rowErrors: [{ row: 1, errors: [{ path: [], message: `The id ${uuid} is already taken: choose another.` }] }],
    });
    expect(await peopleCount()).toBe(count + 1);
    expect(await read(personGlobalId(uuid), other)).toMatchObject({ familyName: 'Their import' });
  });

  it('a row whose id is not a UUID, or that matches someone else by a later key, fails at ["id"] and writes nothing', async () => {
    const someone = await created({ familyName: 'Someone', emails: ['someone-body@example.org'] });
    const before = await timeline(someone.id);
    const count = await peopleCount();
    const result = await importRows({
      rows: [
        { id: 'nope', familyName: 'Bad' },
        { id: randomUUID(), familyName: 'Clash', emails: ['someone-body@example.org'] },
      ],
    });
    expect(result).toMatchObject({
      createdCount: 0,
      updatedCount: 0,
      failedCount: 2,
      rowErrors: [{ row: 1, errors: [{ path: ['id'] }] }, { row: 2, errors: [{ path: ['id'] }] }],
    });
    expect(await peopleCount()).toBe(count);
    expect(await timeline(someone.id)).toEqual(before);
  });

  it('a CSV id column matches by id too', async () => {
    const person = await created({ familyName: 'Csv id' });
    const csv = `id,jobTitle\n${person.id},Pilot\n`;
    const response = await requestWithFiles(test, acme, BodyImportPeople, { input: { file: null, matchOn: ['ID'] } }, {
      'input.file': new File([csv], 'people.csv', { type: 'text/csv' }),
    });
    expect(response.data!.importPeople).toMatchObject({ import: { updatedCount: 1, createdCount: 0, failedCount: 0 } });
    expect((await test.prisma.person.findUniqueOrThrow({ where: { id: localIdOf(person.id) } })).jobTitle).toBe('Pilot');
  });
});
