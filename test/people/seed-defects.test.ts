import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { DateTimeRange } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, expectGraphQLError, type TestApp, type TestClient } from '../support/app.ts';
import { createPersonId, localIdOf, unknownId } from '../support/organising.ts';

// Issue 13's defects: where the API answered otherwise than the seeds and the README say.

const DefectsCreatePerson = graphql(`
  mutation DefectsCreatePerson($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const DefectsUpdatePerson = graphql(`
  mutation DefectsUpdatePerson($id: ID!, $input: UpdatePersonInput!) {
    updatePerson(id: $id, input: $input) {
      __typename
      ... on UpdatePersonSuccess { person { id companies { nodes { id name } } primaryCompany { name } } }
      ... on ValidationError { fieldErrors { path message } }
      ... on NotFoundError { resource id message }
    }
  }
`);

const DefectsTimeline = graphql(`
  query DefectsTimeline($id: ID!) {
    person(id: $id) { timeline(first: 20, types: [PERSON_UPDATED]) { nodes { type data } } }
  }
`);

const DefectsPeople = graphql(`
  query DefectsPeople($filter: PersonFilter) {
    people(filter: $filter, first: 100) { totalCount nodes { id } }
  }
`);

const DefectsCreateNoteCategory = graphql(`
  mutation DefectsCreateNoteCategory($input: NoteCategoryInput!) {
    createNoteCategory(input: $input) { __typename ... on CreateNoteCategorySuccess { noteCategory { id } } }
  }
`);

const DefectsCreateNote = graphql(`
  mutation DefectsCreateNote($personId: ID!, $input: NoteInput!) {
    createNote(personId: $personId, input: $input) {
      __typename
      ... on CreateNoteSuccess { note { id } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const DefectsDeleteNote = graphql(`
  mutation DefectsDeleteNote($id: ID!) {
    deleteNote(id: $id) { __typename ... on NotFoundError { resource id message } }
  }
`);

const DefectsCreateGroupCategory = graphql(`
  mutation DefectsCreateGroupCategory($input: GroupCategoryInput!) {
    createGroupCategory(input: $input) { __typename ... on CreateGroupCategorySuccess { groupCategory { id } } }
  }
`);

const DefectsCreateGroup = graphql(`
  mutation DefectsCreateGroup($input: GroupInput!) {
    createGroup(input: $input) {
      __typename
      ... on CreateGroupSuccess { group { id } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const DefectsDeleteGroup = graphql(`
  mutation DefectsDeleteGroup($id: ID!) {
    deleteGroup(id: $id) { __typename ... on NotFoundError { resource id message } }
  }
`);

const DefectsDeleteGroupCategory = graphql(`
  mutation DefectsDeleteGroupCategory($id: ID!) {
    deleteGroupCategory(id: $id) { __typename ... on NotFoundError { resource id message } }
  }
`);

const DefectsDeleteNoteCategory = graphql(`
  mutation DefectsDeleteNoteCategory($id: ID!) {
    deleteNoteCategory(id: $id) { __typename ... on NotFoundError { resource id message } }
  }
`);

const DefectsCreateTag = graphql(`
  mutation DefectsCreateTag($input: TagInput!) {
    createTag(input: $input) { __typename ... on CreateTagSuccess { tag { id } } }
  }
`);

const DefectsTagPerson = graphql(`
  mutation DefectsTagPerson($personId: ID!, $tagId: ID!) {
    tagPerson(personId: $personId, tagId: $tagId) { __typename ... on NotFoundError { resource id message } }
  }
`);

const DefectsCreateCustomField = graphql(`
  mutation DefectsCreateCustomField($input: CreateCustomFieldInput!) {
    createCustomField(input: $input) {
      __typename
      ... on CreateCustomFieldSuccess { customField { id slug } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const DefectsSetPersonField = graphql(`
  mutation DefectsSetPersonField($personId: ID!, $field: String!, $value: JSON) {
    setPersonField(personId: $personId, field: $field, value: $value) {
      __typename
      ... on ValidationError { fieldErrors { path message } }
      ... on NotFoundError { resource id message }
    }
  }
`);

const DefectsSetPersonFields = graphql(`
  mutation DefectsSetPersonFields($personId: ID!, $groups: [GroupFieldValuesInput!]!) {
    setPersonFields(personId: $personId, groups: $groups) {
      __typename
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const DefectsMergePeople = graphql(`
  mutation DefectsMergePeople($input: MergePeopleInput!) {
    mergePeople(input: $input) {
      __typename
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const DefectsImportPeople = graphql(`
  mutation DefectsImportPeople($input: ImportPeopleInput!) {
    importPeople(input: $input) {
      __typename
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const DefectsImportRows = graphql(`
  mutation DefectsImportRows($input: ImportPeopleInput!) {
    importPeople(input: $input) {
      __typename
      ... on ImportPeopleSuccess { import { createdCount failedCount rowErrors { row errors { path message } } } }
    }
  }
`);

const DefectsViewer = graphql(`query DefectsViewer { viewer { id } }`);

const uuidPattern = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

let test: TestApp;
let acme: TestClient;
let other: TestClient;

/** Row counts of every table a refused write could have touched, to show that nothing was written. */
async function rowCounts() {
  const p = test.prisma;
  const counts = await Promise.all([
    p.person.count(),
    p.personCompany.count(),
    p.company.count(),
    p.note.count(),
    p.group.count(),
    p.groupMembership.count(),
    p.personTag.count(),
    p.customField.count(),
    p.personFieldValue.count(),
    p.timelineEvent.count(),
    p.merge.count(),
    p.import.count(),
  ]);
  const people = await p.person.findMany({ select: { id: true, updatedAt: true, ownerId: true }, orderBy: { id: 'asc' } });
  return { counts, people };
}

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test, 'Acme');
  other = await createOrgClient(test, 'Elsewhere');
});

afterAll(async () => {
  await test?.close();
});

describe('Mutation.updatePerson', () => {
  it('PATCH: companies: null clears the companies, with the PERSON_UPDATED event [] gives (seed 002 PATCH semantics)', async () => {
    const cleared: unknown[] = [];
    for (const companies of [null, []]) {
      const { createPerson } = await acme.request(DefectsCreatePerson, {
        input: { familyName: `Clear ${JSON.stringify(companies)}`, companies: [{ name: 'Tech Corp' }, { name: 'Initech' }] },
      });
      if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(createPerson.__typename);
      const id = createPerson.person.id;
      const { updatePerson } = await acme.request(DefectsUpdatePerson, { id, input: { companies } });
      expect(updatePerson).toMatchObject({
        __typename: 'UpdatePersonSuccess',
        person: { id, companies: { nodes: [] }, primaryCompany: null },
      });
      const events = (await acme.request(DefectsTimeline, { id })).person!.timeline.nodes;
      expect(events).toHaveLength(1);
      const change = (events[0]!.data as { changes: { companies: { before: string[]; after: string[] } } }).changes.companies;
      expect(change.before).toHaveLength(2);
      expect(change.after).toEqual([]);
      cleared.push(events[0]!.data);
      // Cleared again: nothing changes, so nothing is recorded.
      await acme.request(DefectsUpdatePerson, { id, input: { companies } });
      expect((await acme.request(DefectsTimeline, { id })).person!.timeline.nodes).toHaveLength(1);
    }
    expect(Object.keys((cleared[0] as { changes: object }).changes)).toEqual(['companies']);
    expect(Object.keys((cleared[1] as { changes: object }).changes)).toEqual(['companies']);
  });

  it('PATCH: an absent companies keeps them', async () => {
    const { createPerson } = await acme.request(DefectsCreatePerson, { input: { familyName: 'Keeps', companies: [{ name: 'Globex' }] } });
    if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(createPerson.__typename);
    const { updatePerson } = await acme.request(DefectsUpdatePerson, { id: createPerson.person.id, input: { givenName: 'Kim' } });
    expect(updatePerson).toMatchObject({ person: { companies: { nodes: [{ name: 'Globex' }] } } });
  });
});

const DefectsNotes = graphql(`
  query DefectsNotes($filter: NoteFilter) { notes(filter: $filter) { totalCount } }
`);

const DefectsPersonNotes = graphql(`
  query DefectsPersonNotes($id: ID!, $filter: NoteFilter) { person(id: $id) { notes(filter: $filter) { totalCount } } }
`);

describe('Query.people', () => {
  const t = '2026-03-01T12:00:00.000Z';
  const earlier = '2026-03-01T11:00:00.000Z';
  const empty: [DateTimeRange, RegExp][] = [
    [{ after: t, before: earlier }, /^after \(2026-03-01T12:00:00\.000Z\) must not be later than before \(2026-03-01T11:00:00\.000Z\)\.$/],
    [{ strictlyAfter: t, strictlyBefore: t }, /^strictlyAfter \(.*\) must be earlier than strictlyBefore \(.*\)\.$/],
    [{ after: t, strictlyBefore: t }, /^after \(.*\) must be earlier than strictlyBefore \(.*\)\.$/],
    [{ strictlyAfter: t, before: t }, /^strictlyAfter \(.*\) must be earlier than before \(.*\)\.$/],
    [{ strictlyAfter: t, before: earlier }, /^strictlyAfter \(.*\) must be earlier than before \(.*\)\.$/],
    [{ after: earlier, strictlyAfter: t, strictlyBefore: t }, /^strictlyAfter \(.*\) must be earlier than strictlyBefore \(.*\)\.$/],
  ];

  for (const dateField of ['createdAt', 'updatedAt'] as const) {
    it(`an empty ${dateField} range is BAD_USER_INPUT at its path, not an empty page (seed 002 date ranges; README)`, async () => {
      await createPersonId(acme, `Ranged ${dateField}`);
      for (const [range, message] of empty) {
        const error = await expectGraphQLError(acme.request(DefectsPeople, { filter: { [dateField]: range } }));
        expect(error.response.errors).toHaveLength(1);
        const [problem] = error.response.errors!;
        expect(problem!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ path: ['filter', dateField] }] });
        expect((problem!.extensions as { fieldErrors: { message: string }[] }).fieldErrors[0]!.message).toMatch(message);
      }
      // Nested filters are checked too, each at its own path.
      const nested = await expectGraphQLError(
        acme.request(DefectsPeople, { filter: { or: [{ archived: 'ALL' }, { not: { [dateField]: { after: t, before: earlier } } }] } }),
      );
      expect(nested.response.errors![0]!.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fieldErrors: [{ path: ['filter', 'or', '1', 'not', dateField] }],
      });
    });
  }

  it('an empty createdAt range of notes is BAD_USER_INPUT at its path, in Query.notes and Person.notes alike (seed 002 date ranges)', async () => {
    const personId = await createPersonId(acme, 'Noted range');
    for (const [range, message] of empty) {
      for (const error of [
        await expectGraphQLError(acme.request(DefectsNotes, { filter: { createdAt: range } })),
        await expectGraphQLError(acme.request(DefectsPersonNotes, { id: personId, filter: { createdAt: range } })),
      ]) {
        const [problem] = error.response.errors!;
        expect(problem!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', fieldErrors: [{ path: ['filter', 'createdAt'] }] });
        expect((problem!.extensions as { fieldErrors: { message: string }[] }).fieldErrors[0]!.message).toMatch(message);
      }
    }
    const { notes } = await acme.request(DefectsNotes, { filter: { createdAt: { after: t, before: t } } });
    expect(notes.totalCount).toBe(0);
  });

  it('a range of one instant (after = before) and open ranges are not empty', async () => {
    const now = new Date().toISOString();
    for (const range of [{ after: now, before: now }, { after: '2000-01-01T00:00:00Z' }, { strictlyBefore: '9999-01-01T00:00:00Z' }]) {
      const { people } = await acme.request(DefectsPeople, { filter: { createdAt: range } });
      expect(people.totalCount).toBeGreaterThanOrEqual(0);
    }
    const { people } = await acme.request(DefectsPeople, {
      filter: { createdAt: { after: '2000-01-01T00:00:00Z', strictlyBefore: '9999-01-01T00:00:00Z' } },
    });
    expect(people.totalCount).toBeGreaterThan(0);
  });

  it('a custom-field condition naming an unknown field id names the global id sent', async () => {
    const field = unknownId('CustomField');
    const error = await expectGraphQLError(acme.request(DefectsPeople, { filter: { customFields: [{ field, isSet: true }] } }));
    const message = (error.response.errors![0]!.extensions as { fieldErrors: { message: string }[] }).fieldErrors[0]!.message;
    expect(message).toContain(field);
    expect(message).not.toMatch(uuidPattern);
  });
});

interface Refusal {
  __typename: string;
  fieldErrors?: { path: string[]; message: string }[];
}

describe('ids inside an input', () => {
  /**
   * Each case sends one id inside a mutation's input: the README's rule is a ValidationError at
   * that path, the same for an id that names nothing and for one of another organisation, whose
   * message names the id as sent, and nothing written.
   */
  it("another organisation's id and an unknown id are the same ValidationError at the id's path, naming the global id sent, and nothing is written", async () => {
    // Acme's own things, to write with.
    const person = await createPersonId(acme, 'Holder');
    const second = await createPersonId(acme, 'Second');
    const noteCategory = await acme.request(DefectsCreateNoteCategory, { input: { title: 'Call' } });
    const noteCategoryId = noteCategory.createNoteCategory.__typename === 'CreateNoteCategorySuccess' ? noteCategory.createNoteCategory.noteCategory.id : '';
    const localGroup = await acme.request(DefectsCreateGroup, { input: { title: 'Local group' } });
    const localGroupId = localGroup.createGroup.__typename === 'CreateGroupSuccess' ? localGroup.createGroup.group.id : '';
    await acme.request(DefectsCreateCustomField, { input: { title: 'Contacts', slug: 'contacts', type: 'CONTACT' } });
    await acme.request(DefectsCreateCustomField, { input: { title: 'Assignee', slug: 'assignee', type: 'USER' } });
    await acme.request(DefectsCreateCustomField, { input: { title: 'Level', slug: 'level', type: 'TEXT', groupId: localGroupId } });

    // The other organisation's, to be refused.
    const foreignPerson = await createPersonId(other, 'Stranger');
    const { createPerson: withCompany } = await other.request(DefectsCreatePerson, { input: { familyName: 'Employee', companies: [{ name: 'Elsewhere Inc' }] } });
    if (withCompany.__typename !== 'CreatePersonSuccess') throw new Error(withCompany.__typename);
    const foreignCompany = Buffer.from(`Company:${(await test.prisma.company.findFirstOrThrow({ where: { name: 'Elsewhere Inc' } })).id}`).toString('base64');
    const foreignUser = (await other.request(DefectsViewer)).viewer!.id;
    const foreignGroup = await other.request(DefectsCreateGroup, { input: { title: 'Their group' } });
    const foreignGroupId = foreignGroup.createGroup.__typename === 'CreateGroupSuccess' ? foreignGroup.createGroup.group.id : '';
    const foreignNoteCategory = await other.request(DefectsCreateNoteCategory, { input: { title: 'Theirs' } });
    const foreignNoteCategoryId = foreignNoteCategory.createNoteCategory.__typename === 'CreateNoteCategorySuccess' ? foreignNoteCategory.createNoteCategory.noteCategory.id : '';
    const foreignGroupCategory = await other.request(DefectsCreateGroupCategory, { input: { title: 'Theirs' } });
    const foreignGroupCategoryId = foreignGroupCategory.createGroupCategory.__typename === 'CreateGroupCategorySuccess' ? foreignGroupCategory.createGroupCategory.groupCategory.id : '';
    const foreignTag = await other.request(DefectsCreateTag, { input: { title: 'Theirs' } });
    const foreignTagId = foreignTag.createTag.__typename === 'CreateTagSuccess' ? foreignTag.createTag.tag.id : '';
    const foreignField = await other.request(DefectsCreateCustomField, { input: { title: 'Theirs', slug: 'theirs', type: 'TEXT' } });
    const foreignFieldId = foreignField.createCustomField.__typename === 'CreateCustomFieldSuccess' ? foreignField.createCustomField.customField.id : '';

    const cases: { name: string; typename: string; foreign: string; path: string[]; send: (id: string) => Promise<Refusal> }[] = [
      {
        name: 'createPerson ownerId',
        typename: 'User',
        foreign: foreignUser,
        path: ['input', 'ownerId'],
        send: async (id) => (await acme.request(DefectsCreatePerson, { input: { familyName: 'Owned', ownerId: id } })).createPerson,
      },
      {
        name: 'updatePerson ownerId',
        typename: 'User',
        foreign: foreignUser,
        path: ['input', 'ownerId'],
        send: async (id) => (await acme.request(DefectsUpdatePerson, { id: person, input: { ownerId: id } })).updatePerson,
      },
      {
        name: 'updatePerson companies by id',
        typename: 'Company',
        foreign: foreignCompany,
        path: ['input', 'companies', '0', 'id'],
        send: async (id) => (await acme.request(DefectsUpdatePerson, { id: person, input: { companies: [{ id }] } })).updatePerson,
      },
      {
        name: 'createPerson groups',
        typename: 'Group',
        foreign: foreignGroupId,
        path: ['input', 'groups', '0'],
        send: async (id) => (await acme.request(DefectsCreatePerson, { input: { familyName: 'Grouped', groups: [id] } })).createPerson,
      },
      {
        name: 'createPerson fields by field id',
        typename: 'CustomField',
        foreign: foreignFieldId,
        path: ['input', 'fields', '0', 'field'],
        send: async (id) => (await acme.request(DefectsCreatePerson, { input: { familyName: 'Fielded', fields: [{ field: id, value: 'x' }] } })).createPerson,
      },
      {
        name: 'createNote categoryId',
        typename: 'NoteCategory',
        foreign: foreignNoteCategoryId,
        path: ['input', 'categoryId'],
        send: async (id) => (await acme.request(DefectsCreateNote, { personId: person, input: { categoryId: id, description: 'Hi' } })).createNote,
      },
      {
        name: 'createGroup categoryId',
        typename: 'GroupCategory',
        foreign: foreignGroupCategoryId,
        path: ['input', 'categoryId'],
        send: async (id) => (await acme.request(DefectsCreateGroup, { input: { title: 'Categorised', categoryId: id } })).createGroup,
      },
      {
        name: 'createCustomField groupId',
        typename: 'Group',
        foreign: foreignGroupId,
        path: ['input', 'groupId'],
        send: async (id) => (await acme.request(DefectsCreateCustomField, { input: { title: 'Scoped', type: 'TEXT', groupId: id } })).createCustomField,
      },
      {
        name: 'setPersonFields groupId',
        typename: 'Group',
        foreign: foreignGroupId,
        path: ['groups', '0', 'groupId'],
        send: async (id) =>
          (await acme.request(DefectsSetPersonFields, { personId: person, groups: [{ groupId: id, values: [{ field: 'level', value: 'high' }] }] }))
            .setPersonFields,
      },
      {
        name: 'mergePeople personIds',
        typename: 'Person',
        foreign: foreignPerson,
        path: ['input', 'personIds', '1'],
        send: async (id) => (await acme.request(DefectsMergePeople, { input: { personIds: [person, id], primaryId: person } })).mergePeople,
      },
      {
        name: 'importPeople tagIds',
        typename: 'Tag',
        foreign: foreignTagId,
        path: ['input', 'tagIds', '0'],
        send: async (id) => (await acme.request(DefectsImportPeople, { input: { rows: [{ familyName: 'Imported' }], tagIds: [id] } })).importPeople,
      },
      {
        name: 'importPeople groupIds',
        typename: 'Group',
        foreign: foreignGroupId,
        path: ['input', 'groupIds', '0'],
        send: async (id) => (await acme.request(DefectsImportPeople, { input: { rows: [{ familyName: 'Imported' }], groupIds: [id] } })).importPeople,
      },
      {
        name: 'a CONTACT value naming a person',
        typename: 'Person',
        foreign: foreignPerson,
        path: ['value', '0'],
        send: async (id) => (await acme.request(DefectsSetPersonField, { personId: person, field: 'contacts', value: [{ id }] })).setPersonField,
      },
      {
        name: 'a CONTACT value naming a company',
        typename: 'Company',
        foreign: foreignCompany,
        path: ['value', '0'],
        send: async (id) => (await acme.request(DefectsSetPersonField, { personId: person, field: 'contacts', value: [{ id }] })).setPersonField,
      },
      {
        name: 'a USER value',
        typename: 'User',
        foreign: foreignUser,
        path: ['value', '0'],
        send: async (id) => (await acme.request(DefectsSetPersonField, { personId: person, field: 'assignee', value: [{ id }] })).setPersonField,
      },
    ];

    for (const { name, typename, foreign, path, send } of cases) {
      expect(foreign, name).not.toBe('');
      const unknown = unknownId(typename);
      const answers: Refusal[] = [];
      for (const id of [foreign, unknown]) {
        const before = await rowCounts();
        const answer = await send(id);
        expect(await rowCounts(), `${name}: nothing written`).toEqual(before);
        expect(answer.__typename, name).toBe('ValidationError');
        // Every problem is at the id's path (setPersonFields adds that the person is not in the group).
        expect(new Set(answer.fieldErrors?.map((error) => JSON.stringify(error.path))), name).toEqual(new Set([JSON.stringify(path)]));
        const message = answer.fieldErrors!.find((error) => /in this organisation/.test(error.message))!.message;
        expect(message, name).toContain(id);
        expect(message, name).not.toMatch(uuidPattern);
        answers.push({ __typename: answer.__typename, fieldErrors: [{ path, message: message.replace(id, '<id>') }] });
      }
      // The same answer, but for the id it names.
      expect(answers[1], name).toEqual(answers[0]);
    }
    // A merge's own people are still there, and the refused values are not.
    expect(await test.prisma.person.count({ where: { id: { in: [localIdOf(person), localIdOf(second)] } } })).toBe(2);
  });
});

describe('ids inside an import row', () => {
  it("an import row's ownerId or group of another organisation fails that row like an unknown one, naming the global id sent", async () => {
    const foreignUser = (await other.request(DefectsViewer)).viewer!.id;
    const foreignGroup = await other.request(DefectsCreateGroup, { input: { title: 'Row group' } });
    const foreignGroupId = foreignGroup.createGroup.__typename === 'CreateGroupSuccess' ? foreignGroup.createGroup.group.id : '';
    const rows = [
      { familyName: 'Row owner foreign', ownerId: foreignUser },
      { familyName: 'Row owner unknown', ownerId: unknownId('User') },
      { familyName: 'Row group foreign', groups: [foreignGroupId] },
      { familyName: 'Row group unknown', groups: [unknownId('Group')] },
    ];
    const peopleBefore = await test.prisma.person.count();
    const { importPeople } = await acme.request(DefectsImportRows, { input: { rows, matchOn: [] } });
    if (importPeople.__typename !== 'ImportPeopleSuccess') throw new Error(importPeople.__typename);
    expect(importPeople.import).toMatchObject({ createdCount: 0, failedCount: 4 });
    expect(await test.prisma.person.count()).toBe(peopleBefore);
    const sent = [foreignUser, unknownId('User'), foreignGroupId, unknownId('Group')];
    const paths = [['ownerId'], ['ownerId'], ['groups', '0'], ['groups', '0']];
    importPeople.import.rowErrors.forEach((rowError, index) => {
      expect(rowError.row).toBe(index + 1);
      expect(rowError.errors.map((error) => error.path)).toEqual([paths[index]]);
      expect(rowError.errors[0]!.message).toContain(sent[index]);
      expect(rowError.errors[0]!.message).not.toMatch(uuidPattern);
    });
  });
});

describe('NotFoundError', () => {
  it('names the global id the client sent, in its message and its id, never a database uuid', async () => {
    const person = await createPersonId(acme, 'Target');
    const foreignPerson = await createPersonId(other, 'Elsewhere');
    const foreignGroup = await other.request(DefectsCreateGroup, { input: { title: 'Not yours' } });
    const foreignGroupId = foreignGroup.createGroup.__typename === 'CreateGroupSuccess' ? foreignGroup.createGroup.group.id : '';

    const cases: [string, string, () => Promise<{ __typename: string; resource?: string; id?: string | null; message?: string }>][] = [
      ['Person', foreignPerson, async () => (await acme.request(DefectsUpdatePerson, { id: foreignPerson, input: { givenName: 'X' } })).updatePerson],
      ['Person', unknownId('Person'), async () => (await acme.request(DefectsUpdatePerson, { id: unknownId('Person'), input: { givenName: 'X' } })).updatePerson],
      ['Group', foreignGroupId, async () => (await acme.request(DefectsDeleteGroup, { id: foreignGroupId })).deleteGroup],
      ['Note', unknownId('Note'), async () => (await acme.request(DefectsDeleteNote, { id: unknownId('Note') })).deleteNote],
      ['Tag', unknownId('Tag'), async () => (await acme.request(DefectsTagPerson, { personId: person, tagId: unknownId('Tag') })).tagPerson],
      ['GroupCategory', unknownId('GroupCategory'), async () => (await acme.request(DefectsDeleteGroupCategory, { id: unknownId('GroupCategory') })).deleteGroupCategory],
      ['NoteCategory', unknownId('NoteCategory'), async () => (await acme.request(DefectsDeleteNoteCategory, { id: unknownId('NoteCategory') })).deleteNoteCategory],
      ['CustomField', unknownId('CustomField'), async () => (await acme.request(DefectsSetPersonField, { personId: person, field: unknownId('CustomField'), value: 'x' })).setPersonField],
    ];
    for (const [resource, id, send] of cases) {
      const before = await rowCounts();
      const answer = await send();
      expect(await rowCounts()).toEqual(before);
      expect(answer, resource).toEqual({ __typename: 'NotFoundError', resource, id, message: `${resource} ${id} was not found.` });
      expect(answer.message).not.toMatch(uuidPattern);
    }
  });
});
