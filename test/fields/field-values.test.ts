import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, createUserClient, type TestApp, type TestClient } from '../support/app.ts';
import {
  createField,
  createGroupDirectly,
  createPersonId,
  databaseId,
  globalId,
  PersonField,
  PersonFieldList,
  SetPersonField,
} from '../support/fields.ts';

const UnsetPersonField = graphql(`
  mutation UnsetPersonField($personId: ID!, $field: String!) {
    unsetPersonField(personId: $personId, field: $field) {
      __typename
      ... on UnsetPersonFieldSuccess { person { id } }
      ... on FieldNotSetError { field message }
      ... on NotFoundError { resource id }
    }
  }
`);

const TwoFields = graphql(`
  query TwoFields($id: ID!) {
    person(id: $id) {
      status: field(idOrSlug: "status") { value }
      text: field(idOrSlug: "text") { value }
      missing: field(idOrSlug: "no-such-field") { value }
    }
  }
`);

const Viewer = graphql(`query ViewerForFields { viewer { id name email } }`);

let test: TestApp;
let acme: TestClient;
let colleague: { id: string; email: string };
let company: string;
let contact: string;
const fieldIds: Record<string, string> = {};

beforeAll(async () => {
  // A TTL longer than the file's run, so that statement counts never include a second key lookup.
  test = await createTestApp({ apiKeyCache: { ttlMs: 600_000 } });
  acme = await createOrgClient(test);
  const fields = [
    { title: 'Text', type: 'TEXT' },
    { title: 'Number', type: 'NUMBER' },
    { title: 'Date', type: 'DATE' },
    { title: 'Url', type: 'URL' },
    { title: 'Json', type: 'JSON' },
    { title: 'Status', type: 'SINGLE_SELECT', options: ['Active', 'Inactive'] },
    { title: 'Languages', type: 'MULTIPLE_SELECT', options: ['Javascript', 'Python', 'Go'] },
    { title: 'Relationships', type: 'CONTACT' },
    { title: 'Assignee', type: 'USER' },
  ] as const;
  for (const input of fields) {
    const field = await createField(acme, { ...input, options: 'options' in input ? [...input.options] : undefined });
    fieldIds[field.slug] = databaseId(field.id);
  }
  const other = await createUserClient(test, acme.organizationId);
  colleague = (await other.request(Viewer)).viewer;
  contact = await createPersonId(acme, { givenName: 'Bob', familyName: 'Smith', companies: [{ name: 'HR services' }] });
  company = globalId('Company', (await test.prisma.company.findFirstOrThrow({ where: { name: 'HR services' } })).id);
});
afterAll(() => test?.close());

async function set(personId: string, field: string, value: unknown, client = acme) {
  return (await client.request(SetPersonField, { personId, field, value })).setPersonField;
}

async function read(personId: string, field: string) {
  return (await acme.request(PersonField, { id: personId, field })).person?.field ?? null;
}

const countValues = () => test.prisma.personFieldValue.count();
const countEvents = (type: string) => test.prisma.timelineEvent.count({ where: { type } });

describe('Mutation.setPersonField', () => {
  it.each([
    ['text', '  Foo  ', 'Foo', { __typename: 'TextValue', text: 'Foo' }],
    ['number', 42, 42, { __typename: 'NumberValue', number: 42 }],
    ['number', '42', 42, { __typename: 'NumberValue', number: 42 }],
    ['number', '-1.5e3', -1500, { __typename: 'NumberValue', number: -1500 }],
    ['date', '2021-01-01', '2021-01-01', { __typename: 'DateValue', date: '2021-01-01' }],
    ['url', 'https://example.org/a?b=c', 'https://example.org/a?b=c', { __typename: 'UrlValue', url: 'https://example.org/a?b=c' }],
    ['json', { a: [1, { b: null }], c: 'd' }, { a: [1, { b: null }], c: 'd' }, { __typename: 'JsonValue', json: { a: [1, { b: null }], c: 'd' } }],
    ['json', [true, 2, 'three'], [true, 2, 'three'], { __typename: 'JsonValue', json: [true, 2, 'three'] }],
    ['json', false, false, { __typename: 'JsonValue', json: false }],
    ['status', 'Active', 'Active', { __typename: 'SingleSelectValue', option: 'Active' }],
    ['languages', ['Python', 'Javascript'], ['Python', 'Javascript'], { __typename: 'MultipleSelectValue', options: ['Python', 'Javascript'] }],
  ])('sets a %s field to %j, stored as %j and typed', async (slug, value, stored, typed) => {
    const person = await createPersonId(acme, { familyName: 'Typed' });
    expect(await set(person, slug, value)).toEqual({ __typename: 'SetPersonFieldSuccess', person: { id: person } });
    expect(await read(person, slug)).toMatchObject({ value: stored, field: { slug }, typedValue: typed, updatedBy: { id: expect.any(String) } });
  });

  it('sets contacts given as seed 003 does, and reads them back resolved, with their kind', async () => {
    const person = await createPersonId(acme, { familyName: 'Connected' });
    expect((await set(person, 'relationships', [{ id: contact }, { id: company }])).__typename).toBe('SetPersonFieldSuccess');
    const value = await read(person, 'relationships');
    // The stored ids are the API's own: what services encode is what the schema decodes.
    expect(value?.value).toEqual([contact, company]);
    expect(value?.typedValue).toEqual({
      __typename: 'ContactValue',
      contacts: [
        { __typename: 'Person', id: contact, fullName: 'Bob Smith' },
        { __typename: 'Company', id: company, name: 'HR services' },
      ],
    });
    expect((await set(person, 'relationships', [contact])).__typename).toBe('SetPersonFieldSuccess');
    expect((await read(person, 'relationships'))?.value).toEqual([contact]);
  });

  it('sets users by id or by email, stores their ids, and reads them back with name and email', async () => {
    const person = await createPersonId(acme, { familyName: 'Assigned' });
    const admin = await acme.request(Viewer);
    const result = await set(person, 'assignee', [{ id: admin.viewer.id }, { email: colleague.email.toUpperCase() }]);
    expect(result.__typename).toBe('SetPersonFieldSuccess');
    const value = await read(person, 'assignee');
    expect(value?.value).toEqual([admin.viewer.id, colleague.id]);
    expect(value?.typedValue).toEqual({ __typename: 'UserValue', users: [admin.viewer, colleague] });
  });

  it('addresses a field by its id as well as by its slug', async () => {
    const person = await createPersonId(acme, { familyName: 'ById' });
    const id = globalId('CustomField', fieldIds.text!);
    expect((await set(person, id, 'by id')).__typename).toBe('SetPersonFieldSuccess');
    expect((await read(person, 'text'))?.value).toBe('by id');
    expect((await read(person, id))?.value).toBe('by id');
  });

  it('replaces a value; setting the same value again changes nothing and records nothing', async () => {
    const person = await createPersonId(acme, { familyName: 'Replaced' });
    await set(person, 'number', 1);
    await set(person, 'number', '2');
    const events = () => test.prisma.timelineEvent.findMany({ where: { personId: databaseId(person), type: 'FIELD_SET' }, orderBy: { id: 'asc' } });
    const before = await events();
    await set(person, 'number', 2);
    expect(await events()).toEqual(before);
    expect(before.map((event) => event.data)).toEqual([
      { fieldId: fieldIds.number, field: 'number', before: null, after: 1 },
      { fieldId: fieldIds.number, field: 'number', before: 1, after: 2 },
    ]);
    expect((await read(person, 'number'))?.value).toBe(2);
  });

  it.each([null, '', '   ', [], {}])('unsets the field with %j, and succeeds again when it is not set', async (empty) => {
    const person = await createPersonId(acme, { familyName: 'Emptied' });
    await set(person, 'json', { keep: 'me' });
    expect(await set(person, 'json', empty)).toEqual({ __typename: 'SetPersonFieldSuccess', person: { id: person } });
    expect(await read(person, 'json')).toBeNull();
    expect(await set(person, 'json', empty)).toEqual({ __typename: 'SetPersonFieldSuccess', person: { id: person } });
    const events = await test.prisma.timelineEvent.findMany({ where: { personId: databaseId(person), type: 'FIELD_UNSET' } });
    expect(events.map((event) => event.data)).toEqual([{ fieldId: fieldIds.json, field: 'json', before: { keep: 'me' } }]);
  });

  const tooLong = 'x'.repeat(5001);
  const tooMany = Array.from({ length: 1001 }, () => 1);
  it.each([
    ['text', 'a number', 42, ['value']],
    ['text', 'a boolean', true, ['value']],
    ['text', 'an object', { a: 1 }, ['value']],
    ['text', 'a list', ['a'], ['value']],
    ['text', 'text of 5001 characters', tooLong, ['value']],
    ['number', 'a word', 'abc', ['value']],
    ['number', 'digits then letters', '12abc', ['value']],
    ['number', 'a boolean', true, ['value']],
    ['number', 'a list', [1], ['value']],
    ['date', 'a date that does not exist', '2021-02-30', ['value']],
    ['date', 'another date format', '01/02/2021', ['value']],
    ['date', 'a number', 20210101, ['value']],
    ['url', 'an ftp URL', 'ftp://example.org', ['value']],
    ['url', 'words', 'not a url', ['value']],
    ['url', 'a number', 5, ['value']],
    ['url', 'a URL over 5000 characters', `https://example.org/${tooLong}`, ['value']],
    ['json', 'a nested string over 5000 characters', { nested: { deep: tooLong } }, ['value', 'nested', 'deep']],
    ['json', 'a list of 1001 items', tooMany, ['value']],
    ['json', 'a nested list of 1001 items', { list: tooMany }, ['value', 'list']],
    ['status', 'an unknown option', 'Unknown', ['value']],
    ['status', 'an option in another case', 'active', ['value']],
    ['status', 'a list', ['Active'], ['value']],
    ['languages', 'a single label', 'Python', ['value']],
    ['languages', 'an unknown option', ['Python', 'Cobol'], ['value', '1']],
    ['languages', 'an option twice', ['Go', 'Go'], ['value', '1']],
    ['languages', '1001 labels', Array.from({ length: 1001 }, () => 'Go'), ['value']],
    ['relationships', 'an object, not a list', { id: 'x' }, ['value']],
    ['relationships', 'an id that is not one', [{ id: 'garbage' }], ['value', '0']],
    ['relationships', 'a contact by name', [{ name: 'Tech Corp' }], ['value', '0']],
    ['relationships', 'a person that does not exist', [{ id: globalId('Person', '00000000-0000-7000-8000-000000000000') }], ['value', '0']],
    ['relationships', '1001 contacts', Array.from({ length: 1001 }, () => ({ id: 'x' })), ['value']],
    ['assignee', 'an unknown email', [{ email: 'nobody@example.org' }], ['value', '0']],
    ['assignee', 'a user that does not exist', [{ id: globalId('User', '00000000-0000-7000-8000-000000000000') }], ['value', '0']],
    ['assignee', 'a string, not a list', 'someone', ['value']],
  ])('refuses for %s %s with a ValidationError naming the field, writing nothing', async (slug, _what, value, path) => {
    const person = await createPersonId(acme, { familyName: 'Refused' });
    const [values, events] = [await countValues(), await countEvents('FIELD_SET')];
    const result = await set(person, slug, value);
    expect(result.__typename).toBe('ValidationError');
    if (result.__typename !== 'ValidationError') return;
    expect(result.fieldErrors[0]).toEqual({ path, message: expect.stringContaining(`"${slug}"`) });
    expect([await countValues(), await countEvents('FIELD_SET')]).toEqual([values, events]);
  });

  it('refuses a contact that is a user, a user that is a person, and a person named twice', async () => {
    const person = await createPersonId(acme, { familyName: 'Mixed' });
    const cases: [string, unknown, string[]][] = [
      ['relationships', [{ id: colleague.id }], ['value', '0']],
      ['assignee', [{ id: contact }], ['value', '0']],
      ['relationships', [{ id: contact }, contact], ['value', '1']],
      ['assignee', [{ id: colleague.id }, { email: colleague.email }], ['value', '1']],
    ];
    for (const [slug, value, path] of cases) {
      const result = await set(person, slug, value);
      expect(result.__typename === 'ValidationError' && result.fieldErrors.map((error) => error.path)).toEqual([path]);
    }
    expect(await read(person, 'relationships')).toBeNull();
  });

  it("refuses another organisation's people, companies and users", async () => {
    const other = await createOrgClient(test, 'Elsewhere');
    const stranger = await createPersonId(other, { familyName: 'Stranger', companies: [{ name: 'Elsewhere Inc' }] });
    const strangerCompany = globalId('Company', (await test.prisma.company.findFirstOrThrow({ where: { name: 'Elsewhere Inc' } })).id);
    const strangerUser = (await other.request(Viewer)).viewer;
    const person = await createPersonId(acme, { familyName: 'Local' });
    for (const [slug, value] of [
      ['relationships', [{ id: stranger }]],
      ['relationships', [{ id: strangerCompany }]],
      ['assignee', [{ id: strangerUser.id }]],
      ['assignee', [{ email: strangerUser.email }]],
    ] as const) {
      const result = await set(person, slug, value);
      expect(result.__typename === 'ValidationError' && result.fieldErrors[0]!.message).toMatch(/in this organisation/);
    }
    expect((await acme.request(PersonFieldList, { id: person, first: 10 })).person?.fields.totalCount).toBe(0);
  });

  it('answers NotFoundError for an unknown field, an unknown person, and either of another organisation', async () => {
    const person = await createPersonId(acme, { familyName: 'Found' });
    expect(await set(person, 'no-such-field', 'x')).toMatchObject({ __typename: 'NotFoundError', resource: 'CustomField', id: 'no-such-field' });
    expect(await set(person, 'no-such-field', null)).toMatchObject({ __typename: 'NotFoundError', resource: 'CustomField' });
    expect(await set(globalId('Person', 'nope'), 'text', 'x')).toMatchObject({ __typename: 'NotFoundError', resource: 'Person' });
    expect(await set('garbage', 'text', 'x')).toMatchObject({ __typename: 'NotFoundError', id: 'garbage' });
    const other = await createOrgClient(test, 'Other Values');
    await createField(other, { title: 'Private', type: 'TEXT' });
    expect(await set(person, 'private', 'x')).toMatchObject({ __typename: 'NotFoundError', resource: 'CustomField' });
    expect(await set(person, 'text', 'x', other)).toMatchObject({ __typename: 'NotFoundError', resource: 'Person' });
    expect(await read(person, 'text')).toBeNull();
  });

  it('refuses a viewer with a ForbiddenError', async () => {
    const person = await createPersonId(acme, { familyName: 'Viewed' });
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    expect((await set(person, 'text', 'x', viewer)).__typename).toBe('ForbiddenError');
    expect(await read(person, 'text')).toBeNull();
  });

  it('sets a field of a group only on its members; unsetting it is always allowed', async () => {
    const member = await createPersonId(acme, { familyName: 'Member' });
    const outsider = await createPersonId(acme, { familyName: 'Outsider' });
    const groupId = await createGroupDirectly(test, acme, 'Volunteers', [member]);
    await createField(acme, { title: 'Shift', type: 'TEXT', groupId });
    expect((await set(member, 'shift', 'Mornings')).__typename).toBe('SetPersonFieldSuccess');
    const refused = await set(outsider, 'shift', 'Evenings');
    expect(refused.__typename === 'ValidationError' && refused.fieldErrors[0]).toEqual({ path: ['field'], message: expect.stringContaining(groupId) });
    expect((await set(outsider, 'shift', null)).__typename).toBe('SetPersonFieldSuccess');
  });

  it("leaves the definition's updatedAt alone", async () => {
    const before = await test.prisma.customField.findUniqueOrThrow({ where: { id: fieldIds.text! } });
    await set(await createPersonId(acme, { familyName: 'Untouched' }), 'text', 'x');
    expect((await test.prisma.customField.findUniqueOrThrow({ where: { id: fieldIds.text! } })).updatedAt).toEqual(before.updatedAt);
  });
});

describe('Mutation.unsetPersonField', () => {
  it('unsets a value and records it; a field that is not set is a FieldNotSetError', async () => {
    const person = await createPersonId(acme, { familyName: 'Unset' });
    await set(person, 'status', 'Inactive');
    const { unsetPersonField } = await acme.request(UnsetPersonField, { personId: person, field: 'status' });
    expect(unsetPersonField).toEqual({ __typename: 'UnsetPersonFieldSuccess', person: { id: person } });
    expect(await read(person, 'status')).toBeNull();
    const again = await acme.request(UnsetPersonField, { personId: person, field: globalId('CustomField', fieldIds.status!) });
    expect(again.unsetPersonField).toEqual({ __typename: 'FieldNotSetError', field: 'status', message: 'Field status is not set on this person.' });
    expect(await test.prisma.timelineEvent.count({ where: { personId: databaseId(person), type: 'FIELD_UNSET' } })).toBe(1);
  });

  it('answers NotFoundError for an unknown field or person', async () => {
    const person = await createPersonId(acme, { familyName: 'Unknown' });
    expect((await acme.request(UnsetPersonField, { personId: person, field: 'nope' })).unsetPersonField).toMatchObject({
      __typename: 'NotFoundError',
      resource: 'CustomField',
    });
    expect((await acme.request(UnsetPersonField, { personId: globalId('Person', 'x'), field: 'text' })).unsetPersonField).toMatchObject({
      __typename: 'NotFoundError',
      resource: 'Person',
    });
  });
});

describe('Person.fields and Person.field', () => {
  it('lists only the fields that are set, in the order the fields were made, with paging and a total', async () => {
    const person = await createPersonId(acme, { familyName: 'Listed' });
    await set(person, 'status', 'Active');
    await set(person, 'text', 'Hello');
    await set(person, 'date', '1999-12-31');
    const page1 = await acme.request(PersonFieldList, { id: person, first: 2 });
    expect(page1.person?.fields).toMatchObject({
      totalCount: 3,
      pageInfo: { hasNextPage: true },
      edges: [{ node: { field: { slug: 'text' }, value: 'Hello' } }, { node: { field: { slug: 'date' }, value: '1999-12-31' } }],
    });
    const page2 = await acme.request(PersonFieldList, { id: person, first: 2, after: page1.person?.fields.pageInfo.endCursor });
    expect(page2.person?.fields.edges).toEqual([{ node: { field: { slug: 'status' }, value: 'Active' } }]);
  });

  it('reads several fields at once: a set one, an unset one, an unknown one', async () => {
    const person = await createPersonId(acme, { familyName: 'Several' });
    await set(person, 'status', 'Inactive');
    expect((await acme.request(TwoFields, { id: person })).person).toEqual({ status: { value: 'Inactive' }, text: null, missing: null });
  });

  it('leaves out a contact deleted since it was set', async () => {
    const gone = await createPersonId(acme, { familyName: 'Gone' });
    const person = await createPersonId(acme, { familyName: 'Remembers' });
    await set(person, 'relationships', [{ id: gone }, { id: contact }]);
    await test.prisma.person.delete({ where: { id: databaseId(gone) } });
    const value = await read(person, 'relationships');
    expect(value?.value).toEqual([gone, contact]);
    expect(value?.typedValue).toMatchObject({ contacts: [{ id: contact }] });
  });

  it('resolves references for a whole page with as many statements as for one person', async () => {
    const PeopleWithFields = graphql(`
      query PeopleWithFields($first: Int!) {
        people(first: $first) {
          edges {
            node {
              fields(first: 10) {
                edges {
                  node {
                    field { slug }
                    typedValue {
                      __typename
                      ... on ContactValue { contacts { ... on Person { fullName } ... on Company { name } } }
                      ... on UserValue { users { email } }
                    }
                  }
                }
              }
            }
          }
        }
      }
    `);
    const org = await createOrgClient(test, 'Counted');
    await createField(org, { title: 'Contacts', type: 'CONTACT' });
    await createField(org, { title: 'Owner', type: 'USER' });
    const owner = (await org.request(Viewer)).viewer;
    const people: string[] = [];
    for (let index = 0; index < 6; index++) people.push(await createPersonId(org, { familyName: `P${index}`, companies: [{ name: `Co ${index}` }] }));
    for (const [index, person] of people.entries()) {
      await set(person, 'contacts', [{ id: people[(index + 1) % 6] }], org);
      await set(person, 'owner', [{ id: owner.id }], org);
    }
    const statementsFor = async (first: number) => {
      test.sql.length = 0;
      const result = await org.request(PeopleWithFields, { first });
      expect(result.people.edges).toHaveLength(first);
      return test.sql.length;
    };
    expect(await statementsFor(6)).toBe(await statementsFor(1));
  });
});

describe('concurrent Mutation.setPersonField', () => {
  it('loses no write when different fields of one person are set at once', async () => {
    const person = await createPersonId(acme, { familyName: 'Parallel' });
    const writes: [string, unknown][] = [
      ['text', 'a'],
      ['number', 1],
      ['date', '2020-02-29'],
      ['url', 'https://example.org'],
      ['json', { x: 1 }],
      ['status', 'Active'],
      ['languages', ['Go']],
      ['relationships', [contact]],
    ];
    const results = await Promise.all(writes.map(([slug, value]) => set(person, slug, value)));
    expect(results.every((result) => result.__typename === 'SetPersonFieldSuccess')).toBe(true);
    const list = await acme.request(PersonFieldList, { id: person, first: 20 });
    expect(list.person?.fields.totalCount).toBe(writes.length);
    for (const [slug, value] of writes) expect((await read(person, slug))?.value).toEqual(value);
  });

  it('applies concurrent writes of one field one after another, each seeing the one before', async () => {
    const person = await createPersonId(acme, { familyName: 'Contended' });
    const values = Array.from({ length: 10 }, (_, index) => `value ${index}`);
    const results = await Promise.all(values.map((value) => set(person, 'text', value)));
    expect(results.every((result) => result.__typename === 'SetPersonFieldSuccess')).toBe(true);
    const events = await test.prisma.timelineEvent.findMany({ where: { personId: databaseId(person), type: 'FIELD_SET' } });
    const changes = events.map((event) => event.data as { before: string | null; after: string });
    expect(changes.map((change) => change.after).sort()).toEqual([...values].sort());
    // A chain: the first write saw nothing, every other saw exactly one earlier write, the last is what is stored.
    const stored = (await read(person, 'text'))?.value;
    const expectedBefores = [null, ...values.filter((value) => value !== stored)];
    expect(changes.map((change) => change.before).sort()).toEqual(expectedBefores.sort());
  });
});
