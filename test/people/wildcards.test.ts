import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { expectNoErrors, pick, rawRequest } from '../support/raw.ts';

// Issue 10: `%`, `_` and `\` in a search or a contains filter match themselves, not anything
// (Prisma hands them to LIKE/ILIKE as they are).

let test: TestApp;
let acme: TestClient;
let personId: string;

const send = (query: string, variables: Record<string, unknown> = {}) => rawRequest(test, acme, query, variables);
const data = async (query: string, variables: Record<string, unknown> = {}) => expectNoErrors(await send(query, variables));
const titles = (connection: unknown) => (pick(connection, 'nodes') as { title: string }[]).map((node) => node.title).sort();

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
  const people = [
    { givenName: 'Percent', familyName: '50%off', jobTitle: 'Sells at 50%' },
    { givenName: 'Under', familyName: 'a_b' },
    { givenName: 'Slash', familyName: 'back\\slash' },
    { givenName: 'Plain', familyName: 'Abb' },
  ];
  for (const input of people) {
    const created = await data(`mutation($input: PersonInput!) { createPerson(input: $input) { ... on CreatePersonSuccess { person { id } } } }`, { input });
    personId ??= pick(created, 'createPerson.person.id') as string;
  }
  await data(`mutation { createCustomField(input: { title: "Motto", slug: "motto", type: TEXT }) { __typename } }`);
  const ids = (pick(await data(`{ people(first: 10) { nodes { id familyName } } }`), 'people.nodes') as { id: string; familyName: string }[]);
  const mottos: Record<string, string> = { '50%off': '100% sure', a_b: 'snake_case', 'back\\slash': 'C:\\temp', Abb: 'say "hi"' };
  for (const { id, familyName } of ids) {
    await data(`mutation($p: ID!, $v: JSON) { setPersonField(personId: $p, field: "motto", value: $v) { __typename } }`, { p: id, v: mottos[familyName] });
  }
  const category = await data(`mutation { createNoteCategory(input: { title: "Calls" }) { ... on CreateNoteCategorySuccess { noteCategory { id } } } }`);
  for (const title of ['100% done', 'snake_case', 'C:\\temp', 'plain']) {
    await data(`mutation($p: ID!, $c: ID!, $t: String) { createNote(personId: $p, input: { categoryId: $c, title: $t, description: "x" }) { __typename } }`, {
      p: personId,
      c: pick(category, 'createNoteCategory.noteCategory.id'),
      t: title,
    });
  }
  for (const title of ['50% club', 'a_b', 'back\\slash', 'Plain']) {
    await data(`mutation($t: String!) { createTag(input: { title: $t }) { __typename } }`, { t: title });
    await data(`mutation($t: String!) { createGroup(input: { title: $t }) { __typename } }`, { t: title });
  }
});
afterAll(() => test.close());

describe('people(filter.q)', () => {
  const names = async (q: string, orderBy?: unknown) =>
    (pick(await data(`query($f: PersonFilter, $o: [PersonOrder!]) { people(filter: $f, orderBy: $o) { nodes { familyName } } }`, { f: { q }, o: orderBy }), 'people.nodes') as {
      familyName: string;
    }[])
      .map((node) => node.familyName)
      .sort();

  it.each([
    ['%', []],
    ['_', []],
    ['\\', []],
    ['50%', ['50%off']],
    ['a_', ['a_b']],
    ['back\\', ['back\\slash']],
    ['ab', ['Abb']],
  ])('%s finds only what it says (ranked and ordered)', async (q, expected) => {
    expect(await names(q)).toEqual(expected);
    expect(await names(q, [{ field: 'FAMILY_NAME' }])).toEqual(expected);
  });
});

it('customFields.contains on text', async () => {
  const names = async (contains: string) =>
    (pick(await data(`query($f: PersonFilter) { people(filter: $f) { nodes { familyName } } }`, { f: { customFields: [{ field: 'motto', contains }] } }), 'people.nodes') as {
      familyName: string;
    }[])
      .map((node) => node.familyName)
      .sort();
  expect(await names('%')).toEqual(['50%off']);
  expect(await names('_')).toEqual(['a_b']);
  expect(await names('\\')).toEqual(['back\\slash']);
  expect(await names(':\\t')).toEqual(['back\\slash']);
  // The value is matched as text, not as its JSON (whose quotes every value has).
  expect(await names('"')).toEqual(['Abb']);
  expect(await names('e_c')).toEqual(['a_b']);
  expect(await names('xyz')).toEqual([]);
});

it("a person's notes(filter.q)", async () => {
  const found = async (q: string) => titles(pick(await data(`query($p: ID!, $q: String) { person(id: $p) { notes(filter: { q: $q }) { nodes { title } } } }`, { p: personId, q }), 'person.notes'));
  expect(await found('%')).toEqual(['100% done']);
  expect(await found('_')).toEqual(['snake_case']);
  expect(await found('\\')).toEqual(['C:\\temp']);
  expect(await found('PLAIN')).toEqual(['plain']);
});

it('tags(filter.title) and groups(filter.title)', async () => {
  for (const list of ['tags', 'groups']) {
    const found = async (title: string) => titles(pick(await data(`query($t: String) { ${list}(filter: { title: $t }) { nodes { title } } }`, { t: title }), list));
    expect(await found('%')).toEqual(['50% club']);
    expect(await found('_')).toEqual(['a_b']);
    expect(await found('\\')).toEqual(['back\\slash']);
    expect(await found('plain')).toEqual(['Plain']);
  }
});

it('a title is unique whatever its case, and "%" or "_" clash with nothing else', async () => {
  const create = async (title: string) =>
    pick(await data(`mutation($t: String!) { createNoteCategory(input: { title: $t }) { __typename } }`, { t: title }), 'createNoteCategory.__typename');
  expect(await create('%')).toBe('CreateNoteCategorySuccess');
  expect(await create('_alls')).toBe('CreateNoteCategorySuccess');
  expect(await create('CALLS')).toBe('ConflictError');
  expect(await test.prisma.noteCategory.count({ where: { organizationId: acme.organizationId } })).toBe(3);
  const group = async (title: string) =>
    pick(await data(`mutation($t: String!) { createGroupCategory(input: { title: $t }) { __typename } }`, { t: title }), 'createGroupCategory.__typename');
  expect(await group('Region')).toBe('CreateGroupCategorySuccess');
  expect(await group('%')).toBe('CreateGroupCategorySuccess');
  expect(await group('R_GION')).toBe('CreateGroupCategorySuccess');
  expect(await group('region')).toBe('ConflictError');
});
