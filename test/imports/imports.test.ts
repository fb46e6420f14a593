import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { ImportPeopleInput, ImportRowInput } from '../generated/graphql.ts';
import {
  createOrgClient,
  createTestApp,
  createUserClient,
  requestWithFiles,
  type TestApp,
  type TestClient,
} from '../support/app.ts';
import { createField, createPersonId } from '../support/fields.ts';
import { localIdOf, timelineOf } from '../support/organising.ts';

const ImportParts = graphql(`
  fragment ImportParts on Import {
    id
    status
    dryRun
    totalRows
    createdCount
    updatedCount
    unchangedCount
    failedCount
    rowErrors { row errors { path message } }
    actor { id }
    createdAt
    finishedAt
  }
`);

const ImportPeople = graphql(`
  mutation ImportPeople($input: ImportPeopleInput!) {
    importPeople(input: $input) {
      __typename
      ... on ImportPeopleSuccess { import { ...ImportParts } }
      ... on ValidationError { message fieldErrors { path message } }
      ... on ForbiddenError { message }
    }
  }
`);

const Imports = graphql(`
  query Imports($first: Int, $after: String) {
    imports(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { id totalRows dryRun } }
  }
`);

const ImportNode = graphql(`
  query ImportNode($id: ID!) {
    node(id: $id) { __typename ... on Import { id status totalRows } }
  }
`);

const FindPeople = graphql(`
  query ImportFindPeople($q: String) {
    people(first: 100, filter: { q: $q }) {
      totalCount
      nodes {
        id
        givenName
        familyName
        jobTitle
        externalId
        emails
        phones
        birthday
        isTracked
        dealSize
        importedAt
        companies { nodes { name } }
        tags(first: 10) { nodes { tag { title } } }
        groups(first: 10) { nodes { group { title } } }
        fields(first: 20) { nodes { field { slug } value } }
      }
    }
  }
`);

const CreateTag = graphql(`
  mutation ImportCreateTag($input: TagInput!) {
    createTag(input: $input) { __typename ... on CreateTagSuccess { tag { id } } }
  }
`);

const CreateGroup = graphql(`
  mutation ImportCreateGroup($input: GroupInput!) {
    createGroup(input: $input) { __typename ... on CreateGroupSuccess { group { id } } }
  }
`);

let test: TestApp;
let acme: TestClient;
let globex: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test, 'Acme');
  globex = await createOrgClient(test, 'Globex');
});

afterAll(async () => {
  await test?.close();
});

async function importRows(client: TestClient, rows: ImportRowInput[], options: Omit<ImportPeopleInput, 'rows'> = {}) {
  const { importPeople } = await client.request(ImportPeople, { input: { rows, ...options } });
  return importPeople;
}

async function imported(client: TestClient, rows: ImportRowInput[], options: Omit<ImportPeopleInput, 'rows'> = {}) {
  const result = await importRows(client, rows, options);
  if (result.__typename !== 'ImportPeopleSuccess') throw new Error(`importPeople failed: ${JSON.stringify(result)}`);
  return result.import;
}

async function importCsv(client: TestClient, csv: string, options: Omit<ImportPeopleInput, 'file'> = {}) {
  const response = await requestWithFiles(test, client, ImportPeople, { input: { file: null, ...options } }, {
    'input.file': new File([csv], 'people.csv', { type: 'text/csv' }),
  });
  if (!response.data) throw new Error(`importPeople failed: ${JSON.stringify(response)}`);
  return response.data.importPeople;
}

async function people(client: TestClient, q: string) {
  const { people } = await client.request(FindPeople, { q });
  return people.nodes;
}

async function personCount(organizationId: string) {
  return test.prisma.person.count({ where: { organizationId } });
}

async function createTag(client: TestClient, title: string, valueType?: 'TEXT' | 'NUMBER') {
  const { createTag } = await client.request(CreateTag, { input: { title, valueType } });
  if (createTag.__typename !== 'CreateTagSuccess') throw new Error(JSON.stringify(createTag));
  return createTag.tag.id;
}

async function createGroup(client: TestClient, title: string) {
  const { createGroup } = await client.request(CreateGroup, { input: { title } });
  if (createGroup.__typename !== 'CreateGroupSuccess') throw new Error(JSON.stringify(createGroup));
  return createGroup.group.id;
}

describe('importPeople with rows', () => {
  it('creates a person for each new row, with an Import record, importedAt and an IMPORTED event', async () => {
    const record = await imported(acme, [
      { givenName: 'Ada', familyName: 'Rowimport', emails: ['ada@rowimport.test'], externalId: 'row-1' },
      { givenName: 'Grace', familyName: 'Rowimport', phones: ['+46 70 123 45 67'], companies: [{ name: 'Navy' }] },
    ]);
    expect(record).toMatchObject({
      status: 'COMPLETED',
      dryRun: false,
      totalRows: 2,
      createdCount: 2,
      updatedCount: 0,
      unchangedCount: 0,
      failedCount: 0,
      rowErrors: [],
      actor: { id: expect.any(String) },
    });
    expect(record.finishedAt).not.toBeNull();
    const found = await people(acme, 'rowimport');
    expect(found.map((person) => person.givenName).sort()).toEqual(['Ada', 'Grace']);
    const grace = found.find((person) => person.givenName === 'Grace')!;
    expect(grace.companies.nodes).toEqual([{ name: 'Navy' }]);
    expect(grace.importedAt).not.toBeNull();
    const events = await timelineOf(test, grace.id);
    expect(events.map((event) => event.type)).toEqual(['PERSON_CREATED', 'IMPORTED']);
    expect(events[1]!.data).toEqual({ importId: localIdOf(record.id), row: 2, result: 'CREATED' });
  });

  it('updates the person a row matches by email, whatever its case, adding to their lists', async () => {
    const id = await createPersonId(acme, {
      familyName: 'Matchmail',
      emails: ['first@matchmail.test'],
      phones: ['+1 555 0100'],
      jobTitle: 'Clerk',
      companies: [{ name: 'Old Co' }],
    });
    const record = await imported(acme, [
      { emails: ['OTHER@matchmail.test', 'First@Matchmail.test'], jobTitle: 'Manager', phones: ['+1 555 0199'], companies: [{ name: 'New Co' }] },
    ]);
    expect(record).toMatchObject({ totalRows: 1, createdCount: 0, updatedCount: 1 });
    const [person] = await people(acme, 'matchmail');
    expect(person).toMatchObject({
      id,
      familyName: 'Matchmail',
      jobTitle: 'Manager',
      // Theirs first, so the primary email stays primary; the row's new one is added.
      emails: ['first@matchmail.test', 'other@matchmail.test'],
      phones: ['+1 555 0100', '+1 555 0199'],
      companies: { nodes: [{ name: 'Old Co' }, { name: 'New Co' }] },
    });
    const events = await timelineOf(test, id);
    expect(events.map((event) => event.type)).toEqual(['PERSON_CREATED', 'PERSON_UPDATED', 'IMPORTED']);
    expect(events[2]!.data).toMatchObject({ result: 'UPDATED' });
  });

  it('matches by external id before email by default, and counts a row that changes nothing as unchanged', async () => {
    const byExternal = await createPersonId(acme, { familyName: 'Keyorder', externalId: 'crm-7', emails: ['a@keyorder.test'] });
    const byEmail = await createPersonId(acme, { familyName: 'Keyorder', givenName: 'Email', emails: ['b@keyorder.test', 'c@keyorder.test'] });
    const rows = [{ externalId: 'crm-7', emails: ['b@keyorder.test'], givenName: 'External' }];
    const first = await imported(acme, rows);
    expect(first).toMatchObject({ updatedCount: 1, createdCount: 0 });
    const found = await people(acme, 'keyorder');
    const external = found.find((person) => person.id === byExternal)!;
    expect(external.givenName).toBe('External');
    expect(external.emails).toEqual(['a@keyorder.test', 'b@keyorder.test']);
    expect(found.find((person) => person.id === byEmail)!.givenName).toBe('Email');

    // The same row again: nothing to change, no event.
    const again = await imported(acme, rows);
    expect(again).toMatchObject({ totalRows: 1, updatedCount: 0, unchangedCount: 1 });
    expect((await timelineOf(test, byExternal)).filter((event) => event.type === 'IMPORTED')).toHaveLength(1);

    // matchOn: [EMAIL] alone finds the other person (b@ is now on both, so the row gives only c@).
    const emailOnly = await imported(acme, [{ externalId: 'crm-7', emails: ['c@keyorder.test'], jobTitle: 'Found' }], {
      matchOn: ['EMAIL'],
    });
    expect(emailOnly).toMatchObject({ updatedCount: 1, rowErrors: [] });
    expect((await people(acme, 'keyorder')).find((person) => person.id === byEmail)!.jobTitle).toBe('Found');
  });

  it('creates a person for every row with matchOn: []', async () => {
    await createPersonId(acme, { familyName: 'Nomatch', emails: ['x@nomatch.test'] });
    const record = await imported(acme, [{ familyName: 'Nomatch', emails: ['x@nomatch.test'] }], { matchOn: [] });
    expect(record.createdCount).toBe(1);
    expect(await people(acme, 'nomatch')).toHaveLength(2);
  });

  it('applies the good rows and reports each bad one with its number and problems, writing nothing of it', async () => {
    const field = await createField(acme, { title: 'Shoe size', type: 'NUMBER' });
    const before = await personCount(acme.organizationId);
    const record = await imported(acme, [
      { familyName: 'Goodrow', givenName: 'One' },
      { givenName: 'No family name' },
      { familyName: 'Badrow', emails: ['not-an-email'] },
      // Created, then its value fails: the savepoint takes the person back too.
      { familyName: 'Halfrow', fields: [{ field: field.slug, value: 'big' }] },
      { familyName: 'Badrow', groups: ['not-an-id'] },
      { familyName: 'Goodrow', givenName: 'Two', fields: [{ field: field.slug, value: '44' }] },
    ]);
    expect(record).toMatchObject({ status: 'COMPLETED', totalRows: 6, createdCount: 2, failedCount: 4 });
    expect(record.rowErrors).toEqual([
      { row: 2, errors: [{ path: ['familyName'], message: 'A family name is required.' }] },
      { row: 3, errors: [{ path: ['emails', '0'], message: expect.stringMatching(/email/i) }] },
      { row: 4, errors: [{ path: ['fields', '0', 'value'], message: expect.stringMatching(/number/i) }] },
      { row: 5, errors: [{ path: ['groups', '0'], message: expect.stringContaining('not-an-id') }] },
    ]);
    expect(await personCount(acme.organizationId)).toBe(before + 2);
    expect(await people(acme, 'halfrow')).toEqual([]);
    const two = (await people(acme, 'goodrow')).find((person) => person.givenName === 'Two')!;
    expect(two.fields.nodes).toEqual([{ field: { slug: field.slug }, value: 44 }]);
  });

  it('reports a row that matches two people by email instead of guessing', async () => {
    await createPersonId(acme, { familyName: 'Twin', emails: ['one@twin.test'] });
    await createPersonId(acme, { familyName: 'Twin', emails: ['two@twin.test'] });
    const record = await imported(acme, [{ emails: ['one@twin.test', 'two@twin.test'], jobTitle: 'Ambiguous' }]);
    expect(record).toMatchObject({ failedCount: 1, updatedCount: 0 });
    expect(record.rowErrors[0]).toMatchObject({ row: 1, errors: [{ path: ['emails'], message: expect.stringContaining('2 people have these emails') }] });
    expect((await people(acme, 'twin')).map((person) => person.jobTitle)).toEqual([null, null]);
  });

  it('adds the tags and groups it is given to every person imported, once', async () => {
    const tagId = await createTag(acme, 'Imported 2026');
    const groupId = await createGroup(acme, 'Import newcomers');
    const existing = await createPersonId(acme, { familyName: 'Tagimport', emails: ['old@tagimport.test'] });
    const options = { tagIds: [tagId], groupIds: [groupId] };
    const record = await imported(acme, [{ emails: ['old@tagimport.test'] }, { familyName: 'Tagimport', givenName: 'New' }], options);
    expect(record).toMatchObject({ createdCount: 1, updatedCount: 1 });
    for (const person of await people(acme, 'tagimport')) {
      expect(person.tags.nodes).toEqual([{ tag: { title: 'Imported 2026' } }]);
      expect(person.groups.nodes).toEqual([{ group: { title: 'Import newcomers' } }]);
    }
    const types = (await timelineOf(test, existing)).map((event) => event.type);
    expect(types).toEqual(['PERSON_CREATED', 'GROUP_JOINED', 'TAG_ADDED', 'IMPORTED']);
    // Already tagged and in the group: unchanged.
    const again = await imported(acme, [{ emails: ['old@tagimport.test'] }], options);
    expect(again).toMatchObject({ unchangedCount: 1, updatedCount: 0 });
  });

  it('leaves the same values and timeline whether a row is inserted in bulk or one by one', async () => {
    const tagId = await createTag(acme, 'Same path');
    const groupId = await createGroup(acme, 'Same path group');
    const field = await createField(acme, { title: 'Same path size', type: 'NUMBER' });
    const record = await imported(
      acme,
      [
        // Plain: inserted with the batch.
        { familyName: 'Samepath', givenName: 'Bulk', fields: [{ field: field.slug, value: '7' }] },
        // A company makes the row go one by one.
        { familyName: 'Samepath', givenName: 'Single', companies: [{ name: 'Samepath AB' }], fields: [{ field: field.slug, value: 7 }] },
      ],
      { tagIds: [tagId], groupIds: [groupId] },
    );
    expect(record).toMatchObject({ createdCount: 2, failedCount: 0 });
    const found = await people(acme, 'samepath');
    const rows = new Map<string, unknown>();
    const timelines = await Promise.all(found.map(async (person) => {
      const events = await timelineOf(test, person.id);
      return events.map(({ type, data }) => {
        // Only the row number differs: each path records its own.
        if (type !== 'IMPORTED') return { type, data };
        const { row, ...rest } = data as Record<string, unknown>;
        rows.set(person.givenName!, row);
        return { type, data: rest };
      });
    }));
    expect(timelines[0]).toEqual(timelines[1]);
    expect(Object.fromEntries(rows)).toEqual({ Bulk: 1, Single: 2 });
    expect(timelines[0]!.map((event) => event.type)).toEqual(['PERSON_CREATED', 'GROUP_JOINED', 'FIELD_SET', 'TAG_ADDED', 'IMPORTED']);
    expect(timelines[0]![2]!.data).toEqual({ fieldId: localIdOf(field.id), field: field.slug, before: null, after: 7 });
    for (const person of found) {
      expect(person.fields.nodes).toEqual([{ field: { slug: field.slug }, value: 7 }]);
      expect(person.tags.nodes).toEqual([{ tag: { title: 'Same path' } }]);
      expect(person.groups.nodes).toEqual([{ group: { title: 'Same path group' } }]);
    }
  });

  it('refuses, writing nothing, tags and groups that are not usable or not yours, and duplicate match keys', async () => {
    const valued = await createTag(acme, 'Score', 'NUMBER');
    const theirTag = await createTag(globex, 'Theirs');
    const theirGroup = await createGroup(globex, 'Their group');
    const importsBefore = await test.prisma.import.count();
    const peopleBefore = await personCount(acme.organizationId);
    const result = await importRows(acme, [{ familyName: 'Neverwritten' }], {
      tagIds: [valued, theirTag],
      groupIds: [theirGroup],
      matchOn: ['EMAIL', 'EMAIL'],
    });
    expect(result.__typename).toBe('ValidationError');
    if (result.__typename !== 'ValidationError') return;
    expect(result.fieldErrors.map((error) => error.path.join('.')).sort()).toEqual([
      'input.groupIds.0',
      'input.matchOn.1',
      'input.tagIds.0',
      'input.tagIds.1',
    ]);
    const junk = await importRows(acme, [{ familyName: 'Neverwritten' }], { tagIds: ['junk'] });
    expect(junk).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'tagIds', '0'] }] });
    expect(await test.prisma.import.count()).toBe(importsBefore);
    expect(await personCount(acme.organizationId)).toBe(peopleBefore);
  });

  it('needs rows or a file, not both and not neither', async () => {
    const neither = await acme.request(ImportPeople, { input: {} });
    expect(neither.importPeople).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input'] }] });
    const both = await requestWithFiles(test, acme, ImportPeople, { input: { rows: [{ familyName: 'X' }], file: null } }, {
      'input.file': new File(['familyName\nY\n'], 'people.csv'),
    });
    expect(both.data?.importPeople).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input'] }] });
  });

  it('is refused to a viewer', async () => {
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    const result = await importRows(viewer, [{ familyName: 'Viewerimport' }]);
    expect(result.__typename).toBe('ForbiddenError');
    expect(await people(acme, 'viewerimport')).toEqual([]);
  });
});

describe('a dry run', () => {
  it('counts exactly what would happen, a repeated row included, and writes no person', async () => {
    await createPersonId(acme, { familyName: 'Dryrun', emails: ['here@dryrun.test'] });
    const before = await personCount(acme.organizationId);
    const eventsBefore = await test.prisma.timelineEvent.count();
    const record = await imported(
      acme,
      [
        { familyName: 'Dryrun', emails: ['new@dryrun.test'] },
        // Matches the person the first row would create.
        { emails: ['new@dryrun.test'], jobTitle: 'Twice' },
        { emails: ['here@dryrun.test'], jobTitle: 'Changed' },
        { emails: ['here@dryrun.test'] },
        { givenName: 'Bad' },
      ],
      { dryRun: true },
    );
    expect(record).toMatchObject({ dryRun: true, status: 'COMPLETED', totalRows: 5, createdCount: 1, updatedCount: 2, unchangedCount: 1, failedCount: 1 });
    expect(await personCount(acme.organizationId)).toBe(before);
    expect(await test.prisma.timelineEvent.count()).toBe(eventsBefore);
    expect((await people(acme, 'dryrun')).map((person) => person.jobTitle)).toEqual([null]);
  });
});

describe('importPeople with a CSV file', () => {
  it('reads columns by any spelling, repeated list columns, booleans, numbers, dates and custom fields', async () => {
    const field = await createField(acme, {
      title: 'Languages spoken',
      type: 'MULTIPLE_SELECT',
      options: ['Swedish', 'English'],
    });
    const text = await createField(acme, { title: 'Nickname', type: 'TEXT' });
    const csv = [
      `Given name,family_name,email,Email,isTracked,Deal size,birthday,company,field:${field.slug},field:${text.slug}`,
      `Astrid,Csvperson,astrid@csv.test,ASTRID2@csv.test,yes,1200,1907-11-14,"Rabén, Sjögren","[""Swedish"",""English""]","Pippi's ""mother"""`,
      '"Multi\nline",Csvperson,,,no,,,,,',
      '',
    ].join('\r\n');
    const result = await importCsv(acme, csv);
    expect(result).toMatchObject({ __typename: 'ImportPeopleSuccess', import: { totalRows: 2, createdCount: 2, failedCount: 0 } });
    const found = await people(acme, 'csvperson');
    const astrid = found.find((person) => person.givenName === 'Astrid')!;
    expect(astrid).toMatchObject({
      emails: ['astrid@csv.test', 'astrid2@csv.test'],
      isTracked: true,
      dealSize: 1200,
      birthday: '1907-11-14',
      companies: { nodes: [{ name: 'Rabén, Sjögren' }] },
    });
    expect(astrid.fields.nodes).toEqual(
      expect.arrayContaining([
        { field: { slug: field.slug }, value: ['Swedish', 'English'] },
        { field: { slug: text.slug }, value: 'Pippi\'s "mother"' },
      ]),
    );
    expect(found.find((person) => person.givenName === 'Multi\nline')).toMatchObject({ isTracked: false, emails: [] });
  });

  it('reports bad cells as row errors with the row number after the header', async () => {
    const result = await importCsv(acme, 'familyName,isTracked,birthday,totalDeals\nCsvbad,maybe,,\nCsvbad,,1990-02-30,\nCsvbad,,,1.5\nCsvgood,,,\nCsvbad,true\n');
    if (result.__typename !== 'ImportPeopleSuccess') throw new Error(JSON.stringify(result));
    expect(result.import).toMatchObject({ totalRows: 5, createdCount: 1, failedCount: 4 });
    expect(result.import.rowErrors).toEqual([
      { row: 1, errors: [{ path: ['isTracked'], message: expect.stringContaining('"maybe"') }] },
      { row: 2, errors: [{ path: ['birthday'], message: expect.stringContaining('YYYY-MM-DD') }] },
      { row: 3, errors: [{ path: ['totalDeals'], message: expect.stringContaining('whole number') }] },
      { row: 5, errors: [{ path: [], message: 'Line 6 has 2 cells; the header has 4.' }] },
    ]);
    expect(await people(acme, 'csvbad')).toEqual([]);
    expect(await people(acme, 'csvgood')).toHaveLength(1);
  });

  it('refuses a broken file whole, writing nothing: unknown columns, an unclosed quote, no header, not UTF-8', async () => {
    const importsBefore = await test.prisma.import.count();
    const peopleBefore = await personCount(acme.organizationId);
    const cases: [string | Uint8Array<ArrayBuffer>, RegExp][] = [
      ['familyName,shoeSize\nBrokenfile,44\n', /unknown column "shoeSize"/],
      ['familyName,familyName\nBrokenfile,Twice\n', /appears twice/],
      ['familyName\nBrokenfile\n"Unclosed\n', /never closed/],
      ['familyName\nBroken"file\n', /quote inside an unquoted cell/],
      ['', /empty/],
      [new Uint8Array([0x66, 0x61, 0x6d, 0x0a, 0xff, 0xfe, 0x0a]), /not UTF-8/],
    ];
    for (const [content, message] of cases) {
      const response = await requestWithFiles(test, acme, ImportPeople, { input: { file: null } }, {
        'input.file': new File([content], 'people.csv'),
      });
      const result = response.data?.importPeople;
      expect(result?.__typename).toBe('ValidationError');
      if (result?.__typename !== 'ValidationError') continue;
      expect(result.fieldErrors[0]!.path.slice(0, 2)).toEqual(['input', 'file']);
      expect(result.fieldErrors[0]!.message).toMatch(message);
    }
    expect(await test.prisma.import.count()).toBe(importsBefore);
    expect(await personCount(acme.organizationId)).toBe(peopleBefore);
  });

  it('imports 10,000 rows in one request', async () => {
    const lines = ['externalId,givenName,familyName,email,jobTitle'];
    for (let index = 0; index < 10_000; index++) {
      lines.push(`bulk-${index},Person ${index},Bulkimport,bulk${index}@bulk.test,Role ${index % 7}`);
    }
    const before = await personCount(acme.organizationId);
    const result = await importCsv(acme, lines.join('\n'));
    expect(result).toMatchObject({ import: { status: 'COMPLETED', totalRows: 10_000, createdCount: 10_000, failedCount: 0 } });
    expect(await personCount(acme.organizationId)).toBe(before + 10_000);
    const sample = await test.prisma.person.findFirst({ where: { organizationId: acme.organizationId, externalId: 'bulk-9999' } });
    expect(sample).toMatchObject({ givenName: 'Person 9999', emails: ['bulk9999@bulk.test'], jobTitle: 'Role 3' });
    const events = await test.prisma.timelineEvent.findMany({ where: { personId: sample!.id }, orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }] });
    expect(events.map((event) => event.type)).toEqual(['PERSON_CREATED', 'IMPORTED']);

    // The same file again: every row matches its person by external id and changes nothing.
    const again = await importCsv(acme, lines.join('\n'));
    expect(again).toMatchObject({ import: { totalRows: 10_000, createdCount: 0, unchangedCount: 10_000, failedCount: 0 } });
    expect(await personCount(acme.organizationId)).toBe(before + 10_000);
  }, 600_000);
});

describe('imports', () => {
  it('lists your imports newest first, and node(id) finds only yours', async () => {
    const first = await imported(globex, [{ familyName: 'Globexfirst' }]);
    const second = await imported(globex, [{ familyName: 'Globexsecond' }, { familyName: 'Globexthird' }]);
    const { imports } = await globex.request(Imports, { first: 1 });
    expect(imports.totalCount).toBe(2);
    expect(imports.nodes).toEqual([{ id: second.id, totalRows: 2, dryRun: false }]);
    const next = await globex.request(Imports, { first: 1, after: imports.pageInfo.endCursor });
    expect(next.imports.nodes).toEqual([{ id: first.id, totalRows: 1, dryRun: false }]);
    expect((await globex.request(ImportNode, { id: first.id })).node).toEqual({ __typename: 'Import', id: first.id, status: 'COMPLETED', totalRows: 1 });
    expect((await acme.request(ImportNode, { id: first.id })).node).toBeNull();
  });
});
