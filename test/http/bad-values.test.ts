import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { expectBadUserInput, expectNoErrors, pick, rawRequest } from '../support/raw.ts';

// Issue 10: the client's own bad values (U+0000, lone surrogates, impossible dates, tampered
// cursors, JSON nested 10,000 deep) are typed errors on every path, never masked ones, and
// nothing is written when they are refused.

const NUL = 'a\u0000b';
const LONE = 'a\uD800b';

let test: TestApp;
let acme: TestClient;
let personId: string;
let categoryId: string;
let tagId: string;

const send = (query: string, variables: Record<string, unknown> = {}, raw?: string) => rawRequest(test, acme, query, variables, raw);

async function counts() {
  const org = { where: { organizationId: acme.organizationId } };
  const [people, notes, tags, groups, fields, values, categories, events] = await Promise.all([
    test.prisma.person.count(org),
    test.prisma.note.count(org),
    test.prisma.tag.count(org),
    test.prisma.group.count(org),
    test.prisma.customField.count(org),
    test.prisma.personFieldValue.count(org),
    test.prisma.noteCategory.count(org),
    test.prisma.timelineEvent.count(org),
  ]);
  return { people, notes, tags, groups, fields, values, categories, events };
}

/** Runs `refused`, and asserts it wrote nothing at all. */
async function writesNothing<T>(refused: () => Promise<T>): Promise<T> {
  const before = await counts();
  const result = await refused();
  expect(await counts()).toEqual(before);
  return result;
}

const createPerson = `mutation($input: PersonInput!) {
  createPerson(input: $input) {
    __typename
    ... on CreatePersonSuccess { person { id birthday } }
    ... on ValidationError { fieldErrors { path message } }
  }
}`;

const setField = `mutation($personId: ID!, $field: String!, $value: JSON) {
  setPersonField(personId: $personId, field: $field, value: $value) {
    __typename
    ... on ValidationError { fieldErrors { path message } }
  }
}`;

const peopleCount = `query($filter: PersonFilter) { people(filter: $filter) { totalCount } }`;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
  const created = expectNoErrors(await send(createPerson, { input: { givenName: 'Ann', familyName: 'Lee' } }));
  personId = pick(created, 'createPerson.person.id') as string;
  const category = expectNoErrors(
    await send(`mutation { createNoteCategory(input: { title: "Calls" }) { ... on CreateNoteCategorySuccess { noteCategory { id } } } }`),
  );
  categoryId = pick(category, 'createNoteCategory.noteCategory.id') as string;
  const tag = expectNoErrors(await send(`mutation { createTag(input: { title: "Nickname", valueType: TEXT }) { ... on CreateTagSuccess { tag { id } } } }`));
  tagId = pick(tag, 'createTag.tag.id') as string;
  for (const [slug, type] of [['text', 'TEXT'], ['json', 'JSON'], ['day', 'DATE']] as const) {
    expectNoErrors(
      await send(`mutation($input: CreateCustomFieldInput!) { createCustomField(input: $input) { __typename } }`, {
        input: { title: slug, slug, type },
      }),
    );
  }
});
afterAll(() => test.close());

describe('U+0000 and lone surrogates in mutations: a ValidationError naming the path', () => {
  it.each([
    ['a name', { givenName: NUL, familyName: 'Lee' }, ['input', 'givenName']],
    ['a name (lone surrogate)', { familyName: LONE }, ['input', 'familyName']],
    ['an email', { familyName: 'Lee', emails: ['ok@example.org', `x${NUL}@example.org`] }, ['input', 'emails', '1']],
    ['a company name', { familyName: 'Lee', companies: [{ name: NUL }] }, ['input', 'companies', '0', 'name']],
    ['a custom field value', { familyName: 'Lee', fields: [{ field: 'text', value: NUL }] }, ['input', 'fields', '0', 'value']],
  ])('createPerson with %s', async (_what, input, path) => {
    const result = await writesNothing(() => send(createPerson, { input }));
    expect(pick(result.data, 'createPerson.__typename')).toBe('ValidationError');
    expect(pick(result.data, 'createPerson.fieldErrors')).toEqual([{ path, message: expect.stringMatching(/NUL|Unicode/) }]);
  });

  it('a literal in the document (an escape sequence) is refused the same way', async () => {
    const result = await writesNothing(() => send(`mutation { createPerson(input: { familyName: "a\\u0000b" }) { __typename } }`));
    expect(pick(result.data, 'createPerson.__typename')).toBe('ValidationError');
  });

  it.each([
    ['a note', `mutation($p: ID!, $c: ID!, $t: String) { createNote(personId: $p, input: { categoryId: $c, description: "x", title: $t }) { __typename ... on ValidationError { fieldErrors { path } } } }`, 'createNote', ['input', 'title']],
    ['a tag title', `mutation($t: String!) { createTag(input: { title: $t }) { __typename ... on ValidationError { fieldErrors { path } } } }`, 'createTag', ['input', 'title']],
    ['a group title', `mutation($t: String!) { createGroup(input: { title: $t }) { __typename ... on ValidationError { fieldErrors { path } } } }`, 'createGroup', ['input', 'title']],
    ['a note category', `mutation($t: String!) { createNoteCategory(input: { title: $t }) { __typename ... on ValidationError { fieldErrors { path } } } }`, 'createNoteCategory', ['input', 'title']],
    ['a field title', `mutation($t: String!) { createCustomField(input: { title: $t, slug: "s", type: TEXT }) { __typename ... on ValidationError { fieldErrors { path } } } }`, 'createCustomField', ['input', 'title']],
    ['a field addressed by slug', `mutation($p: ID!, $t: String!) { setPersonField(personId: $p, field: $t, value: "x") { __typename ... on ValidationError { fieldErrors { path } } } }`, 'setPersonField', ['field']],
    ['a tag value', `mutation($p: ID!, $tag: ID!, $t: JSON) { tagPerson(personId: $p, tagId: $tag, value: $t) { __typename ... on ValidationError { fieldErrors { path } } } }`, 'tagPerson', ['value']],
  ])('%s', async (_what, query, field, path) => {
    for (const bad of [NUL, LONE]) {
      const result = await writesNothing(() => send(query, { p: personId, c: categoryId, tag: tagId, t: bad }));
      expect(pick(result.data, `${field}.__typename`)).toBe('ValidationError');
      expect(pick(result.data, `${field}.fieldErrors`)).toEqual([{ path }]);
    }
  });

  it.each([
    ['a text value', 'text', NUL, ['value']],
    ['a JSON string', 'json', { list: ['ok', LONE] }, ['value', 'list', '1']],
    ['a JSON key', 'json', { [NUL]: 1 }, ['value', 'a\\u0000b']],
  ])('setPersonField with %s', async (_what, field, value, path) => {
    const result = await writesNothing(() => send(setField, { personId, field, value }));
    expect(pick(result.data, 'setPersonField.__typename')).toBe('ValidationError');
    expect((pick(result.data, 'setPersonField.fieldErrors') as unknown as { path: string[] }[]).map((error) => error.path)).toEqual([path]);
  });
});

describe('U+0000 and lone surrogates in queries: BAD_USER_INPUT naming the argument path', () => {
  it.each([
    ['q', { q: NUL }, ['filter', 'q']],
    ['q (lone surrogate)', { q: LONE }, ['filter', 'q']],
    ['emails', { emails: [NUL] }, ['filter', 'emails', '0']],
    ['identifiers', { identifiers: [LONE] }, ['filter', 'identifiers', '0']],
    ['a nested filter', { or: [{ q: 'ann' }, { not: { q: NUL } }] }, ['filter', 'or', '1', 'not', 'q']],
    ['customFields.contains', { customFields: [{ field: 'text', contains: NUL }] }, ['filter', 'customFields', '0', 'contains']],
    ['customFields.field', { customFields: [{ field: NUL, isSet: true }] }, ['filter', 'customFields', '0', 'field']],
    ['customFields.eq (a JSON key)', { customFields: [{ field: 'json', eq: { [NUL]: 1 } }] }, ['filter', 'customFields', '0', 'eq', 'a\\u0000b']],
  ])('people(filter.%s)', async (_what, filter, path) => {
    const fieldErrors = expectBadUserInput(await send(peopleCount, { filter }));
    expect(fieldErrors).toEqual([{ field: 'Query.people', path, message: expect.stringMatching(/NUL|Unicode/) }]);
  });

  it('a NUL written as an escape in the document', async () => {
    const fieldErrors = expectBadUserInput(await send(`{ people(filter: { q: "a\\u0000" }) { totalCount } }`));
    expect(fieldErrors).toEqual([expect.objectContaining({ path: ['filter', 'q'] })]);
  });

  it.each([
    ['customField(idOrSlug)', `query($t: String!) { customField(idOrSlug: $t) { id } }`, 'Query.customField', ['idOrSlug']],
    ['Person.field(idOrSlug), nested', `query($p: ID!, $t: String!) { person(id: $p) { field(idOrSlug: $t) { value } } }`, 'Person.field', ['idOrSlug']],
    ['Person.notes(filter.q), nested', `query($p: ID!, $t: String) { person(id: $p) { notes(filter: { q: $t }) { totalCount } } }`, 'Person.notes', ['filter', 'q']],
    ['tags(filter.title)', `query($t: String) { tags(filter: { title: $t }) { totalCount } }`, 'Query.tags', ['filter', 'title']],
    ['groups(filter.title)', `query($t: String) { groups(filter: { title: $t }) { totalCount } }`, 'Query.groups', ['filter', 'title']],
    ['node(id)', `query($t: ID!) { node(id: $t) { id } }`, 'Query.node', ['id']],
    ['a variable default', `query($p: ID!, $t: String = "a\\u0000") { person(id: $p) { field(idOrSlug: $t) { value } } }`, 'Person.field', ['idOrSlug']],
  ])('%s', async (_what, query, field, path) => {
    for (const bad of [NUL, LONE]) {
      const variables: Record<string, unknown> = { p: personId };
      if (!query.includes('$t: String =')) variables.t = bad;
      const result = await send(query, variables);
      const fieldErrors = expectBadUserInput(result);
      expect(fieldErrors, JSON.stringify(result)).toEqual([{ field, path, message: expect.any(String) }]);
    }
  });
});

const importRows = `mutation($rows: [ImportRowInput!]!) {
  importPeople(input: { rows: $rows, matchOn: [] }) {
    __typename
    ... on ImportPeopleSuccess { import { createdCount failedCount rowErrors { row errors { path message } } } }
    ... on ValidationError { fieldErrors { path message } }
  }
}`;

describe('imports: a bad row fails alone', () => {
  it('rows given as input', async () => {
    const before = await counts();
    const result = await send(importRows, {
      rows: [
        { familyName: 'Row one' },
        { familyName: 'Row two', givenName: NUL },
        { familyName: 'Row three', emails: [`x${LONE}@example.org`] },
        { familyName: 'Row four', fields: [{ field: 'json', value: { [NUL]: 1 } }] },
        { familyName: 'Row five' },
      ],
    });
    const record = pick(expectNoErrors(result), 'importPeople.import');
    expect(pick(record, 'createdCount')).toBe(2);
    expect(pick(record, 'failedCount')).toBe(3);
    expect(pick(record, 'rowErrors')).toEqual([
      { row: 2, errors: [{ path: ['givenName'], message: expect.stringContaining('NUL') }] },
      { row: 3, errors: [{ path: ['emails', '0'], message: expect.stringContaining('Unicode') }] },
      { row: 4, errors: [{ path: ['fields', '0', 'value', 'a\\u0000b'], message: expect.stringContaining('NUL') }] },
    ]);
    expect((await counts()).people).toBe(before.people + 2);
    const names = await test.prisma.person.findMany({ where: { familyName: { startsWith: 'Row ' } }, select: { familyName: true } });
    expect(names.map((row) => row.familyName).sort()).toEqual(['Row five', 'Row one']);
  });

  it('a CSV upload', async () => {
    const csv = [
      'familyName,givenName,birthday,field:json',
      'Csv one,Ann,0001-01-01,',
      `Csv two,A\u0000nn,,`,
      'Csv three,,,"{""a\\u0000"": 1}"',
      `Csv four,,,"${'['.repeat(10_000)}1${']'.repeat(10_000)}"`,
      'Csv five,,0099-12-31,',
    ].join('\n');
    const form = new FormData();
    const query = `mutation($f: File!) { importPeople(input: { file: $f, matchOn: [] }) { __typename ... on ImportPeopleSuccess { import { createdCount failedCount rowErrors { row errors { path message } } } } } }`;
    form.append('operations', JSON.stringify({ query, variables: { f: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.f'] }));
    form.append('0', new Blob([csv], { type: 'text/csv' }), 'people.csv');
    const response = await test.app.fetch('http://test/graphql', { method: 'POST', headers: { authorization: `Bearer ${acme.apiKey}` }, body: form });
    const body = (await response.json()) as { data: unknown; errors?: unknown };
    expect(body.errors).toBeUndefined();
    const record = pick(body.data, 'importPeople.import');
    expect(pick(record, 'createdCount')).toBe(2);
    expect(pick(record, 'failedCount')).toBe(3);
    expect(pick(record, 'rowErrors')).toEqual([
      { row: 2, errors: [{ path: ['givenName'], message: expect.stringContaining('NUL') }] },
      { row: 3, errors: [{ path: ['json', 'a\\u0000'], message: expect.stringContaining('NUL') }] },
      { row: 4, errors: [{ path: ['fields', '0', 'value', ...Array.from({ length: 20 }, () => '0')], message: expect.stringContaining('nests deeper') }] },
    ]);
    const people = await test.prisma.person.findMany({ where: { familyName: { startsWith: 'Csv ' } }, select: { familyName: true, birthday: true } });
    expect(people.map((row) => [row.familyName, row.birthday?.toISOString()]).sort()).toEqual([
      ['Csv five', '0099-12-31T00:00:00.000Z'],
      ['Csv one', '0001-01-01T00:00:00.000Z'],
    ]);
  });
});

describe('dates: 0001-01-01 to 9999-12-31, and nothing else', () => {
  it.each(['0001-01-01', '0050-03-04', '0099-12-31', '9999-12-31'])('a birthday of %s is stored and reads back equal', async (birthday) => {
    const result = expectNoErrors(await send(createPerson, { input: { familyName: 'Old', birthday } }));
    expect(pick(result, 'createPerson.person.birthday')).toBe(birthday);
    const read = expectNoErrors(await send(`query($id: ID!) { person(id: $id) { birthday } }`, { id: pick(result, 'createPerson.person.id') }));
    expect(pick(read, 'person.birthday')).toBe(birthday);
  });

  it.each(['0000-01-01', '10000-01-01', '-0001-01-01', '2023-02-29', '0001-00-01'])('a birthday of %s is BAD_USER_INPUT', async (birthday) => {
    const result = await writesNothing(() => send(createPerson, { input: { familyName: 'Old', birthday } }));
    expectBadUserInput(result);
    expect(result.errors![0]!.message).toContain('input.birthday');
  });

  it('a backdated note of year 1 is stored and reads back equal; year 0 is refused', async () => {
    const createNote = `mutation($p: ID!, $c: ID!, $at: DateTime) {
      createNote(personId: $p, input: { categoryId: $c, description: "old", createdAt: $at }) {
        __typename ... on CreateNoteSuccess { note { id createdAt } }
      }
    }`;
    const created = expectNoErrors(await send(createNote, { p: personId, c: categoryId, at: '0001-01-01T00:00:00.000Z' }));
    expect(pick(created, 'createNote.note.createdAt')).toBe('0001-01-01T00:00:00.000Z');
    const read = expectNoErrors(await send(`query($id: ID!) { note(id: $id) { createdAt } }`, { id: pick(created, 'createNote.note.id') }));
    expect(pick(read, 'note.createdAt')).toBe('0001-01-01T00:00:00.000Z');
    for (const at of ['0000-06-01T00:00:00Z', '0001-01-01T00:00:00+01:00', '+010000-01-01T00:00:00Z', '2026-02-30T00:00:00Z']) {
      expectBadUserInput(await writesNothing(() => send(createNote, { p: personId, c: categoryId, at })));
    }
  });

  it('createdAt filters and timeline ranges take year 1 and refuse year 0', async () => {
    const all = expectNoErrors(await send(peopleCount, { filter: { createdAt: { after: '0001-01-01T00:00:00Z' } } }));
    expect(pick(all, 'people.totalCount')).toBeGreaterThan(0);
    expectBadUserInput(await send(peopleCount, { filter: { createdAt: { before: '0000-12-31T00:00:00Z' } } }));
    expectBadUserInput(await send(`{ people(filter: { updatedAt: { after: "0000-01-01T00:00:00Z" } }) { totalCount } }`));
    const timeline = `query($p: ID!, $after: DateTime) { person(id: $p) { timeline(occurredAfter: $after) { totalCount } } }`;
    expect(pick(expectNoErrors(await send(timeline, { p: personId, after: '0001-01-01T00:00:00Z' })), 'person.timeline.totalCount')).toBeGreaterThan(0);
    expectBadUserInput(await send(timeline, { p: personId, after: '0000-01-01T00:00:00Z' }));
  });

  it('custom field DATE values take years 0001 to 0099 and refuse year 0', async () => {
    for (const value of ['0001-01-01', '0099-12-31']) {
      expect(pick(expectNoErrors(await send(setField, { personId, field: 'day', value })), 'setPersonField.__typename')).toBe('SetPersonFieldSuccess');
    }
    const refused = await writesNothing(() => send(setField, { personId, field: 'day', value: '0000-01-01' }));
    expect(pick(refused.data, 'setPersonField.__typename')).toBe('ValidationError');
  });
});

describe('JSON nested 10,000 deep', () => {
  const deep = `${'['.repeat(10_000)}1${']'.repeat(10_000)}`;

  it('as a custom field value: refused with BAD_USER_INPUT, nothing written', async () => {
    const result = await writesNothing(() => send(setField, { personId, field: 'json', value: '__RAW__' }, deep));
    expectBadUserInput(result);
    // Refused by the request's own nesting bound (64), before the scalar's (32) is reached.
    expect(result.errors![0]!.message).toContain('more than 64 levels deep');
  });

  it('25 deep (within the scalar, beyond a field value) is the field ValidationError', async () => {
    const result = await writesNothing(() => send(setField, { personId, field: 'json', value: '__RAW__' }, `${'['.repeat(25)}1${']'.repeat(25)}`));
    expect(pick(result.data, 'setPersonField.__typename')).toBe('ValidationError');
  });

  it('in a filter, literal or variable', async () => {
    expectBadUserInput(await send(peopleCount, { filter: { customFields: [{ field: 'json', eq: '__RAW__' }] } }, deep));
    const literal = `${'['.repeat(40)}1${']'.repeat(40)}`;
    expectBadUserInput(await send(`{ people(filter: { customFields: [{ field: "json", eq: ${literal} }] }) { totalCount } }`));
  });
});

describe('tampered cursors: BAD_USER_INPUT, never a masked error', () => {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const decode = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s: string; k: unknown[] };
  const peoplePage = `query($after: String, $before: String, $orderBy: [PersonOrder!], $filter: PersonFilter) {
    people(first: 1, after: $after, orderBy: $orderBy, filter: $filter) { pageInfo { endCursor } edges { node { id } } }
    backwards: people(last: 1, before: $before, orderBy: $orderBy, filter: $filter) { totalCount }
  }`;

  async function cursorOf(variables: Record<string, unknown>) {
    expectNoErrors(await send(createPerson, { input: { givenName: 'Cursor', familyName: 'Second' } }));
    return decode(pick(expectNoErrors(await send(peoplePage, variables)), 'people.pageInfo.endCursor') as string);
  }

  it('on people, ordered (created, id) and by family name', async () => {
    const { s, k } = await cursorOf({});
    const [createdAt, id] = k;
    // The genuine cursor works.
    expectNoErrors(await send(peoplePage, { after: encode({ s, k }) }));
    const tampered: [string, unknown][] = [
      ['a number for a date', { s, k: [12, id] }],
      ['null for a required date', { s, k: [null, id] }],
      ['a date that is not one', { s, k: ['not a date', id] }],
      ['year 0', { s, k: ['0000-01-01T00:00:00.000Z', id] }],
      ['year 10000', { s, k: ['+010000-01-01T00:00:00.000Z', id] }],
      ['an id that is not a uuid', { s, k: [createdAt, 'not-a-uuid'] }],
      ['a NUL in the id', { s, k: [createdAt, `${id}\u0000`] }],
      ['an object', { s, k: [{ gt: createdAt }, id] }],
      ['a list', { s, k: [[createdAt], id] }],
      ['a boolean', { s, k: [true, id] }],
      ['a huge number', { s, k: [1e308, id] }],
      ['missing values', { s }],
      ['too few values', { s, k: [createdAt] }],
      ['too many values', { s, k: [createdAt, id, id] }],
      ['an extra key', { s, k, more: 1 }],
      ['not an object', [s, k]],
    ];
    for (const [what, value] of tampered) {
      for (const argument of ['after', 'before']) {
        const answer = await send(peoplePage, { [argument]: encode(value) });
        expect(answer.errors, `${what} as ${argument}`).toBeDefined();
        const fieldErrors = expectBadUserInput(answer);
        expect(fieldErrors, what).toEqual([{ path: [argument], message: expect.any(String) }]);
      }
    }
    const byName = await cursorOf({ orderBy: [{ field: 'GIVEN_NAME' }] });
    for (const bad of [NUL, LONE, 42]) {
      const after = encode({ s: byName.s, k: [bad, byName.k[1]] });
      expectBadUserInput(await send(peoplePage, { orderBy: [{ field: 'GIVEN_NAME' }], after }));
    }
    // A nullable column takes null.
    expectNoErrors(await send(peoplePage, { orderBy: [{ field: 'GIVEN_NAME' }], after: encode({ s: byName.s, k: [null, byName.k[1]] }) }));
  });

  it('on people, ranked by a search', async () => {
    const filter = { q: 'cursor' };
    const { s, k } = await cursorOf({ filter });
    expectNoErrors(await send(peoplePage, { filter, after: encode({ s, k }) }));
    for (const rank of [1e308, -1, 'high', null, '0.5']) {
      expectBadUserInput(await send(peoplePage, { filter, after: encode({ s, k: [rank, k[1]] }) }));
    }
  });

  it('on the library connections (tags, a person\'s tags, companies)', async () => {
    const gpc = (chunk: string) => Buffer.from(`GPC:${chunk}`).toString('base64');
    const uuid = '01a2b3c4-0000-7000-8000-000000000000';
    const tags = `query($after: String) { tags(first: 1, after: $after) { totalCount } }`;
    const personTags = `query($p: ID!, $after: String) { person(id: $p) { tags(first: 1, after: $after) { totalCount } } }`;
    const companies = `query($p: ID!, $after: String) { person(id: $p) { companies(first: 1, after: $after) { totalCount } } }`;
    expectNoErrors(await send(tags, { after: gpc(`S:${uuid}`) }));
    expectNoErrors(await send(personTags, { p: personId, after: gpc(`T:${JSON.stringify([`S:${uuid}`, `S:${uuid}`])}`) }));
    const single = [`S:not-a-uuid`, `S:${uuid}\u0000`, 'N:5', 'O:{"a":1}', 'D:0', 'Z:', `T:${JSON.stringify([`S:${uuid}`])}`, 'garbage', ''];
    for (const chunk of single) {
      const fieldErrors = expectBadUserInput(await send(tags, { after: gpc(chunk) }));
      expect(fieldErrors).toEqual([expect.objectContaining({ field: 'Query.tags', path: ['after'] })]);
    }
    const composite = [`S:${uuid}`, `T:${JSON.stringify([`S:${uuid}`])}`, `T:${JSON.stringify([`S:${uuid}`, 'N:1'])}`, `T:${JSON.stringify([`S:${uuid}`, `S:x`])}`, 'T:{}'];
    for (const chunk of composite) {
      const fieldErrors = expectBadUserInput(await send(personTags, { p: personId, after: gpc(chunk) }));
      expect(fieldErrors).toEqual([expect.objectContaining({ field: 'Person.tags', path: ['after'] })]);
    }
    expectNoErrors(await send(companies, { p: personId, after: Buffer.from('OffsetConnection:0').toString('base64') }));
    for (const cursor of [Buffer.from('OffsetConnection:-1').toString('base64'), Buffer.from('OffsetConnection:1e99').toString('base64'), gpc(`S:${uuid}`)]) {
      expectBadUserInput(await send(companies, { p: personId, after: cursor }));
    }
  });
});
