import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { timelineEventTypes } from '../../src/timeline/timeline.ts';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, requestWithFiles, type TestApp, type TestClient } from '../support/app.ts';

const Setup = graphql(`
  mutation TimelineIdsSetup($suffix: String!) {
    createTag(input: { title: $suffix }) { __typename ... on CreateTagSuccess { tag { id } } }
    firstGroup: createGroup(input: { title: "First" }) { __typename ... on CreateGroupSuccess { group { id } } }
    secondGroup: createGroup(input: { title: "Second" }) { __typename ... on CreateGroupSuccess { group { id } } }
    firstCategory: createNoteCategory(input: { title: "Call" }) { __typename ... on CreateNoteCategorySuccess { noteCategory { id } } }
    secondCategory: createNoteCategory(input: { title: "Visit" }) { __typename ... on CreateNoteCategorySuccess { noteCategory { id } } }
    createCustomField(input: { title: "Shirt", slug: "shirt", type: TEXT }) { __typename }
  }
`);

const Viewer = graphql(`
  query TimelineIdsViewer { viewer { id } }
`);

const CreatePerson = graphql(`
  mutation TimelineIdsCreatePerson($input: PersonInput!) {
    createPerson(input: $input) { __typename ... on CreatePersonSuccess { person { id } } }
  }
`);

const ChangePerson = graphql(`
  mutation TimelineIdsChangePerson($id: ID!, $input: UpdatePersonInput!, $tagId: ID!) {
    updatePerson(id: $id, input: $input) { __typename }
    archivePerson(id: $id) { __typename }
    unarchivePerson(id: $id) { __typename }
    setPersonField(personId: $id, field: "shirt", value: "L") { __typename }
    unsetPersonField(personId: $id, field: "shirt") { __typename }
    tagPerson(personId: $id, tagId: $tagId) { __typename }
    untagPerson(personId: $id, tagId: $tagId) { __typename }
  }
`);

const CreateNote = graphql(`
  mutation TimelineIdsCreateNote($personId: ID!, $input: NoteInput!) {
    createNote(personId: $personId, input: $input) { __typename ... on CreateNoteSuccess { note { id } } }
  }
`);

const ChangeNoteAndGroups = graphql(`
  mutation TimelineIdsChangeNoteAndGroups($noteId: ID!, $categoryId: ID!, $personId: ID!, $groupId: ID!) {
    updateNote(id: $noteId, input: { categoryId: $categoryId }) { __typename }
    deleteNote(id: $noteId) { __typename }
    addGroupMember(groupId: $groupId, personId: $personId) { __typename }
    updateGroupMember(groupId: $groupId, personId: $personId, role: MANAGER) { __typename }
    removeGroupMember(groupId: $groupId, personId: $personId) { __typename }
  }
`);

const SetAvatar = graphql(`
  mutation TimelineIdsSetAvatar($personId: ID!, $file: File!) {
    setPersonAvatar(personId: $personId, file: $file) { __typename }
  }
`);

const ImportAndMerge = graphql(`
  mutation TimelineIdsImportAndMerge($rows: [ImportRowInput!]!, $groupIds: [ID!], $merge: MergePeopleInput!) {
    importPeople(input: { rows: $rows, groupIds: $groupIds }) { __typename ... on ImportPeopleSuccess { import { id } } }
    mergePeople(input: $merge) { __typename ... on MergePeopleSuccess { person { id } } }
  }
`);

const ExportPerson = graphql(`
  mutation TimelineIdsExport($id: ID!) {
    exportPerson(id: $id) { __typename }
  }
`);

const Timeline = graphql(`
  query TimelineIdsTimeline($id: ID!) {
    person(id: $id) { timeline(first: 100) { edges { node { type data } } } }
  }
`);

const PeopleByIdentifier = graphql(`
  query TimelineIdsPeopleByIdentifier($identifier: String!) {
    people(first: 1, filter: { identifiers: [$identifier] }) { nodes { id } }
  }
`);

const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A person's identifiers in other systems: keys ending in Id that are not ids of this API. */
const externalIdentifierKeys = new Set(['externalId', 'customerId', 'linkedinId']);

let test: TestApp;
let acme: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
});
afterAll(() => test?.close());

/** Every value under a key ending in Id or Ids, with its path, at any depth (before/after pairs included). */
function idValues(value: unknown, path: string[] = []): { path: string; value: unknown }[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => idValues(item, [...path, String(index)]));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => {
    const itemPath = [...path, key];
    if (externalIdentifierKeys.has(key)) return [];
    if (!/Ids?$/.test(key)) return idValues(item, itemPath);
    return leaves(item, itemPath);
  });
}

/** The ids under an id key: the value itself, each element of a list, or both sides of a { before, after }. */
function leaves(value: unknown, path: string[]): { path: string; value: unknown }[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => leaves(item, [...path, String(index)]));
  if (typeof value === 'object' && 'before' in value && 'after' in value) {
    return [...leaves(value.before, [...path, 'before']), ...leaves(value.after, [...path, 'after'])];
  }
  return [{ path: path.join('.'), value }];
}

function isGlobalId(value: unknown): boolean {
  if (typeof value !== 'string' || uuidPattern.test(value)) return false;
  return /^[A-Z]\w*:[0-9a-f-]{36}$/i.test(Buffer.from(value, 'base64').toString());
}

async function timelineOf(personId: string) {
  const { person } = await acme.request(Timeline, { id: personId });
  return person!.timeline.edges.map(({ node }) => node);
}

describe('TimelineEvent.data', () => {
  it('holds only global ids, in every event type', async () => {
    const setup = await acme.request(Setup, { suffix: 'Donor' });
    if (
      setup.createTag.__typename !== 'CreateTagSuccess' ||
      setup.firstGroup.__typename !== 'CreateGroupSuccess' ||
      setup.secondGroup.__typename !== 'CreateGroupSuccess' ||
      setup.firstCategory.__typename !== 'CreateNoteCategorySuccess' ||
      setup.secondCategory.__typename !== 'CreateNoteCategorySuccess'
    ) {
      throw new Error(`setup: ${JSON.stringify(setup)}`);
    }
    expect(setup.createCustomField.__typename).toBe('CreateCustomFieldSuccess');
    const { viewer } = await acme.request(Viewer);
    const tagId = setup.createTag.tag.id;
    const [firstGroupId, secondGroupId] = [setup.firstGroup.group.id, setup.secondGroup.group.id];

    const created = await acme.request(CreatePerson, {
      input: { familyName: 'Walker', groups: [firstGroupId], fields: [{ field: 'shirt', value: 'M' }], companies: [{ name: 'Alpha' }] },
    });
    if (created.createPerson.__typename !== 'CreatePersonSuccess') throw new Error(created.createPerson.__typename);
    const personId = created.createPerson.person.id;

    const changed = await acme.request(ChangePerson, {
      id: personId,
      tagId,
      input: { ownerId: viewer!.id, companies: [{ name: 'Beta' }], externalId: 'walker-1', linkedinId: 'walker' },
    });
    expect(Object.values(changed).map((result) => result.__typename)).not.toContainEqual(expect.stringMatching(/Error$/));

    const note = await acme.request(CreateNote, {
      personId,
      input: { description: 'Called.', categoryId: setup.firstCategory.noteCategory.id },
    });
    if (note.createNote.__typename !== 'CreateNoteSuccess') throw new Error(note.createNote.__typename);
    const noteAndGroups = await acme.request(ChangeNoteAndGroups, {
      noteId: note.createNote.note.id,
      categoryId: setup.secondCategory.noteCategory.id,
      personId,
      groupId: secondGroupId,
    });
    expect(Object.values(noteAndGroups).map((result) => result.__typename)).not.toContainEqual(expect.stringMatching(/Error$/));

    const avatar = await requestWithFiles(test, acme, SetAvatar, { personId, file: null as unknown as File }, {
      file: new File([new Uint8Array(png)], 'me.png', { type: 'image/png' }),
    });
    expect(avatar.data?.setPersonAvatar.__typename).toBe('SetPersonAvatarSuccess');

    const other = await acme.request(CreatePerson, { input: { familyName: 'Walker-B', companies: [{ name: 'Gamma' }] } });
    if (other.createPerson.__typename !== 'CreatePersonSuccess') throw new Error(other.createPerson.__typename);
    const importedAndMerged = await acme.request(ImportAndMerge, {
      // The first row matches the person by externalId; the second is new and goes the bulk path.
      rows: [{ familyName: 'Walker', externalId: 'walker-1' }, { familyName: 'Newcomer', emails: ['newcomer@example.org'] }],
      groupIds: [firstGroupId],
      merge: { personIds: [personId, other.createPerson.person.id], primaryId: personId },
    });
    expect(importedAndMerged.importPeople.__typename).toBe('ImportPeopleSuccess');
    expect(importedAndMerged.mergePeople.__typename).toBe('MergePeopleSuccess');
    const { people: newcomers } = await acme.request(PeopleByIdentifier, { identifier: 'newcomer@example.org' });

    const exported = await acme.request(ExportPerson, { id: personId });
    expect(exported.exportPerson.__typename).toBe('ExportPersonSuccess');

    const events = [...(await timelineOf(personId)), ...(await timelineOf(newcomers.nodes[0]!.id))];
    expect(new Set(events.map((event) => event.type))).toEqual(new Set(timelineEventTypes));
    const ids = events.flatMap((event) => idValues(event.data).map((found) => ({ type: event.type, ...found })));
    // The walk must reach the ids it is about, so that an empty result proves nothing by accident.
    expect(ids.map(({ type, path }) => `${type} ${path}`)).toEqual(
      expect.arrayContaining(['NOTE_ADDED categoryId', 'NOTE_CHANGED changes.categoryId.after', 'PERSON_UPDATED changes.ownerId.after']),
    );
    expect(ids.filter(({ value }) => !isGlobalId(value))).toEqual([]);
  });
});
