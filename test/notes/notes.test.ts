import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { NoteFilter, NoteInput, UpdateNoteInput } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, createUserClient, expectGraphQLError, type TestApp, type TestClient } from '../support/app.ts';
import { createPersonId, localIdOf, timelineOf, unknownId } from '../support/organising.ts';

const NoteFields = graphql(`
  fragment NoteFields on Note {
    id
    title
    description
    category { id title }
    flagged
    isPrivate
    author { id }
    person { id }
    createdAt
    updatedAt
  }
`);

const CreateNoteCategory = graphql(`
  mutation CreateNoteCategory($input: NoteCategoryInput!) {
    createNoteCategory(input: $input) {
      __typename
      ... on CreateNoteCategorySuccess { noteCategory { id title } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ConflictError { message }
    }
  }
`);

const UpdateNoteCategory = graphql(`
  mutation UpdateNoteCategory($id: ID!, $input: NoteCategoryInput!) {
    updateNoteCategory(id: $id, input: $input) {
      __typename
      ... on UpdateNoteCategorySuccess { noteCategory { id title } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ConflictError { message }
      ... on NotFoundError { resource id }
    }
  }
`);

const DeleteNoteCategory = graphql(`
  mutation DeleteNoteCategory($id: ID!) {
    deleteNoteCategory(id: $id) {
      __typename
      ... on DeleteNoteCategorySuccess { deletedId }
      ... on ConflictError { message }
      ... on NotFoundError { resource id }
    }
  }
`);

const ListNoteCategories = graphql(`
  query ListNoteCategories($first: Int, $after: String) {
    noteCategories(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id title } }
    }
  }
`);

const CreateNote = graphql(`
  mutation CreateNote($personId: ID!, $input: NoteInput!) {
    createNote(personId: $personId, input: $input) {
      __typename
      ... on CreateNoteSuccess { note { ...NoteFields } }
      ... on ValidationError { fieldErrors { path message } }
      ... on NotFoundError { resource id }
      ... on ForbiddenError { message }
    }
  }
`);

const ReplaceNote = graphql(`
  mutation ReplaceNote($id: ID!, $input: NoteInput!) {
    replaceNote(id: $id, input: $input) {
      __typename
      ... on ReplaceNoteSuccess { note { ...NoteFields } }
      ... on ValidationError { fieldErrors { path message } }
      ... on NotFoundError { resource id }
    }
  }
`);

const UpdateNote = graphql(`
  mutation UpdateNote($id: ID!, $input: UpdateNoteInput!) {
    updateNote(id: $id, input: $input) {
      __typename
      ... on UpdateNoteSuccess { note { ...NoteFields } }
      ... on ValidationError { fieldErrors { path message } }
      ... on NotFoundError { resource id }
    }
  }
`);

const DeleteNote = graphql(`
  mutation DeleteNote($id: ID!) {
    deleteNote(id: $id) {
      __typename
      ... on DeleteNoteSuccess { deletedId }
      ... on NotFoundError { resource id }
    }
  }
`);

const GetNote = graphql(`
  query GetNote($id: ID!) {
    note(id: $id) { ...NoteFields }
  }
`);

// Separate requests: several root fields at once run concurrent statements, which the embedded
// database's socket server can interleave (see the report on pglite-socket).
const NoteNode = graphql(`
  query NoteNode($id: ID!) {
    node(id: $id) { __typename id }
  }
`);

const NoteNodes = graphql(`
  query NoteNodes($ids: [ID!]!) {
    nodes(ids: $ids) { id }
  }
`);

const PersonNotes = graphql(`
  query PersonNotes($personId: ID!, $filter: NoteFilter, $first: Int, $after: String, $last: Int, $before: String) {
    person(id: $personId) {
      notes(filter: $filter, first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { node { id title flagged createdAt } }
      }
    }
  }
`);

const DeletePersonWithNotes = graphql(`
  mutation DeletePersonWithNotes($id: ID!) {
    deletePerson(id: $id) { __typename }
  }
`);

let test: TestApp;
let acme: TestClient;
let categoryId: string;
let personId: string;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
  categoryId = await createCategory(acme, 'Meeting');
  personId = await createPersonId(acme, 'Noted');
});
afterAll(() => test?.close());

async function createCategory(client: TestClient, title: string): Promise<string> {
  const { createNoteCategory } = await client.request(CreateNoteCategory, { input: { title } });
  if (createNoteCategory.__typename !== 'CreateNoteCategorySuccess') throw new Error(createNoteCategory.__typename);
  return createNoteCategory.noteCategory.id;
}

async function createNote(client: TestClient, onPerson: string, input: Partial<NoteInput> = {}) {
  const { createNote } = await client.request(CreateNote, {
    personId: onPerson,
    input: { description: 'Talked about the campaign.', categoryId, ...input },
  });
  if (createNote.__typename !== 'CreateNoteSuccess') throw new Error(`createNote failed: ${JSON.stringify(createNote)}`);
  return createNote.note;
}

async function listNotes(client: TestClient, onPerson: string, filter?: NoteFilter) {
  const { person } = await client.request(PersonNotes, { personId: onPerson, filter, first: 100 });
  if (!person) throw new Error('person not found');
  return { ids: person.notes.edges.map((edge) => edge.node.id), totalCount: person.notes.totalCount };
}

const countNotes = () => test.prisma.note.count();
const countCategories = () => test.prisma.noteCategory.count();
const userIdOf = (client: TestClient) => Buffer.from(`User:${client.userId}`).toString('base64');

describe('Mutation.createNoteCategory', () => {
  it('creates a category that Query.noteCategories lists by title, only to its organisation', async () => {
    const org = await createOrgClient(test, 'Categories Ltd');
    const zebra = await createCategory(org, 'Zebra');
    const call = await createCategory(org, 'Call');
    const { noteCategories } = await org.request(ListNoteCategories, { first: 1 });
    expect(noteCategories.totalCount).toBe(2);
    expect(noteCategories.edges.map((edge) => edge.node)).toEqual([{ id: call, title: 'Call' }]);
    const next = await org.request(ListNoteCategories, { first: 1, after: noteCategories.pageInfo.endCursor });
    expect(next.noteCategories.edges.map((edge) => edge.node.id)).toEqual([zebra]);
    expect(next.noteCategories.pageInfo.hasNextPage).toBe(false);
    const other = await createOrgClient(test, 'Elsewhere');
    expect((await other.request(ListNoteCategories, {})).noteCategories.totalCount).toBe(0);
  });

  it('trims the title and refuses a duplicate whatever its case with a ConflictError', async () => {
    const { createNoteCategory } = await acme.request(CreateNoteCategory, { input: { title: '  Phone call ' } });
    expect(createNoteCategory).toMatchObject({ noteCategory: { title: 'Phone call' } });
    const before = await countCategories();
    const duplicate = await acme.request(CreateNoteCategory, { input: { title: 'PHONE CALL' } });
    expect(duplicate.createNoteCategory).toMatchObject({ __typename: 'ConflictError', message: expect.stringMatching(/already exists/) });
    expect(await countCategories()).toBe(before);
  });

  it('allows the same title in another organisation', async () => {
    const other = await createOrgClient(test, 'Same Titles');
    await expect(createCategory(other, 'Meeting')).resolves.toBeTruthy();
  });

  it.each([
    ['an empty title', ''],
    ['a blank title', '   '],
    ['a title over 500 characters', 'a'.repeat(501)],
  ])('refuses %s with a ValidationError at input.title, writing nothing', async (_name, title) => {
    const before = await countCategories();
    const { createNoteCategory } = await acme.request(CreateNoteCategory, { input: { title } });
    expect(createNoteCategory.__typename === 'ValidationError' && createNoteCategory.fieldErrors[0]!.path).toEqual(['input', 'title']);
    expect(await countCategories()).toBe(before);
  });

  it('refuses a viewer with a ForbiddenError', async () => {
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    const { createNoteCategory } = await viewer.request(CreateNoteCategory, { input: { title: 'Viewer made' } });
    expect(createNoteCategory.__typename).toBe('ForbiddenError');
  });
});

describe('Mutation.updateNoteCategory', () => {
  it('renames, also to another case of its own title', async () => {
    const id = await createCategory(acme, 'Visit');
    const renamed = await acme.request(UpdateNoteCategory, { id, input: { title: 'Home visit' } });
    expect(renamed.updateNoteCategory).toEqual({ __typename: 'UpdateNoteCategorySuccess', noteCategory: { id, title: 'Home visit' } });
    const recased = await acme.request(UpdateNoteCategory, { id, input: { title: 'HOME VISIT' } });
    expect(recased.updateNoteCategory).toMatchObject({ noteCategory: { title: 'HOME VISIT' } });
  });

  it("refuses another category's title with a ConflictError and keeps the old one", async () => {
    const id = await createCategory(acme, 'Letter');
    const { updateNoteCategory } = await acme.request(UpdateNoteCategory, { id, input: { title: 'meeting' } });
    expect(updateNoteCategory.__typename).toBe('ConflictError');
    expect(await test.prisma.noteCategory.findUnique({ where: { id: localIdOf(id) } })).toMatchObject({ title: 'Letter' });
  });

  it('refuses an empty title with a ValidationError', async () => {
    const { updateNoteCategory } = await acme.request(UpdateNoteCategory, { id: categoryId, input: { title: ' ' } });
    expect(updateNoteCategory.__typename === 'ValidationError' && updateNoteCategory.fieldErrors[0]!.path).toEqual(['input', 'title']);
  });

  it("answers NotFoundError for an unknown, malformed or another organisation's id", async () => {
    const other = await createOrgClient(test, 'Other Cats');
    for (const [client, id] of [
      [acme, unknownId('NoteCategory')],
      [acme, 'garbage'],
      [other, categoryId],
    ] as const) {
      const { updateNoteCategory } = await client.request(UpdateNoteCategory, { id, input: { title: 'Hijacked' } });
      expect(updateNoteCategory).toMatchObject({ __typename: 'NotFoundError', resource: 'NoteCategory' });
    }
    expect(await test.prisma.noteCategory.findUnique({ where: { id: localIdOf(categoryId) } })).toMatchObject({ title: 'Meeting' });
  });
});

describe('Mutation.deleteNoteCategory', () => {
  it('deletes an unused category', async () => {
    const id = await createCategory(acme, 'Short-lived');
    const { deleteNoteCategory } = await acme.request(DeleteNoteCategory, { id });
    expect(deleteNoteCategory).toEqual({ __typename: 'DeleteNoteCategorySuccess', deletedId: id });
    expect((await acme.request(NoteNode, { id })).node).toBeNull();
    const again = await acme.request(DeleteNoteCategory, { id });
    expect(again.deleteNoteCategory.__typename).toBe('NotFoundError');
  });

  it("refuses a category in use, even by someone else's private note, with a ConflictError", async () => {
    const id = await createCategory(acme, 'In use');
    const colleague = await createUserClient(test, acme.organizationId);
    await createNote(colleague, personId, { categoryId: id, isPrivate: true });
    const { deleteNoteCategory } = await acme.request(DeleteNoteCategory, { id });
    expect(deleteNoteCategory).toMatchObject({ __typename: 'ConflictError', message: expect.stringMatching(/used by notes/) });
    expect(await test.prisma.noteCategory.count({ where: { id: localIdOf(id) } })).toBe(1);
  });

  it("answers NotFoundError for another organisation's category", async () => {
    const other = await createOrgClient(test, 'Deleters');
    const { deleteNoteCategory } = await other.request(DeleteNoteCategory, { id: categoryId });
    expect(deleteNoteCategory.__typename).toBe('NotFoundError');
    expect(await test.prisma.noteCategory.count({ where: { id: localIdOf(categoryId) } })).toBe(1);
  });
});

describe('Mutation.createNote', () => {
  it('writes a note with every field, the caller as author, and a NOTE_ADDED event', async () => {
    const target = await createPersonId(acme, 'Fresh');
    const note = await createNote(acme, target, {
      title: ' Kick-off ',
      description: 'Agreed on the plan.',
      flagged: true,
      createdAt: '2024-03-01T09:30:00.000Z',
    });
    expect(note).toMatchObject({
      title: 'Kick-off',
      description: 'Agreed on the plan.',
      category: { id: categoryId, title: 'Meeting' },
      flagged: true,
      isPrivate: false,
      author: { id: userIdOf(acme) },
      person: { id: target },
      createdAt: '2024-03-01T09:30:00.000Z',
    });
    expect((await acme.request(GetNote, { id: note.id })).note).toEqual(note);
    const events = await timelineOf(test, target);
    expect(events.filter((event) => event.type === 'NOTE_ADDED')).toEqual([
      {
        type: 'NOTE_ADDED',
        actorId: acme.userId,
        data: { noteId: localIdOf(note.id), title: 'Kick-off', categoryId: localIdOf(categoryId), flagged: true },
      },
    ]);
  });

  it('defaults to now, unflagged and shared', async () => {
    const startedAt = Date.now();
    const note = await createNote(acme, personId);
    expect(note).toMatchObject({ title: null, flagged: false, isPrivate: false });
    expect(Date.parse(note.createdAt)).toBeGreaterThanOrEqual(startedAt - 1000);
    expect(Date.parse(note.createdAt)).toBeLessThanOrEqual(Date.now());
  });

  it.each([
    ['an empty description', { description: '' }, ['input', 'description']],
    ['a blank description', { description: '   ' }, ['input', 'description']],
    ['a description over 5000 characters', { description: 'a'.repeat(5001) }, ['input', 'description']],
    ['a title over 500 characters', { title: 'a'.repeat(501) }, ['input', 'title']],
    ['a creation date in the future', { createdAt: new Date(Date.now() + 86_400_000).toISOString() }, ['input', 'createdAt']],
    ['an unknown category', { categoryId: unknownId('NoteCategory') }, ['input', 'categoryId']],
    ['a category id that is not one', { categoryId: 'garbage' }, ['input', 'categoryId']],
    ['a person id as the category', { categoryId: 'UGVyc29uOjE=' }, ['input', 'categoryId']],
  ])('refuses %s with a ValidationError naming the field, writing nothing', async (_name, input, path) => {
    const before = await countNotes();
    const { createNote } = await acme.request(CreateNote, {
      personId,
      input: { description: 'Fine.', categoryId, ...input },
    });
    expect(createNote.__typename === 'ValidationError' && createNote.fieldErrors.map((error) => error.path)).toEqual([path]);
    expect(await countNotes()).toBe(before);
  });

  it("refuses another organisation's category at input.categoryId", async () => {
    const other = await createOrgClient(test, 'Foreign Cats');
    const foreignCategory = await createCategory(other, 'Theirs');
    const before = await countNotes();
    const { createNote } = await acme.request(CreateNote, { personId, input: { description: 'x', categoryId: foreignCategory } });
    expect(createNote.__typename === 'ValidationError' && createNote.fieldErrors[0]).toMatchObject({
      path: ['input', 'categoryId'],
      message: expect.stringMatching(/No note category/),
    });
    expect(await countNotes()).toBe(before);
  });

  it("answers NotFoundError for an unknown, malformed or another organisation's person", async () => {
    const other = await createOrgClient(test, 'Foreign People');
    const theirPerson = await createPersonId(other, 'Theirs');
    const before = await countNotes();
    for (const target of [unknownId('Person'), 'garbage', theirPerson]) {
      const { createNote } = await acme.request(CreateNote, { personId: target, input: { description: 'x', categoryId } });
      expect(createNote).toMatchObject({ __typename: 'NotFoundError', resource: 'Person' });
    }
    expect(await countNotes()).toBe(before);
  });

  it('rejects a note without description or category before anything runs', async () => {
    const before = await countNotes();
    const error = await expectGraphQLError(acme.request(CreateNote, { personId, input: { description: 'x' } as NoteInput }));
    expect(error.response.errors?.[0]?.message).toMatch(/categoryId/);
    expect(await countNotes()).toBe(before);
  });

  it('refuses a viewer with a ForbiddenError', async () => {
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    const before = await countNotes();
    const { createNote } = await viewer.request(CreateNote, { personId, input: { description: 'x', categoryId } });
    expect(createNote.__typename).toBe('ForbiddenError');
    expect(await countNotes()).toBe(before);
  });
});

describe('Person.notes', () => {
  let subject: string;
  let callCategory: string;
  let colleague: TestClient;
  const notes: Record<string, string> = {};

  beforeAll(async () => {
    subject = await createPersonId(acme, 'Listed');
    callCategory = await createCategory(acme, 'Call');
    colleague = await createUserClient(test, acme.organizationId);
    notes.oldFlagged = (await createNote(acme, subject, { title: 'Budget', flagged: true, createdAt: '2024-01-01T00:00:00.000Z' })).id;
    notes.newFlagged = (await createNote(acme, subject, { title: 'Venue', flagged: true, createdAt: '2024-06-01T00:00:00.000Z' })).id;
    notes.newest = (await createNote(colleague, subject, { description: 'Asked about the BUDGET.', categoryId: callCategory, createdAt: '2024-09-01T00:00:00.000Z' })).id;
    notes.tieA = (await createNote(acme, subject, { title: 'Tie', createdAt: '2024-03-01T00:00:00.000Z' })).id;
    notes.tieB = (await createNote(acme, subject, { title: 'Tie', createdAt: '2024-03-01T00:00:00.000Z' })).id;
    notes.oldest = (await createNote(colleague, subject, { title: 'First contact', createdAt: '2023-12-31T23:59:59.000Z' })).id;
  });

  const tieOrder = () => [notes.tieA!, notes.tieB!].sort((a, b) => (localIdOf(b) < localIdOf(a) ? -1 : 1));

  it('lists flagged notes first, then the newest, equal dates by id', async () => {
    const { ids, totalCount } = await listNotes(acme, subject);
    expect(totalCount).toBe(6);
    expect(ids).toEqual([notes.newFlagged, notes.oldFlagged, notes.newest, ...tieOrder(), notes.oldest]);
  });

  it('pages through that order forward and backward without gaps or repeats', async () => {
    const { ids: all } = await listNotes(acme, subject);
    const seen: string[] = [];
    let after: string | null | undefined;
    for (;;) {
      const { person } = await acme.request(PersonNotes, { personId: subject, first: 2, after });
      seen.push(...person!.notes.edges.map((edge) => edge.node.id));
      if (!person!.notes.pageInfo.hasNextPage) break;
      after = person!.notes.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
    const { person: last } = await acme.request(PersonNotes, { personId: subject, last: 2 });
    expect(last!.notes.edges.map((edge) => edge.node.id)).toEqual(all.slice(-2));
    const { person: before } = await acme.request(PersonNotes, { personId: subject, last: 3, before: last!.notes.pageInfo.startCursor });
    expect(before!.notes.edges.map((edge) => edge.node.id)).toEqual(all.slice(1, 4));
  });

  it.each<[string, NoteFilter, string[]]>([
    ['q in title or description, whatever its case', { q: 'budget' }, ['oldFlagged', 'newest']],
    ['an empty category list, which matches none', { categoryIds: [] }, []],
    ['flagged', { flagged: true }, ['newFlagged', 'oldFlagged']],
    ['not flagged', { flagged: false }, ['newest', 'tieA', 'tieB', 'oldest']],
    ['after (inclusive)', { createdAt: { after: '2024-06-01T00:00:00.000Z' } }, ['newFlagged', 'newest']],
    ['strictly after', { createdAt: { strictlyAfter: '2024-06-01T00:00:00.000Z' } }, ['newest']],
    ['before (inclusive)', { createdAt: { before: '2024-01-01T00:00:00.000Z' } }, ['oldFlagged', 'oldest']],
    ['strictly before', { createdAt: { strictlyBefore: '2024-01-01T00:00:00.000Z' } }, ['oldest']],
    ['a range', { createdAt: { after: '2024-01-01T00:00:00.000Z', strictlyBefore: '2024-06-01T00:00:00.000Z' } }, ['oldFlagged', 'tieA', 'tieB']],
    ['several conditions at once', { q: 'tie', flagged: false, createdAt: { before: '2024-03-01T00:00:00.000Z' } }, ['tieA', 'tieB']],
  ])('filters by %s, totalCount included', async (_name, filter, expected) => {
    const { ids, totalCount } = await listNotes(acme, subject, filter);
    expect(new Set(ids)).toEqual(new Set(expected.map((key) => notes[key])));
    expect(totalCount).toBe(expected.length);
  });

  it('filters by categories and authors', async () => {
    const byCategory = await listNotes(acme, subject, { categoryIds: [callCategory] });
    expect(byCategory.ids).toEqual([notes.newest]);
    const byEither = await listNotes(acme, subject, { categoryIds: [callCategory, categoryId] });
    expect(byEither.totalCount).toBe(6);
    const byAuthor = await listNotes(acme, subject, { authorIds: [userIdOf(colleague)] });
    expect(byAuthor.ids).toEqual([notes.newest, notes.oldest]);
  });

  it('matches nothing for ids that are unknown, malformed or of another type', async () => {
    for (const filter of [
      { categoryIds: [unknownId('NoteCategory')] },
      { categoryIds: ['garbage'] },
      { authorIds: [subject] },
    ]) {
      expect(await listNotes(acme, subject, filter)).toEqual({ ids: [], totalCount: 0 });
    }
  });
});

describe('private notes', () => {
  let author: TestClient;
  let colleague: TestClient;
  let subject: string;
  let secret: Awaited<ReturnType<typeof createNote>>;

  beforeAll(async () => {
    author = await createUserClient(test, acme.organizationId);
    colleague = await createUserClient(test, acme.organizationId);
    subject = await createPersonId(acme, 'Confidential');
    await createNote(author, subject, { title: 'Shared' });
    secret = await createNote(author, subject, { title: 'Secret', description: 'Only for me.', isPrivate: true, flagged: true });
  });

  it('are listed, counted and found for their author', async () => {
    expect(secret).toMatchObject({ isPrivate: true, author: { id: userIdOf(author) } });
    const { totalCount, ids } = await listNotes(author, subject);
    expect(totalCount).toBe(2);
    expect(ids[0]).toBe(secret.id);
    expect((await author.request(GetNote, { id: secret.id })).note?.id).toBe(secret.id);
    expect((await author.request(NoteNode, { id: secret.id })).node).toEqual({ __typename: 'Note', id: secret.id });
  });

  it('do not exist for anyone else: lists, counts, note(id), node(id), nodes and filters', async () => {
    for (const other of [colleague, acme]) {
      expect(await listNotes(other, subject)).toMatchObject({ totalCount: 1 });
      expect((await listNotes(other, subject)).ids).not.toContain(secret.id);
      expect(await listNotes(other, subject, { authorIds: [userIdOf(author)] })).toMatchObject({ totalCount: 1 });
      expect(await listNotes(other, subject, { q: 'secret' })).toEqual({ ids: [], totalCount: 0 });
      expect(await listNotes(other, subject, { flagged: true })).toEqual({ ids: [], totalCount: 0 });
      expect((await other.request(GetNote, { id: secret.id })).note).toBeNull();
      expect((await other.request(NoteNode, { id: secret.id })).node).toBeNull();
      expect((await other.request(NoteNodes, { ids: [secret.id] })).nodes).toEqual([null]);
    }
  });

  it('cannot be changed or deleted by anyone else: NotFoundError, and the note is unchanged', async () => {
    const replaced = await colleague.request(ReplaceNote, { id: secret.id, input: { description: 'Mine now', categoryId } });
    expect(replaced.replaceNote).toMatchObject({ __typename: 'NotFoundError', resource: 'Note', id: secret.id });
    const updated = await colleague.request(UpdateNote, { id: secret.id, input: { isPrivate: false } });
    expect(updated.updateNote.__typename).toBe('NotFoundError');
    const deleted = await colleague.request(DeleteNote, { id: secret.id });
    expect(deleted.deleteNote.__typename).toBe('NotFoundError');
    expect((await author.request(GetNote, { id: secret.id })).note).toEqual(secret);
  });

  it('leave only their id on the timeline, for adding, changing and deleting', async () => {
    const note = await createNote(author, subject, { title: 'Diary', description: 'Private words.', isPrivate: true });
    await author.request(UpdateNote, { id: note.id, input: { description: 'Other private words.' } });
    await author.request(DeleteNote, { id: note.id });
    const events = (await timelineOf(test, subject)).filter((event) => (event.data as { noteId?: string }).noteId === localIdOf(note.id));
    expect(events).toEqual(
      ['NOTE_ADDED', 'NOTE_CHANGED', 'NOTE_DELETED'].map((type) => ({
        type,
        actorId: author.userId,
        data: { noteId: localIdOf(note.id), private: true },
      })),
    );
  });

  it("can be made private by the note's author only", async () => {
    const shared = await createNote(author, subject, { title: 'Was shared' });
    const { updateNote } = await colleague.request(UpdateNote, { id: shared.id, input: { isPrivate: true } });
    expect(updateNote.__typename === 'ValidationError' && updateNote.fieldErrors[0]!.path).toEqual(['input', 'isPrivate']);
    expect((await colleague.request(GetNote, { id: shared.id })).note?.isPrivate).toBe(false);
    const byAuthor = await author.request(UpdateNote, { id: shared.id, input: { isPrivate: true } });
    expect(byAuthor.updateNote).toMatchObject({ note: { isPrivate: true } });
    expect((await colleague.request(GetNote, { id: shared.id })).note).toBeNull();
    const events = (await timelineOf(test, subject)).filter((event) => (event.data as { noteId?: string }).noteId === localIdOf(shared.id));
    expect(events.map((event) => event.data)).toEqual([
      { noteId: localIdOf(shared.id), title: 'Was shared', categoryId: localIdOf(categoryId), flagged: false },
      { noteId: localIdOf(shared.id), private: true },
    ]);
  });
});

describe('Query.note', () => {
  it("answers null for an unknown, malformed or another organisation's id", async () => {
    const note = await createNote(acme, personId);
    const other = await createOrgClient(test, 'Readers');
    expect((await other.request(GetNote, { id: note.id })).note).toBeNull();
    expect((await acme.request(GetNote, { id: unknownId('Note') })).note).toBeNull();
    expect((await acme.request(GetNote, { id: 'garbage' })).note).toBeNull();
    expect((await acme.request(GetNote, { id: personId })).note).toBeNull();
  });
});

describe('Mutation.replaceNote', () => {
  it('sets every field and clears those not given, keeping the creation date (PUT)', async () => {
    const other = await createCategory(acme, 'Email');
    const note = await createNote(acme, personId, { title: 'Old', flagged: true, createdAt: '2024-02-02T00:00:00.000Z' });
    const { replaceNote } = await acme.request(ReplaceNote, { id: note.id, input: { description: 'New text.', categoryId: other } });
    expect(replaceNote.__typename === 'ReplaceNoteSuccess' && replaceNote.note).toMatchObject({
      id: note.id,
      title: null,
      description: 'New text.',
      category: { id: other },
      flagged: false,
      isPrivate: false,
      createdAt: '2024-02-02T00:00:00.000Z',
    });
    const changed = (await timelineOf(test, personId)).filter((event) => event.type === 'NOTE_CHANGED').at(-1);
    expect(changed?.data).toEqual({
      noteId: localIdOf(note.id),
      changes: {
        description: { before: 'Talked about the campaign.', after: 'New text.' },
        categoryId: { before: localIdOf(categoryId), after: localIdOf(other) },
        title: { before: 'Old', after: null },
        flagged: { before: true, after: false },
      },
    });
  });

  it('moves the creation date when one is given, but not into the future', async () => {
    const note = await createNote(acme, personId);
    const moved = await acme.request(ReplaceNote, { id: note.id, input: { description: 'x', categoryId, createdAt: '2020-05-05T05:05:05.000Z' } });
    expect(moved.replaceNote).toMatchObject({ note: { createdAt: '2020-05-05T05:05:05.000Z' } });
    const future = new Date(Date.now() + 3_600_000).toISOString();
    const refused = await acme.request(ReplaceNote, { id: note.id, input: { description: 'y', categoryId, createdAt: future } });
    expect(refused.replaceNote.__typename === 'ValidationError' && refused.replaceNote.fieldErrors[0]!.path).toEqual(['input', 'createdAt']);
    expect((await acme.request(GetNote, { id: note.id })).note).toMatchObject({ description: 'x', createdAt: '2020-05-05T05:05:05.000Z' });
  });

  it("answers NotFoundError for an unknown, malformed or another organisation's note", async () => {
    const note = await createNote(acme, personId);
    const other = await createOrgClient(test, 'Replacers');
    for (const [client, id] of [
      [acme, unknownId('Note')],
      [acme, 'garbage'],
      [other, note.id],
    ] as const) {
      const { replaceNote } = await client.request(ReplaceNote, { id, input: { description: 'Hijack', categoryId } });
      expect(replaceNote).toMatchObject({ __typename: 'NotFoundError', resource: 'Note' });
    }
    expect((await acme.request(GetNote, { id: note.id })).note?.description).toBe('Talked about the campaign.');
  });
});

describe('Mutation.updateNote', () => {
  it('keeps absent fields and clears the title given as null (PATCH)', async () => {
    const note = await createNote(acme, personId, { title: 'Keep me?', flagged: true });
    const { updateNote } = await acme.request(UpdateNote, { id: note.id, input: { title: null, description: 'Edited.' } });
    expect(updateNote.__typename === 'UpdateNoteSuccess' && updateNote.note).toMatchObject({
      title: null,
      description: 'Edited.',
      flagged: true,
      category: { id: categoryId },
      createdAt: note.createdAt,
    });
  });

  it.each<[string, UpdateNoteInput, string[]]>([
    ['a null description', { description: null }, ['input', 'description']],
    ['an empty description', { description: '' }, ['input', 'description']],
    ['a null category', { categoryId: null }, ['input', 'categoryId']],
    ['an unknown category', { categoryId: unknownId('NoteCategory') }, ['input', 'categoryId']],
    ['a null creation date', { createdAt: null }, ['input', 'createdAt']],
    ['a title over 500 characters', { title: 'b'.repeat(501) }, ['input', 'title']],
  ])('refuses %s with a ValidationError, changing nothing', async (_name, input, path) => {
    const note = await createNote(acme, personId, { title: 'Stable' });
    const { updateNote } = await acme.request(UpdateNote, { id: note.id, input });
    expect(updateNote.__typename === 'ValidationError' && updateNote.fieldErrors.map((error) => error.path)).toEqual([path]);
    expect((await acme.request(GetNote, { id: note.id })).note).toEqual(note);
  });

  it('records nothing when nothing changes', async () => {
    const target = await createPersonId(acme, 'Quiet');
    const note = await createNote(acme, target, { title: 'Same' });
    const { updateNote } = await acme.request(UpdateNote, { id: note.id, input: { title: 'Same', flagged: false } });
    expect(updateNote).toMatchObject({ note: { updatedAt: note.updatedAt } });
    expect((await timelineOf(test, target)).map((event) => event.type)).toEqual(['PERSON_CREATED', 'NOTE_ADDED']);
  });
});

describe('Mutation.deleteNote', () => {
  it('deletes the note with a NOTE_DELETED event; a second delete is NotFound', async () => {
    const target = await createPersonId(acme, 'Forgetful');
    const note = await createNote(acme, target, { title: 'Temporary' });
    const { deleteNote } = await acme.request(DeleteNote, { id: note.id });
    expect(deleteNote).toEqual({ __typename: 'DeleteNoteSuccess', deletedId: note.id });
    expect((await acme.request(GetNote, { id: note.id })).note).toBeNull();
    expect((await timelineOf(test, target)).at(-1)).toEqual({
      type: 'NOTE_DELETED',
      actorId: acme.userId,
      data: { noteId: localIdOf(note.id), title: 'Temporary' },
    });
    const again = await acme.request(DeleteNote, { id: note.id });
    expect(again.deleteNote).toMatchObject({ __typename: 'NotFoundError', id: note.id });
  });

  it("answers NotFoundError for another organisation's note and keeps it", async () => {
    const note = await createNote(acme, personId);
    const other = await createOrgClient(test, 'Deleters of notes');
    const { deleteNote } = await other.request(DeleteNote, { id: note.id });
    expect(deleteNote.__typename).toBe('NotFoundError');
    expect(await test.prisma.note.count({ where: { id: localIdOf(note.id) } })).toBe(1);
  });
});

describe('Mutation.deletePerson', () => {
  it("removes the person's notes, private ones included, and keeps the categories", async () => {
    const target = await createPersonId(acme, 'Departing');
    const colleague = await createUserClient(test, acme.organizationId);
    await createNote(acme, target);
    await createNote(colleague, target, { isPrivate: true });
    expect(await test.prisma.note.count({ where: { personId: localIdOf(target) } })).toBe(2);
    const { deletePerson } = await acme.request(DeletePersonWithNotes, { id: target });
    expect(deletePerson.__typename).toBe('DeletePersonSuccess');
    expect(await test.prisma.note.count({ where: { personId: localIdOf(target) } })).toBe(0);
    expect(await test.prisma.noteCategory.count({ where: { id: localIdOf(categoryId) } })).toBe(1);
  });
});
