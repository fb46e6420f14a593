import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { NoteFilter, NoteInput, NoteOrder } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, createUserClient, expectGraphQLError, type TestApp, type TestClient } from '../support/app.ts';
import { createPersonId, localIdOf, timelineOf, unknownId } from '../support/organising.ts';

/**
 * Seed 002 (RogerRoger) on notes: a note's author may be given on create (an admin importing
 * notes from elsewhere), and notes are listed across people with its filters and orders.
 */

const CreateCategory = graphql(`
  mutation SeedNotesCategory($input: NoteCategoryInput!) {
    createNoteCategory(input: $input) {
      __typename
      ... on CreateNoteCategorySuccess { noteCategory { id } }
    }
  }
`);

const CreateNote = graphql(`
  mutation SeedNotesCreate($personId: ID!, $input: NoteInput!) {
    createNote(personId: $personId, input: $input) {
      __typename
      ... on CreateNoteSuccess { note { id author { id } isPrivate createdAt } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ForbiddenError { message }
      ... on NotFoundError { resource }
    }
  }
`);

const ReplaceNote = graphql(`
  mutation SeedNotesReplace($id: ID!, $input: NoteInput!) {
    replaceNote(id: $id, input: $input) {
      __typename
      ... on ReplaceNoteSuccess { note { id description author { id } } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const ReadNote = graphql(`
  query SeedNotesRead($id: ID!) {
    note(id: $id) { id description author { id } person { id } }
  }
`);

const NoteEvents = graphql(`
  query SeedNotesEvents($personId: ID!) {
    person(id: $personId) { timeline(types: [NOTE_ADDED], first: 100) { nodes { actor { id } data } } }
  }
`);

const ListNotes = graphql(`
  query SeedNotesList($filter: NoteFilter, $orderBy: [NoteOrder!], $first: Int, $after: String, $last: Int, $before: String) {
    notes(filter: $filter, orderBy: $orderBy, first: $first, after: $after, last: $last, before: $before) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id flagged createdAt } }
    }
  }
`);

const NestedNotes = graphql(`
  query SeedNotesNested($first: Int!) {
    notes(first: $first) {
      totalCount
      edges { node { id title description flagged isPrivate createdAt person { id fullName emails } author { email } category { title } } }
    }
  }
`);

let test: TestApp;

beforeAll(async () => {
  test = await createTestApp({ apiKeyCache: { ttlMs: 600_000 } });
});
afterAll(() => test?.close());

async function createCategory(client: TestClient, title: string): Promise<string> {
  const { createNoteCategory } = await client.request(CreateCategory, { input: { title } });
  if (createNoteCategory.__typename !== 'CreateNoteCategorySuccess') throw new Error(createNoteCategory.__typename);
  return createNoteCategory.noteCategory.id;
}

const userIdOf = (client: TestClient) => Buffer.from(`User:${client.userId}`).toString('base64');

describe('Mutation.createNote with an author (seed 002: notes imported from elsewhere)', () => {
  let admin: TestClient;
  let editor: TestClient;
  let categoryId: string;
  let personId: string;
  beforeAll(async () => {
    admin = await createOrgClient(test, 'Authors');
    editor = await createUserClient(test, admin.organizationId, 'EDITOR');
    categoryId = await createCategory(admin, 'Imported');
    personId = await createPersonId(admin, 'Written-about');
  });

  const create = (client: TestClient, input: Partial<NoteInput>) =>
    client.request(CreateNote, { personId, input: { description: 'From the old CRM.', categoryId, ...input } });
  const counts = async () => ({
    notes: await test.prisma.note.count({ where: { organizationId: admin.organizationId } }),
    events: await test.prisma.timelineEvent.count({ where: { organizationId: admin.organizationId } }),
  });

  it('an admin may give another user of the organisation as the author; the timeline actor stays the admin', async () => {
    const { createNote } = await create(admin, { authorId: userIdOf(editor), createdAt: '2020-05-01T10:00:00.000Z' });
    if (createNote.__typename !== 'CreateNoteSuccess') throw new Error(JSON.stringify(createNote));
    expect(createNote.note.author).toEqual({ id: userIdOf(editor) });
    // Read back, by the author and by the admin.
    for (const reader of [editor, admin]) {
      const { note } = await reader.request(ReadNote, { id: createNote.note.id });
      expect(note).toMatchObject({ author: { id: userIdOf(editor) }, person: { id: personId } });
    }
    const event = (await timelineOf(test, personId)).find(
      (e) => e.type === 'NOTE_ADDED' && (e.data as { noteId: string }).noteId === localIdOf(createNote.note.id),
    );
    // Who wrote it here is the admin; the note names its author.
    expect(event).toMatchObject({ actorId: admin.userId, data: { authorId: editor.userId } });
    // Through the API, with global ids as everywhere.
    const { person } = await admin.request(NoteEvents, { personId });
    expect(person!.timeline.nodes).toContainEqual({
      actor: { id: userIdOf(admin) },
      data: expect.objectContaining({ noteId: createNote.note.id, authorId: userIdOf(editor) }),
    });
  });

  it('without an author, or naming yourself, the author is the caller (an editor too)', async () => {
    const plain = await create(editor, {});
    const self = await create(editor, { authorId: userIdOf(editor) });
    for (const { createNote } of [plain, self]) {
      expect(createNote).toMatchObject({ __typename: 'CreateNoteSuccess', note: { author: { id: userIdOf(editor) } } });
    }
  });

  it('an editor giving another user as the author gets a ForbiddenError, and nothing is written', async () => {
    const before = await counts();
    const { createNote } = await create(editor, { authorId: userIdOf(admin) });
    expect(createNote).toMatchObject({ __typename: 'ForbiddenError', message: expect.stringMatching(/admin/) });
    expect(await counts()).toEqual(before);
  });

  it('a viewer gets a ForbiddenError whatever the author, and nothing is written', async () => {
    const viewer = await createUserClient(test, admin.organizationId, 'VIEWER');
    const before = await counts();
    const { createNote } = await create(viewer, { authorId: userIdOf(viewer) });
    expect(createNote.__typename).toBe('ForbiddenError');
    expect(await counts()).toEqual(before);
  });

  it.each([
    ['a user of another organisation', async () => userIdOf(await createOrgClient(test, 'Foreign Authors'))],
    ['an unknown user', async () => unknownId('User')],
    ['an id that is not a user’s', async () => personId],
  ])('the author must be a user of the organisation: %s is a ValidationError at input.authorId, and nothing is written', async (_name, authorOf) => {
    const authorId = await authorOf();
    const before = await counts();
    const { createNote } = await create(admin, { authorId });
    expect(createNote.__typename === 'ValidationError' && createNote.fieldErrors.map((issue) => issue.path)).toEqual([['input', 'authorId']]);
    expect(await counts()).toEqual(before);
  });

  it('only its author makes a note private: an admin cannot write a private note in another user’s name, and nothing is written', async () => {
    const before = await counts();
    const { createNote } = await create(admin, { authorId: userIdOf(editor), isPrivate: true });
    expect(createNote.__typename === 'ValidationError' && createNote.fieldErrors.map((issue) => issue.path)).toEqual([['input', 'isPrivate']]);
    expect(await counts()).toEqual(before);
  });

  it('replacing a note keeps its author: repeating it is fine, naming another is a ValidationError that changes nothing', async () => {
    const { createNote } = await create(admin, { authorId: userIdOf(editor) });
    if (createNote.__typename !== 'CreateNoteSuccess') throw new Error(createNote.__typename);
    const id = createNote.note.id;
    const kept = await admin.request(ReplaceNote, { id, input: { description: 'Replaced', categoryId, authorId: userIdOf(editor) } });
    expect(kept.replaceNote).toMatchObject({ note: { description: 'Replaced', author: { id: userIdOf(editor) } } });
    const omitted = await admin.request(ReplaceNote, { id, input: { description: 'Replaced again', categoryId } });
    expect(omitted.replaceNote).toMatchObject({ note: { author: { id: userIdOf(editor) } } });
    const before = await counts();
    const changed = await admin.request(ReplaceNote, { id, input: { description: 'Stolen', categoryId, authorId: userIdOf(admin) } });
    expect(changed.replaceNote.__typename === 'ValidationError' && changed.replaceNote.fieldErrors[0]!.path).toEqual(['input', 'authorId']);
    expect(await counts()).toEqual(before);
    expect((await admin.request(ReadNote, { id })).note).toMatchObject({ description: 'Replaced again', author: { id: userIdOf(editor) } });
  });
});

describe('Query.notes (seed 002: notes listed across people)', () => {
  let admin: TestClient;
  let editor: TestClient;
  let outsider: TestClient;
  let meeting: string;
  let call: string;
  let ann: string;
  let bob: string;
  /** Every note the admin may see, with what the orders and filters look at. */
  const visible: { id: string; personId: string; authorId: string; categoryId: string; flagged: boolean; isPrivate: boolean; createdAt: string; text: string }[] = [];
  let editorsPrivate: string;
  let outsidersNote: string;

  beforeAll(async () => {
    admin = await createOrgClient(test, 'Listing');
    editor = await createUserClient(test, admin.organizationId, 'EDITOR');
    outsider = await createOrgClient(test, 'Elsewhere');
    meeting = await createCategory(admin, 'Meeting');
    call = await createCategory(admin, 'Call');
    ann = await createPersonId(admin, 'Ann');
    bob = await createPersonId(admin, 'Bob');
    const add = async (client: TestClient, personId: string, input: Partial<NoteInput> & { description: string }) => {
      const { createNote } = await client.request(CreateNote, { personId, input: { categoryId: meeting, ...input } });
      if (createNote.__typename !== 'CreateNoteSuccess') throw new Error(JSON.stringify(createNote));
      return createNote.note.id;
    };
    // Two notes share an instant, so that only the id orders them.
    const rows: [TestClient, string, Partial<NoteInput> & { description: string }][] = [
      [admin, ann, { description: 'Kick-off meeting', flagged: true, createdAt: '2024-01-01T09:00:00.000Z' }],
      [admin, ann, { description: 'Called about 100% discount', categoryId: call, createdAt: '2024-02-01T09:00:00.000Z' }],
      [editor, ann, { description: 'Follow-up by the editor', createdAt: '2024-03-01T09:00:00.000Z' }],
      [admin, bob, { description: 'Private thoughts of the admin', isPrivate: true, createdAt: '2024-03-01T09:00:00.000Z' }],
      [editor, bob, { description: 'Flagged call', flagged: true, categoryId: call, createdAt: '2024-04-01T09:00:00.000Z' }],
      [admin, bob, { description: 'Contract signed', createdAt: '2024-05-01T09:00:00.000Z' }],
      [editor, bob, { description: 'Same instant as the kick-off', flagged: true, createdAt: '2024-01-01T09:00:00.000Z' }],
    ];
    for (const [client, personId, input] of rows) {
      const id = await add(client, personId, input);
      visible.push({
        id,
        personId,
        authorId: userIdOf(client),
        categoryId: input.categoryId ?? meeting,
        flagged: input.flagged ?? false,
        isPrivate: input.isPrivate ?? false,
        createdAt: input.createdAt as string,
        text: input.description,
      });
    }
    editorsPrivate = await add(editor, ann, { description: 'Private thoughts of the editor', isPrivate: true, flagged: true });
    const outsiderCategory = await createCategory(outsider, 'Meeting');
    const outsiderPerson = await createPersonId(outsider, 'Ann');
    const { createNote } = await outsider.request(CreateNote, {
      personId: outsiderPerson,
      input: { description: 'Kick-off meeting elsewhere', categoryId: outsiderCategory, flagged: true },
    });
    outsidersNote = createNote.__typename === 'CreateNoteSuccess' ? createNote.note.id : '';
  });

  async function listAll(client: TestClient, filter?: NoteFilter, orderBy?: NoteOrder[]) {
    const { notes } = await client.request(ListNotes, { filter, orderBy, first: 100 });
    expect(notes.totalCount).toBe(notes.edges.length);
    return notes.edges.map((edge) => edge.node.id);
  }

  /** What the order must be, computed here: the keys given, then the id in the last key's direction. */
  function expectedOrder(notes: typeof visible, keys: { field: 'FLAGGED' | 'CREATED_AT'; direction: 'ASC' | 'DESC' }[]) {
    const sign = (direction: 'ASC' | 'DESC') => (direction === 'ASC' ? 1 : -1);
    const compare = (a: (typeof visible)[number], b: (typeof visible)[number]) => {
      for (const { field, direction } of keys) {
        const [x, y] = field === 'FLAGGED' ? [Number(a.flagged), Number(b.flagged)] : [Date.parse(a.createdAt), Date.parse(b.createdAt)];
        if (x !== y) return (x - y) * sign(direction);
      }
      const [x, y] = [localIdOf(a.id), localIdOf(b.id)];
      return (x < y ? -1 : 1) * sign(keys.at(-1)!.direction);
    };
    return [...notes].sort(compare).map((note) => note.id);
  }

  it('lists every note you may see, of every person, flagged first then newest, ties by id (newest first)', async () => {
    const ids = await listAll(admin);
    expect(ids).toEqual(expectedOrder(visible, [{ field: 'FLAGGED', direction: 'DESC' }, { field: 'CREATED_AT', direction: 'DESC' }]));
    expect(ids).toHaveLength(7);
  });

  it('never lists another author’s private notes, whatever the filter', async () => {
    expect(await listAll(admin)).not.toContain(editorsPrivate);
    expect(await listAll(admin, { isPrivate: true })).toEqual([visible[3]!.id]);
    expect(await listAll(admin, { authorIds: [userIdOf(editor)], isPrivate: true })).toEqual([]);
    expect(await listAll(admin, { q: 'Private thoughts' })).toEqual([visible[3]!.id]);
    // Its author sees it, and not the admin's.
    expect(await listAll(editor, { isPrivate: true })).toEqual([editorsPrivate]);
  });

  it('never lists another organisation’s notes, even by their person', async () => {
    expect(await listAll(admin)).not.toContain(outsidersNote);
    expect(await listAll(admin, { q: 'elsewhere' })).toEqual([]);
    expect(await listAll(outsider)).toEqual([outsidersNote]);
    expect(await listAll(outsider, { personIds: [ann, bob] })).toEqual([]);
  });

  const defaultOrder = [{ field: 'FLAGGED', direction: 'DESC' }, { field: 'CREATED_AT', direction: 'DESC' }] as const;
  const only = (keep: (note: (typeof visible)[number]) => boolean) => expectedOrder(visible.filter(keep), [...defaultOrder]);

  it.each<[string, () => NoteFilter, (note: (typeof visible)[number]) => boolean]>([
    ['personIds: notes on any of these people', () => ({ personIds: [bob] }), (n) => n.personId === bob],
    ['personIds: an empty list matches none', () => ({ personIds: [] }), () => false],
    ['authorIds: notes by any of these users', () => ({ authorIds: [userIdOf(editor)] }), (n) => n.authorId === userIdOf(editor)],
    ['categoryIds: notes in any of these categories', () => ({ categoryIds: [call] }), (n) => n.categoryId === call],
    ['flagged: true', () => ({ flagged: true }), (n) => n.flagged],
    ['flagged: false', () => ({ flagged: false }), (n) => !n.flagged],
    ['isPrivate: false', () => ({ isPrivate: false }), (n) => !n.isPrivate],
    ['q: text in the description, whatever its case', () => ({ q: 'KICK-OFF' }), (n) => /kick-off/i.test(n.text)],
    ['q: wildcards are literal (% matches only a %)', () => ({ q: '100%' }), (n) => n.text.includes('100%')],
    ['q: _ matches only an underscore', () => ({ q: 'Kick_off' }), () => false],
    ['createdAt: after and before include their instant', () => ({ createdAt: { after: '2024-03-01T09:00:00.000Z', before: '2024-04-01T09:00:00.000Z' } }), (n) => n.createdAt >= '2024-03-01T09:00:00.000Z' && n.createdAt <= '2024-04-01T09:00:00.000Z'],
    ['createdAt: strictlyAfter and strictlyBefore exclude it', () => ({ createdAt: { strictlyAfter: '2024-01-01T09:00:00.000Z', strictlyBefore: '2024-04-01T09:00:00.000Z' } }), (n) => n.createdAt > '2024-01-01T09:00:00.000Z' && n.createdAt < '2024-04-01T09:00:00.000Z'],
    ['conditions combined must all hold', () => ({ personIds: [ann, bob], authorIds: [userIdOf(admin)], flagged: false, categoryIds: [meeting] }), (n) => n.authorId === userIdOf(admin) && !n.flagged && n.categoryId === meeting],
  ])('filters by %s', async (_name, filter, keep) => {
    const expected = only(keep);
    expect(await listAll(admin, filter())).toEqual(expected);
  });

  const orders: [string, { field: 'FLAGGED' | 'CREATED_AT'; direction: 'ASC' | 'DESC' }[]][] = [
    ['FLAGGED DESC', [{ field: 'FLAGGED', direction: 'DESC' }]],
    ['FLAGGED ASC', [{ field: 'FLAGGED', direction: 'ASC' }]],
    ['CREATED_AT DESC', [{ field: 'CREATED_AT', direction: 'DESC' }]],
    ['CREATED_AT ASC', [{ field: 'CREATED_AT', direction: 'ASC' }]],
    ['FLAGGED ASC, CREATED_AT ASC', [{ field: 'FLAGGED', direction: 'ASC' }, { field: 'CREATED_AT', direction: 'ASC' }]],
    ['CREATED_AT ASC, FLAGGED DESC', [{ field: 'CREATED_AT', direction: 'ASC' }, { field: 'FLAGGED', direction: 'DESC' }]],
    ['the default (flagged first, then newest)', [...defaultOrder]],
  ];

  it.each(orders)('orders by %s, ties by id, and pages through it forwards and backwards with stable cursors', async (_name, orderBy) => {
    const expected = expectedOrder(visible, orderBy);
    expect(await listAll(admin, undefined, orderBy)).toEqual(expected);

    const forwards: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { notes }: { notes: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; endCursor?: string | null } } } =
        await admin.request(ListNotes, { orderBy, first: 3, after });
      forwards.push(...notes.edges.map((edge) => edge.node.id));
      expect(notes.pageInfo.hasPreviousPage).toBe(after !== null);
      if (!notes.pageInfo.hasNextPage) break;
      after = notes.pageInfo.endCursor!;
    }
    expect(forwards).toEqual(expected);

    const backwards: string[] = [];
    let before: string | null = null;
    for (let page = 0; page < 10; page++) {
      const { notes }: { notes: { edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor?: string | null } } } =
        await admin.request(ListNotes, { orderBy, last: 3, before });
      backwards.unshift(...notes.edges.map((edge) => edge.node.id));
      expect(notes.pageInfo.hasNextPage).toBe(before !== null);
      if (!notes.pageInfo.hasPreviousPage) break;
      before = notes.pageInfo.startCursor!;
    }
    expect(backwards).toEqual(expected);
  });

  it('keeps a cursor valid while notes are added before it', async () => {
    const first = await admin.request(ListNotes, { orderBy: [{ field: 'CREATED_AT', direction: 'ASC' }], first: 2 });
    const { createNote } = await admin.request(CreateNote, {
      personId: ann,
      input: { description: 'Older than everything', categoryId: meeting, createdAt: '2023-01-01T00:00:00.000Z' },
    });
    try {
      const next = await admin.request(ListNotes, { orderBy: [{ field: 'CREATED_AT', direction: 'ASC' }], first: 2, after: first.notes.pageInfo.endCursor });
      const expected = expectedOrder(visible, [{ field: 'CREATED_AT', direction: 'ASC' }]);
      expect(next.notes.edges.map((edge) => edge.node.id)).toEqual(expected.slice(2, 4));
    } finally {
      if (createNote.__typename === 'CreateNoteSuccess') await test.prisma.note.delete({ where: { id: localIdOf(createNote.note.id) } });
    }
  });

  it('refuses a cursor of another order or filter, and one it did not issue, with BAD_USER_INPUT', async () => {
    const { notes } = await admin.request(ListNotes, { first: 2 });
    const otherOrder = await expectGraphQLError(
      admin.request(ListNotes, { first: 2, after: notes.pageInfo.endCursor, orderBy: [{ field: 'CREATED_AT', direction: 'ASC' }] }),
    );
    expect(otherOrder.response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const otherFilter = await expectGraphQLError(admin.request(ListNotes, { first: 2, after: notes.pageInfo.endCursor, filter: { flagged: true } }));
    expect(otherFilter.response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const forged = Buffer.from(JSON.stringify({ s: 'x', k: [2, 'no', 'no'] })).toString('base64url');
    const bad = await expectGraphQLError(admin.request(ListNotes, { first: 2, after: forged }));
    expect(bad.response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it.each([
    ['first: 0', { first: 0 }],
    ['first: 101', { first: 101 }],
    ['last: 101', { last: 101 }],
  ])('takes page sizes of 1 to 100 only: %s is BAD_USER_INPUT', async (_name, page) => {
    const error = await expectGraphQLError(admin.request(ListNotes, page));
    expect(error.response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it.each<[string, () => NoteFilter, string[]]>([
    ['personIds', () => ({ personIds: Array.from({ length: 101 }, () => ann) }), ['filter', 'personIds']],
    ['authorIds', () => ({ authorIds: Array.from({ length: 101 }, () => userIdOf(admin)) }), ['filter', 'authorIds']],
    ['categoryIds', () => ({ categoryIds: Array.from({ length: 101 }, () => call) }), ['filter', 'categoryIds']],
  ])('bounds its lists at 100 items: %s with 101 is BAD_USER_INPUT before any SQL', async (_name, filter, argument) => {
    test.sql.length = 0;
    const error = await expectGraphQLError(admin.request(ListNotes, { filter: filter(), first: 5 }));
    expect(error.response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'items', argument, max: 100 });
    expect(test.sql).toEqual([]);
  });

  it('bounds q at 200 characters and orderBy at 2 keys, with BAD_USER_INPUT', async () => {
    const long = await expectGraphQLError(admin.request(ListNotes, { filter: { q: 'a'.repeat(201) } }));
    expect(long.response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'length', argument: ['filter', 'q'], max: 200 });
    const keys = await expectGraphQLError(
      admin.request(ListNotes, { orderBy: [{ field: 'FLAGGED' }, { field: 'CREATED_AT' }, { field: 'FLAGGED' }] }),
    );
    expect(keys.response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'items', argument: ['orderBy'], max: 2 });
  });
});

describe('Query.notes batching', () => {
  it('costs the same two SQL statements for a page of 5 and of 50 notes with their person, author and category', async () => {
    const org = await createOrgClient(test, 'Batching');
    const data = { organizationId: org.organizationId };
    const category = await test.prisma.noteCategory.create({ data: { ...data, title: 'Call' } });
    // Rows written directly, as set-up for a read test.
    for (let n = 0; n < 60; n++) {
      const person = await test.prisma.person.create({ data: { ...data, familyName: `P${n}`, emails: [`p${n}@example.org`] } });
      await test.prisma.note.create({ data: { ...data, personId: person.id, authorId: org.userId, categoryId: category.id, description: `Note ${n}` } });
    }
    await org.request(NestedNotes, { first: 1 }); // the key is looked up once, then cached
    const statements = async (first: number) => {
      test.sql.length = 0;
      const { notes } = await org.request(NestedNotes, { first });
      expect(notes.edges).toHaveLength(first);
      expect(notes.totalCount).toBe(60);
      expect(notes.edges[0]!.node).toMatchObject({ author: { email: expect.any(String) }, category: { title: 'Call' }, person: { fullName: expect.any(String) } });
      return test.sql.length;
    };
    const small = await statements(5);
    const large = await statements(50);
    // The page with its person, author and category joined in, and the total count.
    expect(small).toBe(2);
    expect(large).toBe(small);
  });
});
