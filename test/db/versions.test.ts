import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { createField } from '../support/fields.ts';
import { createPersonId, timelineOf } from '../support/organising.ts';

/**
 * No lost updates (issue 12): Person and Note carry a version, one more with every change; the
 * writes that take expectedVersion refuse a stale one with a ConflictError carrying the current
 * version, and write nothing. Checked under the row lock: of concurrent writers sending the same
 * version, exactly one wins.
 */

let test: TestApp;
let acme: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
});

afterAll(async () => {
  await test?.close();
});

const PersonVersion = graphql(`
  query PersonVersion($id: ID!) {
    person(id: $id) { id version givenName jobTitle description gender language timezone }
  }
`);

const UpdatePersonAt = graphql(`
  mutation UpdatePersonAt($id: ID!, $input: UpdatePersonInput!, $expectedVersion: Int) {
    updatePerson(id: $id, input: $input, expectedVersion: $expectedVersion) {
      __typename
      ... on UpdatePersonSuccess { person { id version givenName } }
      ... on ConflictError { message currentVersion }
    }
  }
`);

const ReplacePersonAt = graphql(`
  mutation ReplacePersonAt($id: ID!, $input: PersonInput!, $expectedVersion: Int) {
    replacePerson(id: $id, input: $input, expectedVersion: $expectedVersion) {
      __typename
      ... on ReplacePersonSuccess { person { id version familyName givenName } }
      ... on ConflictError { message currentVersion }
    }
  }
`);

const SetPersonFieldsAt = graphql(`
  mutation SetPersonFieldsAt($personId: ID!, $groups: [GroupFieldValuesInput!]!, $expectedVersion: Int) {
    setPersonFields(personId: $personId, groups: $groups, expectedVersion: $expectedVersion) {
      __typename
      ... on SetPersonFieldsSuccess { person { id version field(idOrSlug: "shirt-size") { value } } }
      ... on ConflictError { message currentVersion }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const PersonShirtSize = graphql(`
  query PersonShirtSize($id: ID!) {
    person(id: $id) { version field(idOrSlug: "shirt-size") { value } }
  }
`);

const CreateGroupForVersions = graphql(`
  mutation CreateGroupForVersions($input: GroupInput!) {
    createGroup(input: $input) { __typename ... on CreateGroupSuccess { group { id } } }
  }
`);

const JoinGroup = graphql(`
  mutation JoinGroup($groupId: ID!, $personId: ID!) {
    addGroupMember(groupId: $groupId, personId: $personId) { __typename }
  }
`);

const CreateTagForVersions = graphql(`
  mutation CreateTagForVersions($input: TagInput!) {
    createTag(input: $input) { __typename ... on CreateTagSuccess { tag { id } } }
  }
`);

const TagPersonForVersions = graphql(`
  mutation TagPersonForVersions($personId: ID!, $tagId: ID!) {
    tagPerson(personId: $personId, tagId: $tagId) { __typename }
  }
`);

const ArchiveForVersions = graphql(`
  mutation ArchiveForVersions($id: ID!) {
    archivePerson(id: $id) { __typename ... on ArchivePersonSuccess { person { version } } }
  }
`);

const ImportForVersions = graphql(`
  mutation ImportForVersions($input: ImportPeopleInput!) {
    importPeople(input: $input) { __typename ... on ImportPeopleSuccess { import { updatedCount } } }
  }
`);

const MergeForVersions = graphql(`
  mutation MergeForVersions($input: MergePeopleInput!) {
    mergePeople(input: $input) { __typename ... on MergePeopleSuccess { person { version } } }
  }
`);

async function versionOf(id: string): Promise<number> {
  const { person } = await acme.request(PersonVersion, { id });
  return person!.version;
}

describe('Person.version', () => {
  it('is 1 for a new person and one more after each change; a write that changes nothing keeps it', async () => {
    const id = await createPersonId(acme, 'Altois');
    expect(await versionOf(id)).toBe(1);
    const { updatePerson } = await acme.request(UpdatePersonAt, { id, input: { givenName: 'Stella' } });
    expect(updatePerson).toMatchObject({ __typename: 'UpdatePersonSuccess', person: { version: 2, givenName: 'Stella' } });
    const { updatePerson: same } = await acme.request(UpdatePersonAt, { id, input: { givenName: 'Stella' } });
    expect(same).toMatchObject({ __typename: 'UpdatePersonSuccess', person: { version: 2 } });
    expect(await versionOf(id)).toBe(2);
  });

  it('counts tags, groups, archiving, imports and merges as changes to the person', async () => {
    const id = await createPersonId(acme, 'Counted');
    const { createTag } = await acme.request(CreateTagForVersions, { input: { title: 'counted-tag' } });
    if (createTag.__typename !== 'CreateTagSuccess') throw new Error(createTag.__typename);
    await acme.request(TagPersonForVersions, { personId: id, tagId: createTag.tag.id });
    expect(await versionOf(id)).toBe(2);
    const { createGroup } = await acme.request(CreateGroupForVersions, { input: { title: 'Counted group' } });
    if (createGroup.__typename !== 'CreateGroupSuccess') throw new Error(createGroup.__typename);
    await acme.request(JoinGroup, { groupId: createGroup.group.id, personId: id });
    expect(await versionOf(id)).toBe(3);
    const { archivePerson } = await acme.request(ArchiveForVersions, { id });
    expect(archivePerson).toEqual({ __typename: 'ArchivePersonSuccess', person: { version: 4 } });

    // An import row matching the person (by id) and changing them counts once.
    const { importPeople } = await acme.request(ImportForVersions, { input: { rows: [{ id, familyName: 'Counted', jobTitle: 'Imported' }] } });
    expect(importPeople).toEqual({ __typename: 'ImportPeopleSuccess', import: { updatedCount: 1 } });
    expect(await versionOf(id)).toBe(5);

    // A merge changes the person it keeps.
    const other = await createPersonId(acme, 'Counted twin');
    const { mergePeople } = await acme.request(MergeForVersions, { input: { personIds: [id, other], primaryId: id } });
    expect(mergePeople).toEqual({ __typename: 'MergePeopleSuccess', person: { version: 6 } });
  });

  it('updatePerson with a stale expectedVersion is a ConflictError with the current version, and writes nothing', async () => {
    const id = await createPersonId(acme, 'Stale');
    await acme.request(UpdatePersonAt, { id, input: { jobTitle: 'Engineer' } });
    const eventsBefore = await timelineOf(test, id);

    const { updatePerson } = await acme.request(UpdatePersonAt, { id, input: { givenName: 'Late' }, expectedVersion: 1 });
    expect(updatePerson).toEqual({
      __typename: 'ConflictError',
      currentVersion: 2,
      message: expect.stringContaining('is at version 2, not 1'),
    });
    const { person } = await acme.request(PersonVersion, { id });
    expect(person).toMatchObject({ version: 2, givenName: null, jobTitle: 'Engineer' });
    expect(await timelineOf(test, id)).toEqual(eventsBefore);

    const { updatePerson: fresh } = await acme.request(UpdatePersonAt, { id, input: { givenName: 'Fresh' }, expectedVersion: 2 });
    expect(fresh).toMatchObject({ __typename: 'UpdatePersonSuccess', person: { version: 3, givenName: 'Fresh' } });
  });

  it('replacePerson with a stale expectedVersion writes nothing; with the current one it replaces', async () => {
    const id = await createPersonId(acme, 'Replaced');
    await acme.request(UpdatePersonAt, { id, input: { givenName: 'Kept' } });

    const { replacePerson } = await acme.request(ReplacePersonAt, { id, input: { familyName: 'Overwritten' }, expectedVersion: 1 });
    expect(replacePerson).toMatchObject({ __typename: 'ConflictError', currentVersion: 2 });
    expect((await acme.request(PersonVersion, { id })).person).toMatchObject({ version: 2, givenName: 'Kept' });

    const { replacePerson: fresh } = await acme.request(ReplacePersonAt, { id, input: { familyName: 'Replaced twice' }, expectedVersion: 2 });
    expect(fresh).toMatchObject({
      __typename: 'ReplacePersonSuccess',
      person: { version: 3, familyName: 'Replaced twice', givenName: null },
    });
  });

  it('setPersonFields with a stale expectedVersion writes no value; with the current one it writes and counts one change', async () => {
    const { createGroup } = await acme.request(CreateGroupForVersions, { input: { title: 'Shirts' } });
    if (createGroup.__typename !== 'CreateGroupSuccess') throw new Error(createGroup.__typename);
    const groupId = createGroup.group.id;
    await createField(acme, { title: 'Shirt size', slug: 'shirt-size', type: 'TEXT', groupId });
    const id = await createPersonId(acme, 'Shirted');
    await acme.request(JoinGroup, { groupId, personId: id });
    const current = await versionOf(id);
    const groups = [{ groupId, values: [{ field: 'shirt-size', value: 'L' }] }];

    const { setPersonFields } = await acme.request(SetPersonFieldsAt, { personId: id, groups, expectedVersion: current - 1 });
    expect(setPersonFields).toMatchObject({ __typename: 'ConflictError', currentVersion: current });
    expect((await acme.request(PersonShirtSize, { id })).person).toEqual({ version: current, field: null });

    const { setPersonFields: fresh } = await acme.request(SetPersonFieldsAt, { personId: id, groups, expectedVersion: current });
    expect(fresh).toEqual({ __typename: 'SetPersonFieldsSuccess', person: { id, version: current + 1, field: { value: 'L' } } });
  });

  it('of concurrent updatePerson calls with the same expectedVersion, exactly one wins', async () => {
    const id = await createPersonId(acme, 'Contested');
    const names = Array.from({ length: 8 }, (_, index) => `Writer ${index}`);
    const results = await Promise.all(
      names.map((givenName) => acme.request(UpdatePersonAt, { id, input: { givenName }, expectedVersion: 1 })),
    );
    const winners = results.filter((result) => result.updatePerson.__typename === 'UpdatePersonSuccess');
    const losers = results.filter((result) => result.updatePerson.__typename === 'ConflictError');
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(names.length - 1);
    for (const { updatePerson } of losers) expect(updatePerson).toMatchObject({ currentVersion: 2 });
    const winner = winners[0]!.updatePerson;
    if (winner.__typename !== 'UpdatePersonSuccess') throw new Error('unreachable');
    expect((await acme.request(PersonVersion, { id })).person).toMatchObject({ version: 2, givenName: winner.person.givenName });
    const events = (await timelineOf(test, id)).filter((event) => event.type === 'PERSON_UPDATED');
    expect(events).toHaveLength(1);
  });

  it('concurrent edits of different fields without expectedVersion all survive, each counted once', async () => {
    const id = await createPersonId(acme, 'Busy');
    const edits = [
      { givenName: 'Ada' },
      { jobTitle: 'Analyst' },
      { description: 'Wrote the first program' },
      { gender: 'female' },
      { language: 'en' },
      { timezone: 'Europe/London' },
    ];
    const results = await Promise.all(edits.map((input) => acme.request(UpdatePersonAt, { id, input })));
    for (const { updatePerson } of results) expect(updatePerson.__typename).toBe('UpdatePersonSuccess');
    const { person } = await acme.request(PersonVersion, { id });
    expect(person).toMatchObject({ version: 7, ...Object.assign({}, ...edits) });
  });
});

const CreateCategoryForVersions = graphql(`
  mutation CreateCategoryForVersions($input: NoteCategoryInput!) {
    createNoteCategory(input: $input) { __typename ... on CreateNoteCategorySuccess { noteCategory { id } } }
  }
`);

const CreateNoteForVersions = graphql(`
  mutation CreateNoteForVersions($personId: ID!, $input: NoteInput!) {
    createNote(personId: $personId, input: $input) { __typename ... on CreateNoteSuccess { note { id version } } }
  }
`);

const UpdateNoteAt = graphql(`
  mutation UpdateNoteAt($id: ID!, $input: UpdateNoteInput!, $expectedVersion: Int) {
    updateNote(id: $id, input: $input, expectedVersion: $expectedVersion) {
      __typename
      ... on UpdateNoteSuccess { note { id version description } }
      ... on ConflictError { message currentVersion }
    }
  }
`);

const ReplaceNoteAt = graphql(`
  mutation ReplaceNoteAt($id: ID!, $input: NoteInput!, $expectedVersion: Int) {
    replaceNote(id: $id, input: $input, expectedVersion: $expectedVersion) {
      __typename
      ... on ReplaceNoteSuccess { note { id version description title } }
      ... on ConflictError { message currentVersion }
    }
  }
`);

const NoteVersion = graphql(`
  query NoteVersion($id: ID!) {
    node(id: $id) { ... on Note { version description title } }
  }
`);

describe('Note.version', () => {
  let categoryId: string;
  let personId: string;

  beforeAll(async () => {
    const { createNoteCategory } = await acme.request(CreateCategoryForVersions, { input: { title: 'Call' } });
    if (createNoteCategory.__typename !== 'CreateNoteCategorySuccess') throw new Error(createNoteCategory.__typename);
    categoryId = createNoteCategory.noteCategory.id;
    personId = await createPersonId(acme, 'Noted');
  });

  async function note(description: string): Promise<string> {
    const { createNote } = await acme.request(CreateNoteForVersions, { personId, input: { description, categoryId } });
    if (createNote.__typename !== 'CreateNoteSuccess') throw new Error(createNote.__typename);
    expect(createNote.note.version).toBe(1);
    return createNote.note.id;
  }

  it('updateNote: stale is a ConflictError and writes nothing; fresh writes and counts one change', async () => {
    const id = await note('First words');
    await acme.request(UpdateNoteAt, { id, input: { description: 'Second words' } });

    const { updateNote } = await acme.request(UpdateNoteAt, { id, input: { description: 'Lost words' }, expectedVersion: 1 });
    expect(updateNote).toMatchObject({ __typename: 'ConflictError', currentVersion: 2 });
    expect((await acme.request(NoteVersion, { id })).node).toMatchObject({ version: 2, description: 'Second words' });

    const { updateNote: fresh } = await acme.request(UpdateNoteAt, { id, input: { description: 'Third words' }, expectedVersion: 2 });
    expect(fresh).toMatchObject({ __typename: 'UpdateNoteSuccess', note: { version: 3, description: 'Third words' } });
  });

  it('replaceNote: stale is a ConflictError and writes nothing; fresh replaces', async () => {
    const id = await note('Original');
    await acme.request(UpdateNoteAt, { id, input: { title: 'Titled' } });

    const { replaceNote } = await acme.request(ReplaceNoteAt, { id, input: { description: 'Replaced', categoryId }, expectedVersion: 1 });
    expect(replaceNote).toMatchObject({ __typename: 'ConflictError', currentVersion: 2 });
    expect((await acme.request(NoteVersion, { id })).node).toMatchObject({ version: 2, description: 'Original', title: 'Titled' });

    const { replaceNote: fresh } = await acme.request(ReplaceNoteAt, { id, input: { description: 'Replaced', categoryId }, expectedVersion: 2 });
    expect(fresh).toMatchObject({ __typename: 'ReplaceNoteSuccess', note: { version: 3, description: 'Replaced', title: null } });
  });

  it('of concurrent updateNote calls with the same expectedVersion, exactly one wins', async () => {
    const id = await note('Contested');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, index) => acme.request(UpdateNoteAt, { id, input: { description: `Take ${index}` }, expectedVersion: 1 })),
    );
    const outcomes = results.map(({ updateNote }) => updateNote.__typename);
    expect(outcomes.filter((name) => name === 'UpdateNoteSuccess')).toHaveLength(1);
    expect(outcomes.filter((name) => name === 'ConflictError')).toHaveLength(7);
    expect((await acme.request(NoteVersion, { id })).node).toMatchObject({ version: 2 });
  });
});
