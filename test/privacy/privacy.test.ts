import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/db/migrate.ts';
import { graphql } from '../generated/gql.ts';
import type { PersonInput } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, createUserClient, postTyped, requestWithFiles, type TestApp, type TestClient } from '../support/app.ts';
import { localIdOf } from '../support/organising.ts';
import { expectNoErrors, pick, rawRequest } from '../support/raw.ts';

/*
 * Issue 24's personal data, through HTTP: exportPerson (and its download), erasePerson with its
 * audit record and suppression, refusals by role and across organisations.
 */

const CreatePerson = graphql(`
  mutation PrivacyCreatePerson($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id fullName emails } }
      ... on SuppressedPersonError { message path }
    }
  }
`);

const ExportPerson = graphql(`
  mutation ExportPerson($id: ID!) {
    exportPerson(id: $id) {
      __typename
      ... on ExportPersonSuccess { export }
      ... on ForbiddenError { message }
      ... on NotFoundError { message }
    }
  }
`);

const ErasePerson = graphql(`
  mutation ErasePerson($id: ID!, $reason: String!, $suppress: Boolean) {
    erasePerson(id: $id, reason: $reason, suppress: $suppress) {
      __typename
      ... on ErasePersonSuccess { erasure { id personId reason suppressed erasedAt erasedBy { id } } }
      ... on ForbiddenError { message }
      ... on NotFoundError { message }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const Erasures = graphql(`
  query Erasures {
    erasures(first: 10) { totalCount nodes { personId reason suppressed erasedBy { id } } }
  }
`);

const PersonTimeline = graphql(`
  query PrivacyPersonTimeline($id: ID!) {
    person(id: $id) { timeline(first: 5) { nodes { type data actor { id } } } }
  }
`);

const ImportRows = graphql(`
  mutation PrivacyImportRows($input: ImportPeopleInput!) {
    importPeople(input: $input) {
      __typename
      ... on ImportPeopleSuccess { import { id createdCount updatedCount failedCount rowErrors { row errors { path message } } } }
    }
  }
`);

const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

let test: TestApp;
let admin: TestClient;
let editor: TestClient;
let viewer: TestClient;
let stranger: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  admin = await createOrgClient(test, 'Privacy');
  editor = await createUserClient(test, admin.organizationId, 'EDITOR');
  viewer = await createUserClient(test, admin.organizationId, 'VIEWER');
  stranger = await createOrgClient(test, 'Elsewhere');
});

afterAll(async () => {
  await test?.close();
});

async function createPerson(client: TestClient, input: PersonInput): Promise<string> {
  const { createPerson } = await client.request(CreatePerson, { input });
  if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(`createPerson: ${createPerson.__typename}`);
  return createPerson.person.id;
}

/** A raw mutation that must succeed; answers the value at `path` of its data. */
async function run(client: TestClient, query: string, variables: Record<string, unknown>, path: string): Promise<unknown> {
  const result = await rawRequest(test, client, query, variables);
  const data = expectNoErrors(result);
  const typename = pick(data, `${path.split('.')[0]}.__typename`);
  expect(typename, JSON.stringify(data)).toMatch(/Success$/);
  return pick(data, path);
}

/** Every row of every table of the test's schema, as JSON text, that holds one of these values (any case). */
async function rowsHolding(values: readonly string[], except: (table: string, row: string) => boolean = () => false): Promise<{ table: string; row: string }[]> {
  const tables = await test.prisma.$queryRawUnsafe<{ table_name: string }[]>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`,
    test.schema,
  );
  expect(tables.length).toBeGreaterThan(15);
  const found: { table: string; row: string }[] = [];
  for (const { table_name: table } of tables) {
    const rows = await test.prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM ${quoteIdent(test.schema)}.${quoteIdent(table)} t`);
    for (const { row } of rows) {
      const lower = row.toLowerCase();
      if (values.some((value) => lower.includes(value.toLowerCase())) && !except(table, row)) found.push({ table, row });
    }
  }
  return found;
}

describe('exportPerson', () => {
  let personId: string;

  beforeAll(async () => {
    personId = await createPerson(admin, {
      givenName: 'Ottilie',
      familyName: 'Exportwell',
      emails: ['ottilie@example.org'],
      phones: ['+46 70 123 45 67'],
      companies: [{ name: 'Export AB' }],
      urls: ['https://example.org/ottilie'],
      addresses: ['Storgatan 1, Lund'],
    });
    const categoryId = await run(admin, `mutation { createNoteCategory(input: { title: "Calls" }) { __typename ... on CreateNoteCategorySuccess { noteCategory { id } } } }`, {}, 'createNoteCategory.noteCategory.id');
    await run(admin, `mutation ($p: ID!, $c: ID!) { createNote(personId: $p, input: { categoryId: $c, description: "Prefers mornings", isPrivate: true }) { __typename } }`, { p: personId, c: categoryId }, 'createNote');
    const tagId = await run(admin, `mutation { createTag(input: { title: "Volunteer", valueType: TEXT }) { __typename ... on CreateTagSuccess { tag { id } } } }`, {}, 'createTag.tag.id');
    await run(admin, `mutation ($p: ID!, $t: ID!) { tagPerson(personId: $p, tagId: $t, value: "weekends") { __typename } }`, { p: personId, t: tagId }, 'tagPerson');
    const groupId = await run(admin, `mutation { createGroup(input: { title: "Board" }) { __typename ... on CreateGroupSuccess { group { id } } } }`, {}, 'createGroup.group.id');
    await run(admin, `mutation ($g: ID!, $p: ID!) { addGroupMember(groupId: $g, personId: $p, role: MANAGER) { __typename } }`, { g: groupId, p: personId }, 'addGroupMember');
    await run(admin, `mutation { createCustomField(input: { title: "Shirt size", type: TEXT, slug: "shirt" }) { __typename } }`, {}, 'createCustomField');
    await run(admin, `mutation ($p: ID!) { setPersonField(personId: $p, field: "shirt", value: "XL") { __typename } }`, { p: personId }, 'setPersonField');
    const upload = await requestWithFiles(test, admin, graphql(`mutation PrivacyAvatar($personId: ID!, $file: File!) { setPersonAvatar(personId: $personId, file: $file) { __typename } }`), { personId, file: null as never }, { file: new File([new Uint8Array(png)], 'a.png', { type: 'image/png' }) });
    expect(upload.errors).toBeUndefined();
  });

  it('gives an admin everything held about the person, as one versioned document, and records the export without data', async () => {
    const { exportPerson } = await admin.request(ExportPerson, { id: personId });
    if (exportPerson.__typename !== 'ExportPersonSuccess') throw new Error(exportPerson.__typename);
    // What the assertions below read of the export; toMatchObject checks the rest of each part.
    const document = exportPerson.export as {
      format: string;
      person: object;
      companies: object[];
      notes: object[];
      tags: object[];
      groups: object[];
      customFieldValues: object[];
      timeline: { type: string }[];
      avatar: { contentType: string; dataUrl: string; sha256: string };
    };
    expect(document.format).toBe('people-gateway.person-export/1');
    expect(document.person).toMatchObject({
      id: personId,
      givenName: 'Ottilie',
      familyName: 'Exportwell',
      emails: ['ottilie@example.org'],
      phones: ['+46 70 123 45 67'],
      urls: ['https://example.org/ottilie'],
      addresses: ['Storgatan 1, Lund'],
    });
    expect(document.person).not.toHaveProperty('organizationId');
    expect(document.person).not.toHaveProperty('searchText');
    expect(document.companies).toMatchObject([{ name: 'Export AB', primary: true }]);
    expect(document.notes).toMatchObject([{ description: 'Prefers mornings', isPrivate: true, author: { id: expect.any(String) }, category: { title: 'Calls' } }]);
    expect(document.tags).toMatchObject([{ title: 'Volunteer', value: 'weekends' }]);
    expect(document.groups).toMatchObject([{ title: 'Board', role: 'MANAGER' }]);
    expect(document.customFieldValues).toMatchObject([{ field: { slug: 'shirt', title: 'Shirt size', type: 'TEXT' }, value: 'XL' }]);
    expect(document.timeline.map((event) => event.type)).toEqual(expect.arrayContaining(['PERSON_CREATED', 'NOTE_ADDED', 'TAG_ADDED', 'GROUP_JOINED', 'FIELD_SET', 'AVATAR_CHANGED']));
    expect(document.avatar.contentType).toBe('image/png');
    expect(document.avatar.dataUrl).toBe(`data:image/png;base64,${png.toString('base64')}`);
    expect(document.avatar.sha256).toMatch(/^[0-9a-f]{64}$/);

    const { person } = await admin.request(PersonTimeline, { id: personId });
    expect(person!.timeline.nodes[0]).toMatchObject({ type: 'PERSON_EXPORTED', data: {}, actor: { id: expect.any(String) } });
  });

  it('downloads as a file at GET /people/<id>/export with the key', async () => {
    const response = await test.app.fetch(`http://test/people/${encodeURIComponent(personId)}/export`, { headers: { authorization: `Bearer ${admin.apiKey}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="person-.+\.json"$/);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const document = (await response.json()) as { format: string; person: { familyName: string } };
    expect(document.format).toBe('people-gateway.person-export/1');
    expect(document.person.familyName).toBe('Exportwell');

    const refused = async (apiKey: string | null, id = personId) =>
      (await test.app.fetch(`http://test/people/${encodeURIComponent(id)}/export`, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {} })).status;
    expect(await refused(null)).toBe(401);
    expect(await refused(editor.apiKey)).toBe(403);
    expect(await refused(viewer.apiKey)).toBe(403);
    expect(await refused(stranger.apiKey)).toBe(404);
    expect(await refused(admin.apiKey, 'not-an-id')).toBe(404);
  });

  it('is refused to an editor and a viewer, and another organisation finds no one', async () => {
    for (const client of [editor, viewer]) {
      const { exportPerson } = await client.request(ExportPerson, { id: personId });
      expect(exportPerson.__typename).toBe('ForbiddenError');
    }
    const { exportPerson } = await stranger.request(ExportPerson, { id: personId });
    expect(exportPerson.__typename).toBe('NotFoundError');
  });
});

describe('erasePerson', () => {
  it('is refused to an editor and a viewer; another organisation can neither erase nor list erasures', async () => {
    const personId = await createPerson(admin, { familyName: 'Keepme' });
    for (const client of [editor, viewer]) {
      const { erasePerson } = await client.request(ErasePerson, { id: personId, reason: 'test' });
      expect(erasePerson.__typename).toBe('ForbiddenError');
      const erasures = await rawRequest(test, client, '{ erasures(first: 1) { totalCount } }');
      expect(erasures.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
    const { erasePerson } = await stranger.request(ErasePerson, { id: personId, reason: 'test' });
    expect(erasePerson.__typename).toBe('NotFoundError');
    const { erasures } = await stranger.request(Erasures, {});
    expect(erasures.totalCount).toBe(0);
    expect(await test.prisma.person.count({ where: { id: localIdOf(personId) } })).toBe(1);
  });

  it('wants a reason', async () => {
    const personId = await createPerson(admin, { familyName: 'Reasonless' });
    const { erasePerson } = await admin.request(ErasePerson, { id: personId, reason: '  ' });
    expect(erasePerson.__typename).toBe('ValidationError');
  });

  it('leaves none of the person\'s values in any table, whatever path wrote them; an audit record stays', async () => {
    // Written through every path that stores a person's data.
    const idempotent = await postTyped(test.app, admin.apiKey, CreatePerson, {
      input: { givenName: 'Zebulon', familyName: 'Quenbyworth', emails: ['zebulon.q@example.org'], phones: ['+44 20 7946 0958'], linkedinId: 'zebulon-quenbyworth' },
    }, { 'idempotency-key': 'privacy-erase-1' });
    const personId = pick(idempotent.data, 'createPerson.person.id') as string;
    expect(personId).toBeTruthy();
    const replay = await postTyped(test.app, admin.apiKey, CreatePerson, {
      input: { givenName: 'Zebulon', familyName: 'Quenbyworth', emails: ['zebulon.q@example.org'], phones: ['+44 20 7946 0958'], linkedinId: 'zebulon-quenbyworth' },
    }, { 'idempotency-key': 'privacy-erase-1' });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const categoryId = await run(admin, `mutation { createNoteCategory(input: { title: "Erasable" }) { __typename ... on CreateNoteCategorySuccess { noteCategory { id } } } }`, {}, 'createNoteCategory.noteCategory.id');
    await run(admin, `mutation ($p: ID!, $c: ID!) { createNote(personId: $p, input: { categoryId: $c, description: "Quenbyworth-secret-note", isPrivate: true }) { __typename } }`, { p: personId, c: categoryId }, 'createNote');
    await run(admin, `mutation { createCustomField(input: { title: "Nickname", type: TEXT, slug: "nickname" }) { __typename } }`, {}, 'createCustomField');
    await run(admin, `mutation { createCustomField(input: { title: "Referred by", type: CONTACT, slug: "referred-by" }) { __typename } }`, {}, 'createCustomField');
    await run(admin, `mutation ($p: ID!) { setPersonField(personId: $p, field: "nickname", value: "Zeb-the-unique") { __typename } }`, { p: personId }, 'setPersonField');
    // Someone else's value and timeline name the person.
    const friendId = await createPerson(admin, { familyName: 'Friendly', emails: ['friendly@example.org'] });
    await run(admin, `mutation ($p: ID!, $v: JSON) { setPersonField(personId: $p, field: "referred-by", value: $v) { __typename } }`, { p: friendId, v: [{ id: personId }] }, 'setPersonField');
    // An import that updates them, and one whose failed row carries their data.
    const imported = await admin.request(ImportRows, {
      input: { matchOn: ['EMAIL'], rows: [{ emails: ['zebulon.q@example.org'], jobTitle: 'Quenbyworth Consulting' }, { familyName: 'Broken', emails: ['zebulon.q@example.org', 'not an email'], phones: ['+44 20 7946 0958'] }] },
    });
    expect(imported.importPeople).toMatchObject({ import: { updatedCount: 1, failedCount: 1 } });
    // A merge into them of a second record of theirs.
    const secondId = await createPerson(admin, { familyName: 'Quenbyworth', givenName: 'Zeb', emails: ['zeb.second@example.org'] });
    await run(admin, `mutation ($input: MergePeopleInput!) { mergePeople(input: $input) { __typename } }`, { input: { personIds: [personId, secondId], primaryId: personId } }, 'mergePeople');
    await admin.request(ExportPerson, { id: personId });

    const values = ['Quenbyworth', 'zebulon.q@example.org', 'zeb.second@example.org', '+44 20 7946 0958', 'zebulon-quenbyworth', 'Zeb-the-unique', 'secret-note', localIdOf(personId), personId, localIdOf(secondId), secondId];
    expect((await rowsHolding(values)).length).toBeGreaterThan(10);

    const { erasePerson } = await admin.request(ErasePerson, { id: personId, reason: 'GDPR request 2026-118', suppress: true });
    if (erasePerson.__typename !== 'ErasePersonSuccess') throw new Error(JSON.stringify(erasePerson));
    expect(erasePerson.erasure).toMatchObject({ personId, reason: 'GDPR request 2026-118', suppressed: true, erasedBy: { id: expect.any(String) } });

    // Only the audit record names the person's id, and nothing anywhere holds their data.
    const left = await rowsHolding(values, (table, row) => table === 'PersonErasure' && !/quenbyworth|example\.org/i.test(row));
    expect(left).toEqual([]);
    const { erasures } = await admin.request(Erasures, {});
    expect(erasures.nodes[0]).toMatchObject({ personId, reason: 'GDPR request 2026-118', suppressed: true });

    // The friend keeps their record, without the reference; the replay answers without the data.
    expect(await test.prisma.person.count({ where: { id: localIdOf(friendId) } })).toBe(1);
    const replayed = await postTyped(test.app, admin.apiKey, CreatePerson, {
      input: { givenName: 'Zebulon', familyName: 'Quenbyworth', emails: ['zebulon.q@example.org'], phones: ['+44 20 7946 0958'], linkedinId: 'zebulon-quenbyworth' },
    }, { 'idempotency-key': 'privacy-erase-1' });
    expect(replayed.errors?.[0]?.extensions?.code).toBe('ERASED');
  });

  it('with suppress, creates and imports refuse the email or phone (any case, any country-code form) unless allowSuppressed', async () => {
    const personId = await createPerson(admin, { familyName: 'Suppressa', emails: ['suppress.me@example.org'], phones: ['020 7123 4567'] });
    const { erasePerson } = await admin.request(ErasePerson, { id: personId, reason: 'asked to be forgotten', suppress: true });
    expect(erasePerson.__typename).toBe('ErasePersonSuccess');

    const byEmail = await admin.request(CreatePerson, { input: { familyName: 'Again', emails: ['Suppress.Me@Example.org'] } });
    expect(byEmail.createPerson).toMatchObject({ __typename: 'SuppressedPersonError', path: ['input', 'emails', '0'] });
    const byPhone = await admin.request(CreatePerson, { input: { familyName: 'Again', phones: ['+44 20 7123 4567'] } });
    expect(byPhone.createPerson).toMatchObject({ __typename: 'SuppressedPersonError', path: ['input', 'phones', '0'] });
    // Another organisation never heard of them.
    const elsewhere = await stranger.request(CreatePerson, { input: { familyName: 'Again', emails: ['suppress.me@example.org'] } });
    expect(elsewhere.createPerson.__typename).toBe('CreatePersonSuccess');

    const imported = await admin.request(ImportRows, { input: { matchOn: [], rows: [{ familyName: 'Row', emails: ['suppress.me@example.org'] }, { familyName: 'Fine' }] } });
    expect(imported.importPeople).toMatchObject({ import: { createdCount: 1, failedCount: 1, rowErrors: [{ row: 1, errors: [{ path: ['emails', '0'] }] }] } });

    const allowed = await admin.request(CreatePerson, { input: { familyName: 'Again', emails: ['suppress.me@example.org'], allowSuppressed: true } });
    expect(allowed.createPerson.__typename).toBe('CreatePersonSuccess');
    const allowedImport = await admin.request(ImportRows, { input: { matchOn: [], allowSuppressed: true, rows: [{ familyName: 'Row', phones: ['020 7123 4567'] }] } });
    expect(allowedImport.importPeople).toMatchObject({ import: { createdCount: 1, failedCount: 0 } });
  });

  it('racing writes of the person leave no half-erased person', async () => {
    const personId = await createPerson(admin, { familyName: 'Racer', emails: ['racer@example.org'] });
    const categoryId = await run(admin, `mutation { createNoteCategory(input: { title: "Race" }) { __typename ... on CreateNoteCategorySuccess { noteCategory { id } } } }`, {}, 'createNoteCategory.noteCategory.id');
    const writes = Array.from({ length: 6 }, (_, index) =>
      index % 2 === 0
        ? rawRequest(test, admin, `mutation ($id: ID!, $j: String) { updatePerson(id: $id, input: { jobTitle: $j }) { __typename } }`, { id: personId, j: `job ${index}` })
        : rawRequest(test, admin, `mutation ($p: ID!, $c: ID!, $d: String!) { createNote(personId: $p, input: { categoryId: $c, description: $d }) { __typename } }`, { p: personId, c: categoryId, d: `race note ${index}` }),
    );
    const [erased, ...results] = await Promise.all([admin.request(ErasePerson, { id: personId, reason: 'race' }), ...writes]);
    expect(erased.erasePerson.__typename).toBe('ErasePersonSuccess');
    // Each write ran before the erasure (and was erased) or after it (and found no one).
    for (const result of results) {
      const typename = Object.values((result.data ?? {}) as Record<string, { __typename: string }>)[0]?.__typename;
      expect(['UpdatePersonSuccess', 'CreateNoteSuccess', 'NotFoundError'], JSON.stringify(result)).toContain(typename);
    }
    expect(await rowsHolding([localIdOf(personId), 'racer@example.org', 'race note'], (table) => table === 'PersonErasure')).toEqual([]);
  });
});
