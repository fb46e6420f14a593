import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { localIdOf } from '../support/organising.ts';
import { type RawResult, rawRequest } from '../support/raw.ts';

/**
 * Concurrent writes of the same thing, 50 at once through app.fetch. On PostgreSQL they overlap
 * (the pool holds several connections); on PGlite (one connection) they run one after another,
 * and must settle the same way. Every request gets a success or a typed error, never a masked one;
 * an idempotent write leaves one row and one timeline event.
 */

const concurrency = 50;

let test: TestApp;
let acme: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
});

afterAll(async () => {
  await test?.close();
});

type Variables = Record<string, unknown>;
interface Result {
  __typename: string;
  [field: string]: unknown;
}
/** Each root field's mutation result. */
type Results = Record<string, Result | null>;
type Response = RawResult<Results>;

const send = (query: string, variables: Variables = {}) => rawRequest<Results>(test, acme, query, variables);

/** The mutation's result; a GraphQL error (a masked one above all) fails the test with its message. */
async function mutate(field: string, query: string, variables: Variables = {}): Promise<Result> {
  const response = await send(query, variables);
  expect(response.errors, `${field}: ${JSON.stringify(response.errors)}`).toBeUndefined();
  return response.data![field]!;
}

/** Sends every request at once (none waits for another's answer) and gives their responses in order. */
async function all(requests: (() => Promise<Response>)[]): Promise<Response[]> {
  return Promise.all(requests.map((request) => request()));
}

function times<T>(count: number, make: (index: number) => T): T[] {
  return Array.from({ length: count }, (_, index) => make(index));
}

/** The __typename of each response's mutation result, or the error code of a response that failed. */
function outcomes(responses: Response[], field: string): string[] {
  return responses.map((response) => response.errors?.[0]?.extensions?.code ?? response.data?.[field]?.__typename ?? 'NO DATA');
}

function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

const person = async (familyName: string, input: Variables = {}): Promise<string> => {
  const result = await mutate('createPerson', 'mutation($input: PersonInput!) { createPerson(input: $input) { __typename ... on CreatePersonSuccess { person { id } } } }', {
    input: { familyName, ...input },
  });
  return (result.person as { id: string }).id;
};
const tag = async (title: string, valueType?: string): Promise<string> => {
  const result = await mutate('createTag', 'mutation($input: TagInput!) { createTag(input: $input) { __typename ... on CreateTagSuccess { tag { id } } } }', {
    input: { title, ...(valueType ? { valueType } : {}) },
  });
  return (result.tag as { id: string }).id;
};
const group = async (title: string): Promise<string> => {
  const result = await mutate('createGroup', 'mutation($input: GroupInput!) { createGroup(input: $input) { __typename ... on CreateGroupSuccess { group { id } } } }', {
    input: { title },
  });
  return (result.group as { id: string }).id;
};
const noteCategory = async (title: string): Promise<string> => {
  const result = await mutate(
    'createNoteCategory',
    'mutation($input: NoteCategoryInput!) { createNoteCategory(input: $input) { __typename ... on CreateNoteCategorySuccess { noteCategory { id } } } }',
    { input: { title } },
  );
  return (result.noteCategory as { id: string }).id;
};

const TagPerson = 'mutation($personId: ID!, $tagId: ID!, $value: JSON) { tagPerson(personId: $personId, tagId: $tagId, value: $value) { __typename } }';
const UntagPerson = 'mutation($personId: ID!, $tagId: ID!) { untagPerson(personId: $personId, tagId: $tagId) { __typename } }';
const AddGroupMember =
  'mutation($groupId: ID!, $personId: ID!, $role: GroupRole!) { addGroupMember(groupId: $groupId, personId: $personId, role: $role) { __typename } }';
const UpdateGroupMember =
  'mutation($groupId: ID!, $personId: ID!, $role: GroupRole!) { updateGroupMember(groupId: $groupId, personId: $personId, role: $role) { __typename } }';
const RemoveGroupMember = 'mutation($groupId: ID!, $personId: ID!) { removeGroupMember(groupId: $groupId, personId: $personId) { __typename } }';
const ArchivePerson =
  'mutation($id: ID!) { archivePerson(id: $id) { __typename ... on ArchivePersonSuccess { person { archivedAt } } } }';
const UnarchivePerson = 'mutation($id: ID!) { unarchivePerson(id: $id) { __typename ... on UnarchivePersonSuccess { person { archivedAt } } } }';
const DeletePerson = 'mutation($id: ID!) { deletePerson(id: $id) { __typename } }';
const CreateNote =
  'mutation($personId: ID!, $input: NoteInput!) { createNote(personId: $personId, input: $input) { __typename ... on NotFoundError { resource } } }';

const events = (personId: string, type: string) => test.prisma.timelineEvent.count({ where: { personId: localIdOf(personId), type } });

describe('Concurrent idempotent writes settle on one row and one event', () => {
  it('createPerson naming the same new company: every person is created, with the one company', async () => {
    const responses = await all(
      times(concurrency, (index) => () =>
        send('mutation($input: PersonInput!) { createPerson(input: $input) { __typename } }', {
          input: { familyName: `Company race ${index}`, companies: [{ name: 'Race Industries' }] },
        }),
      ),
    );
    expect(tally(outcomes(responses, 'createPerson'))).toEqual({ CreatePersonSuccess: concurrency });
    const companies = await test.prisma.company.findMany({ where: { nameKey: 'race industries' } });
    expect(companies).toHaveLength(1);
    expect(await test.prisma.personCompany.count({ where: { companyId: companies[0]!.id } })).toBe(concurrency);
  });

  it('updatePerson naming the same new company from many people: one company', async () => {
    const ids = await Promise.all(times(10, (index) => person(`Company update race ${index}`)));
    const responses = await all(
      times(concurrency, (index) => () =>
        send('mutation($id: ID!, $input: UpdatePersonInput!) { updatePerson(id: $id, input: $input) { __typename } }', {
          id: ids[index % ids.length],
          input: { companies: [{ name: 'Update Race Ltd' }] },
        }),
      ),
    );
    expect(tally(outcomes(responses, 'updatePerson'))).toEqual({ UpdatePersonSuccess: concurrency });
    expect(await test.prisma.company.count({ where: { nameKey: 'update race ltd' } })).toBe(1);
    for (const id of ids) expect(await events(id, 'PERSON_UPDATED')).toBe(1);
  });

  it('addGroupMember of the same person: one membership, one GROUP_JOINED', async () => {
    const groupId = await group('Race group');
    const personId = await person('Joiner');
    const responses = await all(times(concurrency, () => () => send(AddGroupMember, { groupId, personId, role: 'MEMBER' })));
    expect(tally(outcomes(responses, 'addGroupMember'))).toEqual({ AddGroupMemberSuccess: concurrency });
    expect(await test.prisma.groupMembership.count({ where: { groupId: localIdOf(groupId) } })).toBe(1);
    expect(await events(personId, 'GROUP_JOINED')).toBe(1);
  });

  it("addGroupMember and updateGroupMember making a member a manager: one GROUP_ROLE_CHANGED", async () => {
    const groupId = await group('Managers race');
    const personId = await person('Promoted');
    await mutate('addGroupMember', AddGroupMember, { groupId, personId, role: 'MEMBER' });
    const responses = await all(
      times(concurrency, (index) => () => send(index % 2 ? UpdateGroupMember : AddGroupMember, { groupId, personId, role: 'MANAGER' })),
    );
    const adds = responses.filter((_, index) => index % 2 === 0);
    const updates = responses.filter((_, index) => index % 2 === 1);
    expect(tally(outcomes(adds, 'addGroupMember'))).toEqual({ AddGroupMemberSuccess: concurrency / 2 });
    expect(tally(outcomes(updates, 'updateGroupMember'))).toEqual({ UpdateGroupMemberSuccess: concurrency / 2 });
    const memberships = await test.prisma.groupMembership.findMany({ where: { groupId: localIdOf(groupId) } });
    expect(memberships.map((membership) => membership.role)).toEqual(['MANAGER']);
    expect(await events(personId, 'GROUP_ROLE_CHANGED')).toBe(1);
  });

  it('removeGroupMember of the same member: one removal, NotFoundError for the rest, one GROUP_LEFT', async () => {
    const groupId = await group('Leavers');
    const personId = await person('Leaver');
    await mutate('addGroupMember', AddGroupMember, { groupId, personId, role: 'MEMBER' });
    const responses = await all(times(concurrency, () => () => send(RemoveGroupMember, { groupId, personId })));
    expect(tally(outcomes(responses, 'removeGroupMember'))).toEqual({ RemoveGroupMemberSuccess: 1, NotFoundError: concurrency - 1 });
    expect(await test.prisma.groupMembership.count({ where: { groupId: localIdOf(groupId) } })).toBe(0);
    expect(await events(personId, 'GROUP_LEFT')).toBe(1);
  });

  it('tagPerson with the same tag: one assignment, one TAG_ADDED', async () => {
    const tagId = await tag('Race tag');
    const personId = await person('Tagged');
    const responses = await all(times(concurrency, () => () => send(TagPerson, { personId, tagId })));
    expect(tally(outcomes(responses, 'tagPerson'))).toEqual({ TagPersonSuccess: concurrency });
    expect(await test.prisma.personTag.count({ where: { tagId: localIdOf(tagId) } })).toBe(1);
    expect(await events(personId, 'TAG_ADDED')).toBe(1);
  });

  it('tagPerson with the same value of a valued tag: one assignment, one TAG_ADDED', async () => {
    const tagId = await tag('Race score', 'NUMBER');
    const personId = await person('Scored');
    const responses = await all(times(concurrency, () => () => send(TagPerson, { personId, tagId, value: 7 })));
    expect(tally(outcomes(responses, 'tagPerson'))).toEqual({ TagPersonSuccess: concurrency });
    expect((await test.prisma.personTag.findMany({ where: { tagId: localIdOf(tagId) } })).map((row) => row.value)).toEqual([7]);
    expect(await events(personId, 'TAG_ADDED')).toBe(1);
  });

  it('untagPerson of the same tag: one removal, NotFoundError for the rest, one TAG_REMOVED', async () => {
    const tagId = await tag('Untag race');
    const personId = await person('Untagged');
    await mutate('tagPerson', TagPerson, { personId, tagId });
    const responses = await all(times(concurrency, () => () => send(UntagPerson, { personId, tagId })));
    expect(tally(outcomes(responses, 'untagPerson'))).toEqual({ UntagPersonSuccess: 1, NotFoundError: concurrency - 1 });
    expect(await events(personId, 'TAG_REMOVED')).toBe(1);
  });

  it('archivePerson: one PERSON_ARCHIVED, and every answer gives the first archivedAt, the one kept', async () => {
    const id = await person('Archived');
    const responses = await all(times(concurrency, () => () => send(ArchivePerson, { id })));
    expect(tally(outcomes(responses, 'archivePerson'))).toEqual({ ArchivePersonSuccess: concurrency });
    const stored = (await test.prisma.person.findUniqueOrThrow({ where: { id: localIdOf(id) } })).archivedAt!.toISOString();
    const answered = responses.map((response) => (response.data!.archivePerson!.person as { archivedAt: string }).archivedAt);
    expect(new Set(answered)).toEqual(new Set([stored]));
    expect(await events(id, 'PERSON_ARCHIVED')).toBe(1);
    // The one event is the archiving the date records.
    const event = await test.prisma.timelineEvent.findFirstOrThrow({ where: { personId: localIdOf(id), type: 'PERSON_ARCHIVED' } });
    expect(event.occurredAt.getTime()).toBeGreaterThanOrEqual(new Date(stored).getTime());
  });

  it('unarchivePerson: one PERSON_UNARCHIVED', async () => {
    const id = await person('Unarchived');
    await mutate('archivePerson', ArchivePerson, { id });
    const responses = await all(times(concurrency, () => () => send(UnarchivePerson, { id })));
    expect(tally(outcomes(responses, 'unarchivePerson'))).toEqual({ UnarchivePersonSuccess: concurrency });
    expect((await test.prisma.person.findUniqueOrThrow({ where: { id: localIdOf(id) } })).archivedAt).toBeNull();
    expect(await events(id, 'PERSON_UNARCHIVED')).toBe(1);
  });

  it('updateNote with the same change: one NOTE_CHANGED', async () => {
    const personId = await person('Note changer');
    const categoryId = await noteCategory('Changes');
    const created = await mutate('createNote', 'mutation($personId: ID!, $input: NoteInput!) { createNote(personId: $personId, input: $input) { __typename ... on CreateNoteSuccess { note { id } } } }', {
      personId,
      input: { description: 'Call back', categoryId },
    });
    const id = (created.note as { id: string }).id;
    const responses = await all(
      times(concurrency, () => () => send('mutation($id: ID!) { updateNote(id: $id, input: { flagged: true }) { __typename } }', { id })),
    );
    expect(tally(outcomes(responses, 'updateNote'))).toEqual({ UpdateNoteSuccess: concurrency });
    expect(await events(personId, 'NOTE_CHANGED')).toBe(1);
  });

  it('deleteNote: one deletion, NotFoundError for the rest, one NOTE_DELETED', async () => {
    const personId = await person('Note deleter');
    const categoryId = await noteCategory('Deletions');
    const created = await mutate('createNote', 'mutation($personId: ID!, $input: NoteInput!) { createNote(personId: $personId, input: $input) { __typename ... on CreateNoteSuccess { note { id } } } }', {
      personId,
      input: { description: 'Old news', categoryId },
    });
    const id = (created.note as { id: string }).id;
    const responses = await all(times(concurrency, () => () => send('mutation($id: ID!) { deleteNote(id: $id) { __typename } }', { id })));
    expect(tally(outcomes(responses, 'deleteNote'))).toEqual({ DeleteNoteSuccess: 1, NotFoundError: concurrency - 1 });
    expect(await events(personId, 'NOTE_DELETED')).toBe(1);
  });

  it('deletePerson: one deletion, NotFoundError for the rest', async () => {
    const id = await person('Deleted');
    const responses = await all(times(concurrency, () => () => send(DeletePerson, { id })));
    expect(tally(outcomes(responses, 'deletePerson'))).toEqual({ DeletePersonSuccess: 1, NotFoundError: concurrency - 1 });
  });
});

describe('Writes racing the deletion of what they write to', () => {
  it('createNote racing deletePerson: each note is written (and deleted with the person) or a NotFoundError', async () => {
    // 25 people, each deleted while a note is written to them (sent just before or just after).
    const people = await Promise.all(times(concurrency / 2, (index) => person(`Noted ${index}`)));
    const categoryId = await noteCategory('Race notes');
    const pairs = people.map((personId, index) => {
      const note = () => send(CreateNote, { personId, input: { description: `Note ${index}`, categoryId } });
      const deletion = () => send(DeletePerson, { id: personId });
      return index % 2 ? { note, deletion, first: deletion, second: note } : { note, deletion, first: note, second: deletion };
    });
    const responses = await all(pairs.flatMap((pair) => [pair.first, pair.second]));
    const sent = pairs.flatMap((pair) => [pair.first, pair.second]);
    const deletions = responses.filter((_, index) => pairs.some((pair) => pair.deletion === sent[index]));
    const notes = responses.filter((_, index) => pairs.some((pair) => pair.note === sent[index]));
    expect(tally(outcomes(deletions, 'deletePerson'))).toEqual({ DeletePersonSuccess: people.length });
    expect(outcomes(notes, 'createNote').filter((outcome) => outcome !== 'CreateNoteSuccess' && outcome !== 'NotFoundError')).toEqual([]);
    for (const response of notes) {
      if (response.data?.createNote?.__typename === 'NotFoundError') expect(response.data.createNote.resource).toBe('Person');
    }
    expect(await test.prisma.note.count({ where: { personId: { in: people.map(localIdOf) } } })).toBe(0);
  });

  it('importPeople matching people being deleted: each row updates its person before the deletion or creates them anew', async () => {
    // Enough rows that the import (one batch, matched rows applied one by one) is still running
    // while the deletions arrive.
    const count = 300;
    const ImportPeople =
      'mutation($input: ImportPeopleInput!) { importPeople(input: $input) { __typename ... on ImportPeopleSuccess { import { status createdCount updatedCount failedCount } } } }';
    const rowsNamed = (jobTitle: string) =>
      times(count, (index) => ({ externalId: `race-import-${index}`, familyName: `Imported ${index}`, jobTitle }));
    await mutate('importPeople', ImportPeople, { input: { rows: rowsNamed('First') } });
    const ids = (await test.prisma.person.findMany({ where: { externalId: { startsWith: 'race-import-' } } })).map((row) =>
      Buffer.from(`Person:${row.id}`).toString('base64'),
    );
    const importing = send(ImportPeople, { input: { rows: rowsNamed('Second'), matchOn: ['EXTERNAL_ID'] } });
    // The deletions are sent once the import is under way.
    while ((await test.prisma.import.count({ where: { status: 'RUNNING' } })) === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const deletions = await all(ids.map((id) => () => send(DeletePerson, { id })));
    const imported = await importing;
    expect(imported.errors).toBeUndefined();
    const record = imported.data!.importPeople!.import as { createdCount: number };
    expect(record).toMatchObject({ status: 'COMPLETED', failedCount: 0 });
    expect(tally(outcomes(deletions, 'deletePerson'))).toEqual({ DeletePersonSuccess: count });
    // Updated rows were deleted after; created ones (their person deleted first) are new people.
    const left = await test.prisma.person.findMany({ where: { externalId: { startsWith: 'race-import-' } } });
    expect(left.length).toBe(record.createdCount);
    expect(left.every((row) => row.jobTitle === 'Second')).toBe(true);
  });

  it("importPeople adding emails to people whose emails updatePerson replaces: the update's email is never lost", async () => {
    const people = await Promise.all(times(concurrency / 2, (index) => person(`Emailed ${index}`, { externalId: `race-email-${index}` })));
    const ImportPeople = 'mutation($input: ImportPeopleInput!) { importPeople(input: $input) { __typename } }';
    const UpdatePerson = 'mutation($id: ID!, $input: UpdatePersonInput!) { updatePerson(id: $id, input: $input) { __typename } }';
    const rows = people.map((_, index) => ({ externalId: `race-email-${index}`, emails: [`import-${index}@example.org`] }));
    const responses = await all([
      ...people.map((id, index) => () => send(UpdatePerson, { id, input: { emails: [`api-${index}@example.org`] } })),
      () => send(ImportPeople, { input: { rows, matchOn: ['EXTERNAL_ID'] } }),
    ]);
    expect(responses.flatMap((response) => response.errors ?? [])).toEqual([]);
    for (const [index, id] of people.entries()) {
      const stored = await test.prisma.person.findUniqueOrThrow({ where: { id: localIdOf(id) } });
      // The update replaces the list and the import adds to it: [api] when the update came second,
      // [api, import] when the import did, never [import] (an import that read the person before the update).
      expect(stored.emails[0]).toBe(`api-${index}@example.org`);
      expect([1, 2]).toContain(stored.emails.length);
    }
  });

  it('createNote racing deleteNoteCategory: each note is written (and its category kept) or refused as invalid', async () => {
    // 25 categories, each deleted while a note is written with it (sent just before or just after).
    const personId = await person('Categorised');
    const categories = await Promise.all(times(concurrency / 2, (index) => noteCategory(`Doomed category ${index}`)));
    const sent = categories.flatMap((categoryId, index) => {
      const note = () => send(CreateNote, { personId, input: { description: `Note ${index}`, categoryId } });
      const deletion = () => send('mutation($id: ID!) { deleteNoteCategory(id: $id) { __typename } }', { id: categoryId });
      return index % 2 ? [deletion, note] : [note, deletion];
    });
    const responses = await all(sent);
    for (const [index, categoryId] of categories.entries()) {
      const [first, second] = [responses[2 * index]!, responses[2 * index + 1]!];
      const [deletion, note] = index % 2 ? [first, second] : [second, first];
      const deleted = outcomes([deletion], 'deleteNoteCategory')[0];
      const noted = outcomes([note], 'createNote')[0];
      expect(['CreateNoteSuccess', 'ValidationError']).toContain(noted);
      const written = await test.prisma.note.count({ where: { categoryId: localIdOf(categoryId) } });
      expect(written).toBe(noted === 'CreateNoteSuccess' ? 1 : 0);
      // Deleted only while no note had it; refused (and kept) once one had.
      expect(deleted).toBe(written === 0 ? 'DeleteNoteCategorySuccess' : 'ConflictError');
      expect(await test.prisma.noteCategory.count({ where: { id: localIdOf(categoryId) } })).toBe(written === 0 ? 0 : 1);
    }
  });

  it('tagPerson racing deleteTag: each is tagged (and untagged with a TAG_REMOVED) or a NotFoundError', async () => {
    const tagId = await tag('Doomed tag');
    const people = await Promise.all(times(concurrency - 1, (index) => person(`Doomed tag ${index}`)));
    const deleteAt = concurrency / 2;
    const requests = people.map((personId) => () => send(TagPerson, { personId, tagId }));
    requests.splice(deleteAt, 0, () => send('mutation($id: ID!) { deleteTag(id: $id) { __typename } }', { id: tagId }));
    const responses = await all(requests);
    expect(outcomes([responses[deleteAt]!], 'deleteTag')).toEqual(['DeleteTagSuccess']);
    const tagged = responses.filter((_, index) => index !== deleteAt);
    expect(outcomes(tagged, 'tagPerson').filter((outcome) => outcome !== 'TagPersonSuccess' && outcome !== 'NotFoundError')).toEqual([]);
    for (const [index, personId] of people.entries()) {
      const added = await events(personId, 'TAG_ADDED');
      expect(added).toBe(tagged[index]!.data!.tagPerson!.__typename === 'TagPersonSuccess' ? 1 : 0);
      // The timeline tells the whole story: a tag that was added was removed with the tag.
      expect(await events(personId, 'TAG_REMOVED')).toBe(added);
    }
  });

  it('addGroupMember racing deleteGroup: each joins (and leaves with a GROUP_LEFT) or gets a NotFoundError', async () => {
    const groupId = await group('Doomed group');
    const people = await Promise.all(times(concurrency - 1, (index) => person(`Doomed group ${index}`)));
    const deleteAt = concurrency / 2;
    const requests = people.map((personId) => () => send(AddGroupMember, { groupId, personId, role: 'MEMBER' }));
    requests.splice(deleteAt, 0, () => send('mutation($id: ID!) { deleteGroup(id: $id) { __typename } }', { id: groupId }));
    const responses = await all(requests);
    expect(outcomes([responses[deleteAt]!], 'deleteGroup')).toEqual(['DeleteGroupSuccess']);
    const joined = responses.filter((_, index) => index !== deleteAt);
    expect(outcomes(joined, 'addGroupMember').filter((outcome) => outcome !== 'AddGroupMemberSuccess' && outcome !== 'NotFoundError')).toEqual([]);
    for (const [index, personId] of people.entries()) {
      const added = await events(personId, 'GROUP_JOINED');
      expect(added).toBe(joined[index]!.data!.addGroupMember!.__typename === 'AddGroupMemberSuccess' ? 1 : 0);
      expect(await events(personId, 'GROUP_LEFT')).toBe(added);
    }
  });

  it('deleteTag and deleteGroup racing the deletion of the people who have them: every deletion succeeds', async () => {
    // Five tags and five groups, each on nine people; all deleted at once, each tag and group
    // among the deletions of its people.
    const tags = await Promise.all(times(5, (index) => tag(`Deleted with people ${index}`)));
    const groups = await Promise.all(times(5, (index) => group(`Deleted with people ${index}`)));
    const people = await Promise.all(times(45, (index) => person(`Deleted holder ${index}`)));
    for (const [index, personId] of people.entries()) {
      await mutate('tagPerson', TagPerson, { personId, tagId: tags[index % 5] });
      await mutate('addGroupMember', AddGroupMember, { groupId: groups[index % 5], personId, role: 'MEMBER' });
    }
    const requests = people.map((personId) => () => send(DeletePerson, { id: personId }));
    for (const index of times(5, (at) => at)) {
      requests.splice(index * 10 + 4, 0, () =>
        index % 2
          ? send('mutation($id: ID!) { deleteTag(id: $id) { __typename } }', { id: tags[index] })
          : send('mutation($id: ID!) { deleteGroup(id: $id) { __typename } }', { id: groups[index] }),
      );
    }
    const responses = await all(requests);
    const codes = responses.map((response) => response.errors?.[0]?.extensions?.code ?? Object.values(response.data!)[0]!.__typename);
    expect(tally(codes)).toEqual({ DeletePersonSuccess: 45, DeleteTagSuccess: 2, DeleteGroupSuccess: 3 });
    expect(await test.prisma.person.count({ where: { id: { in: people.map(localIdOf) } } })).toBe(0);
  });

  it('writes racing a merge of their person: each lands on the primary or is a NotFoundError', async () => {
    const primaryId = await person('Merge primary');
    const otherId = await person('Merge other');
    const tags = await Promise.all(times(concurrency - 1, (index) => tag(`Merge race ${index}`)));
    const mergeAt = concurrency / 2;
    const requests = tags.map((tagId) => () => send(TagPerson, { personId: otherId, tagId }));
    requests.splice(mergeAt, 0, () =>
      send('mutation($input: MergePeopleInput!) { mergePeople(input: $input) { __typename } }', {
        input: { personIds: [primaryId, otherId], primaryId },
      }),
    );
    const responses = await all(requests);
    expect(outcomes([responses[mergeAt]!], 'mergePeople')).toEqual(['MergePeopleSuccess']);
    const tagged = responses.filter((_, index) => index !== mergeAt);
    const tagOutcomes = outcomes(tagged, 'tagPerson');
    expect(tagOutcomes.filter((outcome) => outcome !== 'TagPersonSuccess' && outcome !== 'NotFoundError')).toEqual([]);
    // What succeeded is on the primary now; what did not is on no one.
    const onPrimary = await test.prisma.personTag.findMany({ where: { personId: localIdOf(primaryId) }, select: { tagId: true } });
    const expected = tags.filter((_, index) => tagOutcomes[index] === 'TagPersonSuccess').map(localIdOf);
    expect(onPrimary.map((row) => row.tagId).sort()).toEqual(expected.sort());
    expect(await events(primaryId, 'TAG_ADDED')).toBe(expected.length);
  });
});

describe('Concurrent creations of the same title or slug', () => {
  it('createTag with one title: one tag, ConflictError for the rest', async () => {
    const responses = await all(times(concurrency, () => () => send('mutation { createTag(input: { title: "Only once" }) { __typename } }')));
    expect(tally(outcomes(responses, 'createTag'))).toEqual({ CreateTagSuccess: 1, ConflictError: concurrency - 1 });
  });

  it('createCustomField with one slug: one field, ConflictError for the rest', async () => {
    const responses = await all(
      times(concurrency, () => () => send('mutation { createCustomField(input: { title: "Shoe size", slug: "shoe-size", type: NUMBER }) { __typename } }')),
    );
    expect(tally(outcomes(responses, 'createCustomField'))).toEqual({ CreateCustomFieldSuccess: 1, ConflictError: concurrency - 1 });
  });

  it('createNoteCategory and createGroupCategory with one title: one each, ConflictError for the rest', async () => {
    const notes = await all(times(concurrency, () => () => send('mutation { createNoteCategory(input: { title: "Calls" }) { __typename } }')));
    expect(tally(outcomes(notes, 'createNoteCategory'))).toEqual({ CreateNoteCategorySuccess: 1, ConflictError: concurrency - 1 });
    const groups = await all(times(concurrency, () => () => send('mutation { createGroupCategory(input: { title: "Teams" }) { __typename } }')));
    expect(tally(outcomes(groups, 'createGroupCategory'))).toEqual({ CreateGroupCategorySuccess: 1, ConflictError: concurrency - 1 });
  });
});
