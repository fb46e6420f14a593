import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { CreateCustomFieldInput, UpdateCustomFieldInput } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, createUserClient, type TestApp, type TestClient } from '../support/app.ts';
import {
  CreateCustomField,
  createField,
  createGroupDirectly,
  createPersonId,
  PersonField,
  SetPersonField,
} from '../support/fields.ts';

const GetCustomField = graphql(`
  query GetCustomField($idOrSlug: String!) {
    customField(idOrSlug: $idOrSlug) { ...CustomFieldParts }
  }
`);

const NodeOfField = graphql(`
  query NodeOfField($id: ID!) {
    node(id: $id) { __typename id ... on CustomField { slug } }
  }
`);

const ListCustomFields = graphql(`
  query ListCustomFields($first: Int, $after: String, $groupId: ID) {
    customFields(first: $first, after: $after, groupId: $groupId) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id slug } }
    }
  }
`);

const UpdateCustomField = graphql(`
  mutation UpdateCustomField($idOrSlug: String!, $input: UpdateCustomFieldInput!) {
    updateCustomField(idOrSlug: $idOrSlug, input: $input) {
      __typename
      ... on UpdateCustomFieldSuccess { customField { ...CustomFieldParts } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ConflictError { message }
      ... on NotFoundError { resource id }
      ... on ForbiddenError { message }
    }
  }
`);

const DeleteCustomField = graphql(`
  mutation DeleteCustomField($idOrSlug: String!) {
    deleteCustomField(idOrSlug: $idOrSlug) {
      __typename
      ... on DeleteCustomFieldSuccess { deletedId }
      ... on NotFoundError { resource id }
      ... on ForbiddenError { message }
    }
  }
`);

let test: TestApp;
let acme: TestClient;
let serial = 0;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
});
afterAll(() => test?.close());

const countFields = () => test.prisma.customField.count();

async function update(idOrSlug: string, input: UpdateCustomFieldInput) {
  return (await acme.request(UpdateCustomField, { idOrSlug, input })).updateCustomField;
}

async function setValue(personId: string, field: string, value: unknown) {
  const { setPersonField } = await acme.request(SetPersonField, { personId, field, value });
  expect(setPersonField.__typename).toBe('SetPersonFieldSuccess');
}

describe('Mutation.createCustomField', () => {
  it('defines a field with a slug derived from the title, found again by id, slug and node(id)', async () => {
    const field = await createField(acme, { title: '  Join date ', type: 'DATE', description: 'When they joined.' });
    expect(field).toMatchObject({
      title: 'Join date',
      slug: 'join-date',
      description: 'When they joined.',
      type: 'DATE',
      options: [],
      groupId: null,
    });
    expect((await acme.request(GetCustomField, { idOrSlug: field.id })).customField).toEqual(field);
    expect((await acme.request(GetCustomField, { idOrSlug: 'join-date' })).customField).toEqual(field);
    expect((await acme.request(GetCustomField, { idOrSlug: ' JOIN-DATE ' })).customField).toEqual(field);
    expect((await acme.request(NodeOfField, { id: field.id })).node).toEqual({ __typename: 'CustomField', id: field.id, slug: 'join-date' });
  });

  it('makes slugs ascii, lower-case and dashed, and takes a slug given', async () => {
    expect((await createField(acme, { title: 'Café Crème — Größe!', type: 'TEXT' })).slug).toBe('cafe-creme-gro-e');
    expect((await createField(acme, { title: 'Anything', slug: 'my-own-slug', type: 'TEXT' })).slug).toBe('my-own-slug');
  });

  it('keeps trimmed option labels, in order, for select fields', async () => {
    const field = await createField(acme, { title: 'Status', type: 'SINGLE_SELECT', options: [' Active', 'Inactive '] });
    expect(field.options).toEqual(['Active', 'Inactive']);
  });

  it('scopes a field to a group of the organisation', async () => {
    const groupId = await createGroupDirectly(test, acme, 'Engineering');
    const field = await createField(acme, { title: 'Favourite language', type: 'TEXT', groupId });
    expect(field.groupId).toBe(groupId);
  });

  it.each([
    ['a slug given', { title: 'Duplicate', slug: 'taken-slug', type: 'TEXT' }],
    ['a slug derived from the title', { title: 'Taken slug', type: 'NUMBER' }],
  ] as const)('refuses a duplicate slug, %s, with a ConflictError', async (_name, input) => {
    await createField(acme, { title: 'Original', slug: 'taken-slug', type: 'TEXT' }).catch(() => undefined);
    const before = await countFields();
    const { createCustomField } = await acme.request(CreateCustomField, { input: input as CreateCustomFieldInput });
    expect(createCustomField).toMatchObject({ __typename: 'ConflictError', message: expect.stringContaining('taken-slug') });
    expect(await countFields()).toBe(before);
  });

  it('gives one field and one ConflictError to two concurrent creates of a slug', async () => {
    const results = await Promise.all(
      [1, 2, 3].map((n) => acme.request(CreateCustomField, { input: { title: `Race ${n}`, slug: 'race', type: 'TEXT' } })),
    );
    const kinds = results.map((result) => result.createCustomField.__typename).sort();
    expect(kinds).toEqual(['ConflictError', 'ConflictError', 'CreateCustomFieldSuccess']);
  });

  it.each([
    ['a blank title', { title: '  ', type: 'TEXT' }, ['input', 'title']],
    ['a title over 500 characters', { title: 'a'.repeat(501), type: 'TEXT' }, ['input', 'title']],
    ['a slug with capitals and spaces', { title: 'X', slug: 'Not A Slug', type: 'TEXT' }, ['input', 'slug']],
    ['a slug with a double dash', { title: 'X', slug: 'a--b', type: 'TEXT' }, ['input', 'slug']],
    ['a slug over 100 characters', { title: 'X', slug: 'a'.repeat(101), type: 'TEXT' }, ['input', 'slug']],
    ['a title with nothing to make a slug from', { title: '日本語', type: 'TEXT' }, ['input', 'slug']],
    ['a description over 5000 characters', { title: 'X', type: 'TEXT', description: 'd'.repeat(5001) }, ['input', 'description']],
    ['a select field without options', { title: 'X', type: 'MULTIPLE_SELECT' }, ['input', 'options']],
    ['a select field with an empty options list', { title: 'X', type: 'SINGLE_SELECT', options: [] }, ['input', 'options']],
    ['options that differ only in case', { title: 'X', type: 'SINGLE_SELECT', options: ['B2B', 'b2b'] }, ['input', 'options', '1']],
    ['a blank option label', { title: 'X', type: 'SINGLE_SELECT', options: [' '] }, ['input', 'options', '0']],
    ['more than 1000 options', { title: 'X', type: 'SINGLE_SELECT', options: Array.from({ length: 1001 }, (_, i) => `o${i}`) }, ['input', 'options']],
    ['options on a text field', { title: 'X', type: 'TEXT', options: ['A'] }, ['input', 'options']],
    ['a group id that is not one', { title: 'X', type: 'TEXT', groupId: 'garbage' }, ['input', 'groupId']],
    ['a group that does not exist', { title: 'X', type: 'TEXT', groupId: Buffer.from('Group:nope').toString('base64') }, ['input', 'groupId']],
  ] as const)('refuses %s with a ValidationError at its path, writing nothing', async (_name, input, path) => {
    const before = await countFields();
    const { createCustomField } = await acme.request(CreateCustomField, { input: input as CreateCustomFieldInput });
    expect(createCustomField.__typename).toBe('ValidationError');
    if (createCustomField.__typename !== 'ValidationError') return;
    expect(createCustomField.fieldErrors.map((error) => error.path)).toContainEqual(path);
    expect(await countFields()).toBe(before);
  });

  it("refuses another organisation's group", async () => {
    const other = await createOrgClient(test, 'Other Groups');
    const groupId = await createGroupDirectly(test, other, 'Theirs');
    const { createCustomField } = await acme.request(CreateCustomField, { input: { title: 'X', type: 'TEXT', groupId } });
    expect(createCustomField.__typename === 'ValidationError' && createCustomField.fieldErrors[0]!.path).toEqual(['input', 'groupId']);
  });

  it('refuses a viewer with a ForbiddenError', async () => {
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    const before = await countFields();
    const { createCustomField } = await viewer.request(CreateCustomField, { input: { title: 'Nope', type: 'TEXT' } });
    expect(createCustomField.__typename).toBe('ForbiddenError');
    expect(await countFields()).toBe(before);
  });
});

describe('Query.customFields', () => {
  let paging: TestClient;
  let slugs: string[];

  beforeAll(async () => {
    paging = await createOrgClient(test, 'Paging Fields');
    slugs = [];
    for (const title of ['One', 'Two', 'Three', 'Four', 'Five']) slugs.push((await createField(paging, { title, type: 'TEXT' })).slug);
  });

  it('pages through the organisation’s fields, oldest first, with a total count', async () => {
    const page1 = await paging.request(ListCustomFields, { first: 3 });
    expect(page1.customFields.totalCount).toBe(5);
    expect(page1.customFields.edges.map((edge) => edge.node.slug)).toEqual(slugs.slice(0, 3));
    const page2 = await paging.request(ListCustomFields, { first: 3, after: page1.customFields.pageInfo.endCursor });
    expect(page2.customFields.edges.map((edge) => edge.node.slug)).toEqual(slugs.slice(3));
    expect(page2.customFields.pageInfo.hasNextPage).toBe(false);
  });

  it('lists only the fields of a group when asked', async () => {
    const groupId = await createGroupDirectly(test, paging, 'Sales');
    const scoped = await createField(paging, { title: 'Quota', type: 'NUMBER', groupId });
    const list = await paging.request(ListCustomFields, { first: 10, groupId });
    expect(list.customFields).toMatchObject({ totalCount: 1, edges: [{ node: { id: scoped.id } }] });
    expect((await paging.request(ListCustomFields, { first: 10, groupId: 'garbage' })).customFields.totalCount).toBe(0);
  });

  it("never shows another organisation's fields", async () => {
    const stranger = await createOrgClient(test, 'Stranger');
    expect((await stranger.request(ListCustomFields, { first: 10 })).customFields.totalCount).toBe(0);
    const theirs = await createField(paging, { title: 'Secret', type: 'TEXT' });
    expect((await stranger.request(GetCustomField, { idOrSlug: theirs.id })).customField).toBeNull();
    expect((await stranger.request(GetCustomField, { idOrSlug: 'secret' })).customField).toBeNull();
    expect((await stranger.request(NodeOfField, { id: theirs.id })).node).toBeNull();
  });
});

describe('Mutation.updateCustomField', () => {
  it('changes what is given and keeps the rest; the slug stays unless asked', async () => {
    const field = await createField(acme, { title: 'Nickname', type: 'TEXT', description: 'Informal.' });
    const renamed = await update(field.slug, { title: 'Alias' });
    expect(renamed).toMatchObject({ customField: { title: 'Alias', slug: 'nickname', description: 'Informal.' } });
    const cleared = await update(field.id, { description: null, slug: null });
    expect(cleared).toMatchObject({ customField: { title: 'Alias', slug: 'alias', description: null } });
  });

  it('refuses a slug another field has with a ConflictError', async () => {
    await createField(acme, { title: 'Occupied', type: 'TEXT' });
    const field = await createField(acme, { title: 'Mover', type: 'TEXT' });
    expect(await update(field.id, { slug: 'occupied' })).toMatchObject({ __typename: 'ConflictError' });
    expect((await acme.request(GetCustomField, { idOrSlug: field.id })).customField?.slug).toBe('mover');
  });

  it('adds options, and removes an option no value uses', async () => {
    const field = await createField(acme, { title: 'Tier', type: 'SINGLE_SELECT', options: ['Gold', 'Silver'] });
    const person = await createPersonId(acme, { familyName: 'Tiered' });
    await setValue(person, 'tier', 'Gold');
    const changed = await update(field.id, { options: ['Gold', 'Bronze'] });
    expect(changed).toMatchObject({ __typename: 'UpdateCustomFieldSuccess', customField: { options: ['Gold', 'Bronze'] } });
  });

  it.each([
    ['removing an option in use', { options: ['Silver'] }],
    ['renaming an option in use', { options: ['GOLD', 'Silver'] }],
    ['making a single select a multiple select', { type: 'MULTIPLE_SELECT' }],
    ['making a select field a number', { type: 'NUMBER' }],
  ] as const)('refuses %s with a ConflictError and changes nothing', async (_name, input) => {
    const slug = `rank-${++serial}`;
    const field = await createField(acme, { title: 'Rank', slug, type: 'SINGLE_SELECT', options: ['Gold', 'Silver'] });
    await setValue(await createPersonId(acme, { familyName: 'Ranked' }), slug, 'Gold');
    const result = await update(slug, input as UpdateCustomFieldInput);
    expect(result).toMatchObject({ __typename: 'ConflictError', message: expect.stringContaining(slug) });
    expect((await acme.request(GetCustomField, { idOrSlug: slug })).customField).toEqual(field);
  });

  it('changes the type when every value set still fits, and refuses when one does not', async () => {
    const field = await createField(acme, { title: 'Homepage', type: 'TEXT' });
    const first = await createPersonId(acme, { familyName: 'Web' });
    await setValue(first, field.slug, 'https://example.org');
    expect(await update(field.slug, { type: 'URL' })).toMatchObject({ customField: { type: 'URL' } });
    expect(await update(field.slug, { type: 'TEXT' })).toMatchObject({ customField: { type: 'TEXT' } });
    await setValue(await createPersonId(acme, { familyName: 'NotWeb' }), field.slug, 'not a url');
    const refused = await update(field.slug, { type: 'URL' });
    expect(refused).toMatchObject({ __typename: 'ConflictError', message: expect.stringMatching(/One person has a value/) });
    const read = await acme.request(PersonField, { id: first, field: field.slug });
    expect(read.person?.field).toMatchObject({ value: 'https://example.org', field: { type: 'TEXT' } });
  });

  it('never lets an option be removed while a value of it is written at the same moment', async () => {
    for (let round = 0; round < 5; round++) {
      const slug = `race-option-${round}`;
      await createField(acme, { title: 'Race option', slug, type: 'SINGLE_SELECT', options: ['Keep', 'Drop'] });
      const person = await createPersonId(acme, { familyName: 'Racer' });
      const [written, removed] = await Promise.all([
        acme.request(SetPersonField, { personId: person, field: slug, value: 'Drop' }),
        update(slug, { options: ['Keep'] }),
      ]);
      const outcome = [written.setPersonField.__typename, removed.__typename];
      // Whichever came second saw the first whole: the value was refused, or the removal was.
      expect([
        ['SetPersonFieldSuccess', 'ConflictError'],
        ['ValidationError', 'UpdateCustomFieldSuccess'],
      ]).toContainEqual(outcome);
      const stored = (await acme.request(PersonField, { id: person, field: slug })).person?.field?.value ?? null;
      expect(stored).toBe(outcome[0] === 'SetPersonFieldSuccess' ? 'Drop' : null);
    }
  });

  it('converts nothing silently: numbers do not become text', async () => {
    const field = await createField(acme, { title: 'Score', type: 'NUMBER' });
    await setValue(await createPersonId(acme, { familyName: 'Scored' }), field.slug, 7);
    expect(await update(field.slug, { type: 'TEXT' })).toMatchObject({ __typename: 'ConflictError' });
  });

  it('changes any type while no value is set, dropping the options of a former select', async () => {
    await createField(acme, { title: 'Unused', type: 'SINGLE_SELECT', options: ['A'] });
    expect(await update('unused', { type: 'CONTACT' })).toMatchObject({ customField: { type: 'CONTACT', options: [] } });
  });

  it.each([
    ['a select type without options', { type: 'SINGLE_SELECT' }, ['input', 'options']],
    ['a null title', { title: null }, ['input', 'title']],
    ['a null type', { type: null }, ['input', 'type']],
    ['a bad slug', { slug: 'Bad Slug' }, ['input', 'slug']],
  ] as const)('refuses %s with a ValidationError', async (_name, input, path) => {
    const slug = `plain-${++serial}`;
    await createField(acme, { title: 'Plain', slug, type: 'TEXT' });
    const result = await update(slug, input as UpdateCustomFieldInput);
    expect(result.__typename === 'ValidationError' && result.fieldErrors.map((error) => error.path)).toContainEqual(path);
  });

  it("answers NotFoundError for an unknown slug or id, or another organisation's field", async () => {
    expect(await update('no-such-field', { title: 'X' })).toMatchObject({ __typename: 'NotFoundError', id: 'no-such-field' });
    const other = await createOrgClient(test, 'Other Update');
    const theirs = await createField(other, { title: 'Theirs', type: 'TEXT' });
    expect(await update(theirs.id, { title: 'Mine now' })).toMatchObject({ __typename: 'NotFoundError', id: theirs.id });
  });
});

describe('Mutation.deleteCustomField', () => {
  it("deletes the definition and makes every person's value for it unreachable at once", async () => {
    const field = await createField(acme, { title: 'Doomed', type: 'TEXT' });
    const person = await createPersonId(acme, { familyName: 'Holder' });
    await setValue(person, 'doomed', 'soon gone');
    const { deleteCustomField } = await acme.request(DeleteCustomField, { idOrSlug: 'doomed' });
    expect(deleteCustomField).toEqual({ __typename: 'DeleteCustomFieldSuccess', deletedId: field.id });
    expect((await acme.request(PersonField, { id: person, field: 'doomed' })).person?.field).toBeNull();
    expect((await acme.request(GetCustomField, { idOrSlug: field.id })).customField).toBeNull();
    expect(await test.prisma.personFieldValue.count({ where: { fieldId: Buffer.from(field.id, 'base64').toString().split(':')[1]! } })).toBe(0);
    const again = await acme.request(DeleteCustomField, { idOrSlug: field.id });
    expect(again.deleteCustomField).toMatchObject({ __typename: 'NotFoundError', id: field.id });
  });

  it('refuses a viewer, and another organisation', async () => {
    await createField(acme, { title: 'Kept', type: 'TEXT' });
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    expect((await viewer.request(DeleteCustomField, { idOrSlug: 'kept' })).deleteCustomField.__typename).toBe('ForbiddenError');
    const other = await createOrgClient(test, 'Other Delete');
    expect((await other.request(DeleteCustomField, { idOrSlug: 'kept' })).deleteCustomField.__typename).toBe('NotFoundError');
    expect((await acme.request(GetCustomField, { idOrSlug: 'kept' })).customField?.slug).toBe('kept');
  });
});
