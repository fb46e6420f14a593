import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { GroupFieldValuesInput, PersonInput, UpdatePersonInput } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import {
  createField,
  createGroupDirectly,
  createPersonId,
  databaseId,
  globalId,
  PersonField,
  PersonFieldList,
} from '../support/fields.ts';

// Seed 003's grouped values (setPersonFields) and the groups and values of the person inputs.

const SetPersonFields = graphql(`
  mutation SetPersonFields($personId: ID!, $groups: [GroupFieldValuesInput!]!) {
    setPersonFields(personId: $personId, groups: $groups) {
      __typename
      ... on SetPersonFieldsSuccess { person { id } }
      ... on ValidationError { fieldErrors { path message } }
      ... on NotFoundError { resource }
    }
  }
`);

const CreatePersonWithFields = graphql(`
  mutation CreatePersonWithFields($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id fields(first: 20) { edges { node { field { slug } value } } } } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const ReplacePersonWithFields = graphql(`
  mutation ReplacePersonWithFields($id: ID!, $input: PersonInput!) {
    replacePerson(id: $id, input: $input) {
      __typename
      ... on ReplacePersonSuccess { person { id } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const UpdatePersonWithFields = graphql(`
  mutation UpdatePersonWithFields($id: ID!, $input: UpdatePersonInput!) {
    updatePerson(id: $id, input: $input) {
      __typename
      ... on UpdatePersonSuccess { person { id } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

let test: TestApp;
let acme: TestClient;
let engineering: string;
let sales: string;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
  // Groups straight in the database until the groups API lands (see createGroupDirectly).
  engineering = await createGroupDirectly(test, acme, 'Engineering');
  sales = await createGroupDirectly(test, acme, 'Sales');
  await createField(acme, { title: 'Status', type: 'SINGLE_SELECT', options: ['Active', 'Inactive'], groupId: engineering });
  await createField(acme, { title: 'Programming languages', type: 'MULTIPLE_SELECT', options: ['Javascript', 'Python'], groupId: engineering });
  await createField(acme, { title: 'Favorite number', type: 'NUMBER', groupId: sales });
  await createField(acme, { title: 'Nickname', type: 'TEXT' });
});
afterAll(() => test?.close());

async function values(personId: string) {
  const list = await acme.request(PersonFieldList, { id: personId, first: 50 });
  return Object.fromEntries(list.person!.fields.edges.map((edge) => [edge.node.field.slug, edge.node.value]));
}

async function setGrouped(personId: string, groups: GroupFieldValuesInput[]) {
  return (await acme.request(SetPersonFields, { personId, groups })).setPersonFields;
}

async function member(...groups: string[]) {
  return createPersonId(acme, { familyName: 'Member', groups });
}

const paths = (result: { __typename: string; fieldErrors?: { path: string[] }[] }) => result.fieldErrors?.map((error) => error.path);

describe('Mutation.setPersonFields', () => {
  it('sets values grouped by the groups the person is in, and unsets with null or []', async () => {
    const person = await member(engineering, sales);
    const result = await setGrouped(person, [
      { groupId: engineering, values: [{ field: 'status', value: 'Active' }, { field: 'programming-languages', value: ['Javascript', 'Python'] }] },
      { groupId: sales, values: [{ field: 'favorite-number', value: '42' }] },
    ]);
    expect(result).toEqual({ __typename: 'SetPersonFieldsSuccess', person: { id: person } });
    expect(await values(person)).toEqual({ status: 'Active', 'programming-languages': ['Javascript', 'Python'], 'favorite-number': 42 });
    await setGrouped(person, [{ groupId: engineering, values: [{ field: 'status', value: null }, { field: 'programming-languages', value: [] }] }]);
    expect(await values(person)).toEqual({ 'favorite-number': 42 });
  });

  it('refuses a group the person is not in, writing nothing of the whole call', async () => {
    const person = await member(engineering);
    const result = await setGrouped(person, [
      { groupId: engineering, values: [{ field: 'status', value: 'Active' }] },
      { groupId: sales, values: [{ field: 'favorite-number', value: 7 }] },
    ]);
    expect(paths(result)).toEqual([['groups', '1', 'groupId']]);
    expect(await values(person)).toEqual({});
  });

  it.each([
    ['a field of another group', () => [{ groupId: engineering, values: [{ field: 'favorite-number', value: 1 }] }], ['groups', '0', 'values', '0', 'field']],
    ['a field of no group', () => [{ groupId: engineering, values: [{ field: 'nickname', value: 'Al' }] }], ['groups', '0', 'values', '0', 'field']],
    ['an unknown field', () => [{ groupId: engineering, values: [{ field: 'no-such-field', value: 1 }] }], ['groups', '0', 'values', '0', 'field']],
    ['a field given twice', () => [{ groupId: engineering, values: [{ field: 'status', value: 'Active' }, { field: 'status', value: 'Inactive' }] }], ['groups', '0', 'values', '1', 'field']],
    ['a bad value', () => [{ groupId: engineering, values: [{ field: 'status', value: 'Asleep' }] }], ['groups', '0', 'values', '0', 'value']],
    ['a group id that is not one', () => [{ groupId: 'garbage', values: [] }], ['groups', '0', 'groupId']],
    ['a group that does not exist', () => [{ groupId: globalId('Group', 'nope'), values: [] }], ['groups', '0', 'groupId']],
  ])('refuses %s with a ValidationError at its path', async (_name, groups, path) => {
    const person = await member(engineering);
    const result = await setGrouped(person, groups());
    expect(paths(result)).toContainEqual(path);
    expect(await values(person)).toEqual({});
  });

  it("refuses another organisation's group", async () => {
    const other = await createOrgClient(test, 'Other Org');
    const theirs = await createGroupDirectly(test, other, 'Theirs');
    const person = await member(engineering);
    expect(paths(await setGrouped(person, [{ groupId: theirs, values: [] }]))).toContainEqual(['groups', '0', 'groupId']);
  });

  it('answers NotFoundError for an unknown person', async () => {
    expect(await setGrouped(globalId('Person', 'nope'), [])).toEqual({ __typename: 'NotFoundError', resource: 'Person' });
  });
});

describe('Mutation.createPerson with groups and fields', () => {
  it("takes seed 003's groups and grouped values, and flat values by slug or id", async () => {
    const { createPerson } = await acme.request(CreatePersonWithFields, {
      input: {
        familyName: 'Doe',
        groups: [engineering],
        fields: [{ field: 'nickname', value: 'JD' }],
        fieldsByGroup: [{ groupId: engineering, values: [{ field: 'status', value: 'Active' }] }],
      },
    });
    if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(JSON.stringify(createPerson));
    expect(createPerson.person.fields.edges.map((edge) => edge.node)).toEqual([
      { field: { slug: 'status' }, value: 'Active' },
      { field: { slug: 'nickname' }, value: 'JD' },
    ]);
    // The membership shows in what it allows: values of that group's fields.
    expect((await setGrouped(createPerson.person.id, [{ groupId: engineering, values: [] }])).__typename).toBe('SetPersonFieldsSuccess');
    const events = await test.prisma.timelineEvent.findMany({ where: { personId: databaseId(createPerson.person.id) } });
    expect(events.map((event) => event.type).sort()).toEqual(['FIELD_SET', 'FIELD_SET', 'GROUP_JOINED', 'PERSON_CREATED']);
  });

  it.each([
    ['grouped values of a group not in groups', (): PersonInput => ({ familyName: 'X', groups: [engineering], fieldsByGroup: [{ groupId: sales, values: [] }] }), ['input', 'fieldsByGroup', '0', 'groupId']],
    ['grouped values without groups', (): PersonInput => ({ familyName: 'X', fieldsByGroup: [{ groupId: engineering, values: [] }] }), ['input', 'fieldsByGroup', '0', 'groupId']],
    ['a value of a group field without its group', (): PersonInput => ({ familyName: 'X', fields: [{ field: 'status', value: 'Active' }] }), ['input', 'fields', '0', 'field']],
    ['a bad value', (): PersonInput => ({ familyName: 'X', fields: [{ field: 'nickname', value: 42 }] }), ['input', 'fields', '0', 'value']],
    ['an unknown field', (): PersonInput => ({ familyName: 'X', fields: [{ field: 'nope', value: 1 }] }), ['input', 'fields', '0', 'field']],
    ['a field both flat and grouped', (): PersonInput => ({ familyName: 'X', groups: [engineering], fields: [{ field: 'status', value: 'Active' }], fieldsByGroup: [{ groupId: engineering, values: [{ field: 'status', value: 'Active' }] }] }), ['input', 'fieldsByGroup', '0', 'values', '0', 'field']],
    ['an unknown group', (): PersonInput => ({ familyName: 'X', groups: [globalId('Group', 'nope')] }), ['input', 'groups', '0']],
    ['a group id that is not one', (): PersonInput => ({ familyName: 'X', groups: ['garbage'] }), ['input', 'groups', '0']],
    ['a group twice', (): PersonInput => ({ familyName: 'X', groups: [engineering, engineering] }), ['input', 'groups', '1']],
    ['more than 100 groups', (): PersonInput => ({ familyName: 'X', groups: Array.from({ length: 101 }, () => sales) }), ['input', 'groups']],
  ])('refuses %s with a ValidationError, creating no one', async (_name, input, path) => {
    const before = await test.prisma.person.count();
    const { createPerson } = await acme.request(CreatePersonWithFields, { input: input() });
    expect(createPerson.__typename === 'ValidationError' && createPerson.fieldErrors.map((error) => error.path)).toContainEqual(path);
    expect(await test.prisma.person.count()).toBe(before);
  });
});

describe('Mutation.replacePerson with groups and fields', () => {
  it('replaces every value (PUT): those not given are unset, and groups not given are left', async () => {
    const person = await createPersonId(acme, {
      familyName: 'Replaced',
      groups: [engineering, sales],
      fields: [{ field: 'nickname', value: 'Old' }, { field: 'favorite-number', value: 1 }, { field: 'status', value: 'Active' }],
    });
    const { replacePerson } = await acme.request(ReplacePersonWithFields, {
      id: person,
      input: { familyName: 'Replaced', groups: [sales], fields: [{ field: 'favorite-number', value: 2 }] },
    });
    expect(replacePerson.__typename).toBe('ReplacePersonSuccess');
    expect(await values(person)).toEqual({ 'favorite-number': 2 });
    expect(paths(await setGrouped(person, [{ groupId: engineering, values: [] }]))).toEqual([['groups', '0', 'groupId']]);

    await acme.request(ReplacePersonWithFields, { id: person, input: { familyName: 'Replaced' } });
    expect(await values(person)).toEqual({});
    expect(paths(await setGrouped(person, [{ groupId: sales, values: [] }]))).toEqual([['groups', '0', 'groupId']]);
  });

  it('writes nothing when a value is bad', async () => {
    const person = await createPersonId(acme, { familyName: 'Kept', fields: [{ field: 'nickname', value: 'Stays' }] });
    const { replacePerson } = await acme.request(ReplacePersonWithFields, {
      id: person,
      input: { familyName: 'Changed', fields: [{ field: 'nickname', value: ['not', 'text'] }] },
    });
    expect(paths(replacePerson)).toEqual([['input', 'fields', '0', 'value']]);
    expect(await values(person)).toEqual({ nickname: 'Stays' });
    expect((await test.prisma.person.findUniqueOrThrow({ where: { id: databaseId(person) } })).familyName).toBe('Kept');
  });
});

describe('Mutation.updatePerson with groups and fields', () => {
  async function update(id: string, input: UpdatePersonInput) {
    return (await acme.request(UpdatePersonWithFields, { id, input })).updatePerson;
  }

  it('touches only the values given (PATCH); null or [] unsets one; fields: null unsets all', async () => {
    const person = await createPersonId(acme, {
      familyName: 'Patched',
      groups: [engineering],
      fields: [{ field: 'nickname', value: 'Nick' }, { field: 'status', value: 'Active' }, { field: 'programming-languages', value: ['Python'] }],
    });
    expect((await update(person, { fields: [{ field: 'status', value: 'Inactive' }, { field: 'programming-languages', value: [] }] })).__typename).toBe('UpdatePersonSuccess');
    expect(await values(person)).toEqual({ nickname: 'Nick', status: 'Inactive' });
    expect((await update(person, { jobTitle: 'Engineer' })).__typename).toBe('UpdatePersonSuccess');
    expect(await values(person)).toEqual({ nickname: 'Nick', status: 'Inactive' });
    expect((await update(person, { fields: null })).__typename).toBe('UpdatePersonSuccess');
    expect(await values(person)).toEqual({});
  });

  it('takes grouped values for the groups the person is in, or is put in by the same update', async () => {
    const person = await member(engineering);
    const inGroup = await update(person, { fieldsByGroup: [{ groupId: engineering, values: [{ field: 'status', value: 'Active' }] }] });
    expect(inGroup.__typename).toBe('UpdatePersonSuccess');
    const notIn = await update(person, { fieldsByGroup: [{ groupId: sales, values: [{ field: 'favorite-number', value: 3 }] }] });
    expect(paths(notIn)).toEqual([['input', 'fieldsByGroup', '0', 'groupId']]);
    const joined = await update(person, { groups: [engineering, sales], fieldsByGroup: [{ groupId: sales, values: [{ field: 'favorite-number', value: 3 }] }] });
    expect(joined.__typename).toBe('UpdatePersonSuccess');
    expect(await values(person)).toEqual({ status: 'Active', 'favorite-number': 3 });
    const read = await acme.request(PersonField, { id: person, field: 'favorite-number' });
    expect(read.person?.field?.typedValue).toEqual({ __typename: 'NumberValue', number: 3 });
  });
});
