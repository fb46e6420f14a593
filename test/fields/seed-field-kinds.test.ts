import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { CreateCustomField, createField, createGroupDirectly, createPersonId, SetPersonField } from '../support/fields.ts';

// Seed 003 (folk): the magicField and objectField value kinds, "magicField: string, eg: "foo"" and
// "objectField: array of objects with id property, eg: [{"id": "obj_2f62…"}]", with "a null value
// or an empty array will unset the custom field value".

const KindValue = graphql(`
  query KindValue($id: ID!, $field: String!) {
    person(id: $id) {
      field(idOrSlug: $field) {
        value
        field { slug type }
        typedValue {
          __typename
          ... on MagicValue { text }
          ... on ObjectValue { objects { id } }
        }
      }
    }
  }
`);

const CreatePersonWithKinds = graphql(`
  mutation CreatePersonWithKinds($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const PeopleByKinds = graphql(`
  query PeopleByKinds($filter: PersonFilter) {
    people(filter: $filter, first: 100) { nodes { familyName } }
  }
`);

let test: TestApp;
let acme: TestClient;
const objectA = 'obj_2f62707c-52c0-421a-a11f-68e1ce9610f4';
const objectB = 'obj_7d3b1f0e-9a2c-4c55-8f11-0f6a2b7c9e01';

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
  await createField(acme, { title: 'Summary', slug: 'summary', type: 'MAGIC' });
  await createField(acme, { title: 'Deals', slug: 'deals', type: 'OBJECT' });
});
afterAll(() => test?.close());

async function set(personId: string, field: string, value: unknown) {
  return (await acme.request(SetPersonField, { personId, field, value })).setPersonField;
}

async function read(personId: string, field: string) {
  return (await acme.request(KindValue, { id: personId, field })).person?.field ?? null;
}

/** What a refusal must leave as it was: every value and every timeline event. */
const written = async () => ({
  values: await test.prisma.personFieldValue.count(),
  events: await test.prisma.timelineEvent.count(),
});

describe('Seed 003 custom-field kinds: definitions', () => {
  it('defines magicField (MAGIC) and objectField (OBJECT) fields, which take no options', async () => {
    const magic = await createField(acme, { title: 'Pitch', type: 'MAGIC' });
    const object = await createField(acme, { title: 'Orders', type: 'OBJECT' });
    expect(magic).toMatchObject({ slug: 'pitch', type: 'MAGIC', options: [] });
    expect(object).toMatchObject({ slug: 'orders', type: 'OBJECT', options: [] });

    const before = await test.prisma.customField.count();
    const { createCustomField } = await acme.request(CreateCustomField, {
      input: { title: 'Opted', type: 'OBJECT', options: ['A'] },
    });
    expect(createCustomField).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'options'], message: 'Only SINGLE_SELECT and MULTIPLE_SELECT fields have options.' }],
    });
    expect(await test.prisma.customField.count()).toBe(before);
  });
});

describe('Seed 003 custom-field kinds: magicField takes a string', () => {
  it('a magicField takes a string such as "foo", stored as that string and read back as a MagicValue', async () => {
    const person = await createPersonId(acme, { familyName: 'Magic' });
    expect((await set(person, 'summary', '  foo  ')).__typename).toBe('SetPersonFieldSuccess');
    expect(await read(person, 'summary')).toEqual({
      value: 'foo',
      field: { slug: 'summary', type: 'MAGIC' },
      typedValue: { __typename: 'MagicValue', text: 'foo' },
    });
  });

  it.each([[42], [true], [['foo']], [{ text: 'foo' }], ['x'.repeat(5001)]])(
    'a magicField refuses %j that is not a string of at most 5000 characters, with a ValidationError at the value, and writes nothing',
    async (value) => {
      const person = await createPersonId(acme, { familyName: 'Unmagic' });
      const before = await written();
      const result = await set(person, 'summary', value);
      expect(result).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['value'] }] });
      expect(result.__typename === 'ValidationError' && result.fieldErrors[0]!.message).toMatch(/^Field "summary" takes/);
      expect(await written()).toEqual(before);
      expect(await read(person, 'summary')).toBeNull();
    },
  );

  it('a magicField is unset by null or an empty string', async () => {
    const person = await createPersonId(acme, { familyName: 'Unset magic' });
    for (const empty of [null, '']) {
      expect((await set(person, 'summary', 'foo')).__typename).toBe('SetPersonFieldSuccess');
      expect((await set(person, 'summary', empty)).__typename).toBe('SetPersonFieldSuccess');
      expect(await read(person, 'summary')).toBeNull();
    }
  });
});

describe('Seed 003 custom-field kinds: objectField takes objects with an id', () => {
  it('an objectField takes [{ id }] objects, stored as the list of ids and read back as objects with their ids, in order', async () => {
    const person = await createPersonId(acme, { familyName: 'Objects' });
    expect((await set(person, 'deals', [{ id: objectB }, { id: objectA }])).__typename).toBe('SetPersonFieldSuccess');
    expect(await read(person, 'deals')).toEqual({
      value: [objectB, objectA],
      field: { slug: 'deals', type: 'OBJECT' },
      typedValue: { __typename: 'ObjectValue', objects: [{ id: objectB }, { id: objectA }] },
    });
  });

  it.each([
    ['a bare object, not a list', { id: objectA }, ['value']],
    ['a number', 42, ['value']],
    ['an object without an id', [{ name: 'Deal' }], ['value', '0']],
    ['an id with another key beside it', [{ id: objectA, name: 'Deal' }], ['value', '0']],
    ['an id that is not a string', [{ id: objectA }, { id: 7 }], ['value', '1']],
    ['a blank id', [{ id: '  ' }], ['value', '0']],
    ['an id over 200 characters', [{ id: 'x'.repeat(201) }], ['value', '0']],
    ['the same id twice', [{ id: objectA }, { id: objectA }], ['value', '1']],
  ])('an objectField refuses %s with a ValidationError at its path, and writes nothing', async (_what, value, path) => {
    const person = await createPersonId(acme, { familyName: 'Bad objects' });
    expect((await set(person, 'deals', [{ id: objectA }])).__typename).toBe('SetPersonFieldSuccess');
    const before = await written();
    const result = await set(person, 'deals', value);
    expect(result).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path }] });
    expect(await written()).toEqual(before);
    expect((await read(person, 'deals'))?.value).toEqual([objectA]);
  });

  it('an objectField is unset by null or an empty array', async () => {
    const person = await createPersonId(acme, { familyName: 'Unset objects' });
    for (const empty of [null, []]) {
      expect((await set(person, 'deals', [{ id: objectA }])).__typename).toBe('SetPersonFieldSuccess');
      expect((await set(person, 'deals', empty)).__typename).toBe('SetPersonFieldSuccess');
      expect(await read(person, 'deals')).toBeNull();
    }
  });
});

describe('Seed 003 custom-field kinds: in customFieldValues grouped by group', () => {
  it("createPerson takes magic and object values grouped by one of the person's groups, and refuses bad ones at their path writing nothing", async () => {
    const group = await createGroupDirectly(test, acme, 'Sales');
    await createField(acme, { title: 'Sales summary', slug: 'sales-summary', type: 'MAGIC', groupId: group });
    await createField(acme, { title: 'Sales deals', slug: 'sales-deals', type: 'OBJECT', groupId: group });
    const input = (summary: unknown, deals: unknown) => ({
      familyName: 'Grouped',
      groups: [group],
      fieldsByGroup: [{ groupId: group, values: [{ field: 'sales-summary', value: summary }, { field: 'sales-deals', value: deals }] }],
    });

    const people = await test.prisma.person.count();
    const before = await written();
    const { createPerson: refused } = await acme.request(CreatePersonWithKinds, { input: input(['foo'], [{ id: objectA }, objectA]) });
    expect(refused).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [
        { path: ['input', 'fieldsByGroup', '0', 'values', '0', 'value'] },
        { path: ['input', 'fieldsByGroup', '0', 'values', '1', 'value', '1'] },
      ],
    });
    expect(await test.prisma.person.count()).toBe(people);
    expect(await written()).toEqual(before);

    const { createPerson } = await acme.request(CreatePersonWithKinds, { input: input('foo', [{ id: objectA }]) });
    if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(JSON.stringify(createPerson));
    expect((await read(createPerson.person.id, 'sales-summary'))?.typedValue).toEqual({ __typename: 'MagicValue', text: 'foo' });
    expect((await read(createPerson.person.id, 'sales-deals'))?.typedValue).toEqual({ __typename: 'ObjectValue', objects: [{ id: objectA }] });
  });
});

describe('Seed 003 custom-field kinds: people filter', () => {
  it('customFields finds magic values by eq and contains, and object values by the id they contain, and isSet', async () => {
    const filterOrg = await createOrgClient(test, 'Filters');
    await createField(filterOrg, { title: 'Summary', slug: 'summary', type: 'MAGIC' });
    await createField(filterOrg, { title: 'Deals', slug: 'deals', type: 'OBJECT' });
    const ada = await createPersonId(filterOrg, { familyName: 'Ada' });
    const bo = await createPersonId(filterOrg, { familyName: 'Bo' });
    await createPersonId(filterOrg, { familyName: 'Cy' });
    const setIn = async (personId: string, field: string, value: unknown) =>
      expect((await filterOrg.request(SetPersonField, { personId, field, value })).setPersonField.__typename).toBe('SetPersonFieldSuccess');
    await setIn(ada, 'summary', 'Likes sailing');
    await setIn(bo, 'summary', 'Likes golf');
    await setIn(ada, 'deals', [{ id: objectA }, { id: objectB }]);
    await setIn(bo, 'deals', [{ id: objectB }]);

    const names = async (customFields: object[]) =>
      (await filterOrg.request(PeopleByKinds, { filter: { customFields } as never })).people.nodes.map((p) => p.familyName).sort();
    expect(await names([{ field: 'summary', eq: 'Likes golf' }])).toEqual(['Bo']);
    expect(await names([{ field: 'summary', contains: 'sail' }])).toEqual(['Ada']);
    expect(await names([{ field: 'deals', contains: objectA }])).toEqual(['Ada']);
    expect(await names([{ field: 'deals', contains: objectB }])).toEqual(['Ada', 'Bo']);
    expect(await names([{ field: 'deals', isSet: false }])).toEqual(['Cy']);
  });
});
