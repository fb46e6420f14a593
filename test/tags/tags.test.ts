import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { TagInput, UpdateTagInput } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, createUserClient, expectGraphQLError, type TestApp, type TestClient } from '../support/app.ts';
import { createPersonId, localIdOf, timelineOf, unknownId } from '../support/organising.ts';

const TagFields = graphql(`
  fragment TagFields on Tag {
    id
    title
    description
    color
    hidden
    valueType
    createdAt
  }
`);

const CreateTag = graphql(`
  mutation CreateTag($input: TagInput!) {
    createTag(input: $input) {
      __typename
      ... on CreateTagSuccess { tag { ...TagFields } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ConflictError { message }
      ... on ForbiddenError { message }
    }
  }
`);

const UpdateTag = graphql(`
  mutation UpdateTag($id: ID!, $input: UpdateTagInput!) {
    updateTag(id: $id, input: $input) {
      __typename
      ... on UpdateTagSuccess { tag { ...TagFields } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ConflictError { message }
      ... on NotFoundError { resource id }
    }
  }
`);

const DeleteTag = graphql(`
  mutation DeleteTag($id: ID!) {
    deleteTag(id: $id) {
      __typename
      ... on DeleteTagSuccess { deletedId }
      ... on NotFoundError { resource id }
    }
  }
`);

const GetTag = graphql(`
  query GetTag($id: ID!) {
    tag(id: $id) { ...TagFields }
  }
`);

const TagNode = graphql(`
  query TagNode($id: ID!) {
    node(id: $id) { __typename id }
  }
`);

const ListTags = graphql(`
  query ListTags($filter: TagFilter, $first: Int, $after: String) {
    tags(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id title } }
    }
  }
`);

const TagPerson = graphql(`
  mutation TagPerson($personId: ID!, $tagId: ID!, $value: JSON) {
    tagPerson(personId: $personId, tagId: $tagId, value: $value) {
      __typename
      ... on TagPersonSuccess { assignment { tag { id title } person { id } value assignedAt } }
      ... on ValidationError { fieldErrors { path message } }
      ... on NotFoundError { resource id message }
      ... on ForbiddenError { message }
    }
  }
`);

const UntagPerson = graphql(`
  mutation UntagPerson($personId: ID!, $tagId: ID!) {
    untagPerson(personId: $personId, tagId: $tagId) {
      __typename
      ... on UntagPersonSuccess { person { id tags(first: 100) { totalCount } } }
      ... on NotFoundError { resource id message }
    }
  }
`);

const PersonTags = graphql(`
  query PersonTags($id: ID!, $first: Int, $after: String) {
    person(id: $id) {
      tags(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { tag { id title } value } }
      }
    }
  }
`);

const TagPeople = graphql(`
  query TagPeople($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    tag(id: $id) {
      people(first: $first, after: $after, last: $last, before: $before) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { node { person { id familyName } value } }
      }
    }
  }
`);

const DeletePersonWithTags = graphql(`
  mutation DeletePersonWithTags($id: ID!) {
    deletePerson(id: $id) { __typename }
  }
`);

let test: TestApp;
let acme: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
});
afterAll(() => test?.close());

async function createTag(client: TestClient, input: TagInput) {
  const { createTag } = await client.request(CreateTag, { input });
  if (createTag.__typename !== 'CreateTagSuccess') throw new Error(`createTag failed: ${JSON.stringify(createTag)}`);
  return createTag.tag;
}

async function tag(client: TestClient, personId: string, tagId: string, value?: unknown) {
  const { tagPerson } = await client.request(TagPerson, { personId, tagId, value });
  return tagPerson;
}

async function tagsOf(client: TestClient, personId: string) {
  const { person } = await client.request(PersonTags, { id: personId, first: 100 });
  return person!.tags;
}

const countTags = () => test.prisma.tag.count();
const countAssignments = () => test.prisma.personTag.count();

describe('Mutation.createTag', () => {
  it('creates a tag with every field, found again by tag(id) and node(id)', async () => {
    const created = await createTag(acme, {
      title: ' Volunteer ',
      description: 'Helps at events.',
      color: '#1a2b3c',
      hidden: true,
      valueType: 'TEXT',
    });
    expect(created).toMatchObject({ title: 'Volunteer', description: 'Helps at events.', color: '#1a2b3c', hidden: true, valueType: 'TEXT' });
    expect((await acme.request(GetTag, { id: created.id })).tag).toEqual(created);
    expect((await acme.request(TagNode, { id: created.id })).node).toEqual({ __typename: 'Tag', id: created.id });
  });

  it('defaults to shown, without description, colour or value type', async () => {
    const created = await createTag(acme, { title: 'Plain' });
    expect(created).toMatchObject({ description: null, color: null, hidden: false, valueType: null });
  });

  it('refuses a title already taken, whatever its case, with a ConflictError', async () => {
    await createTag(acme, { title: 'Donor' });
    const before = await countTags();
    const { createTag: duplicate } = await acme.request(CreateTag, { input: { title: 'DONOR' } });
    expect(duplicate).toMatchObject({ __typename: 'ConflictError', message: expect.stringMatching(/already exists/) });
    expect(await countTags()).toBe(before);
    const other = await createOrgClient(test, 'Another Org');
    await expect(createTag(other, { title: 'Donor' })).resolves.toMatchObject({ title: 'Donor' });
  });

  it.each<[string, TagInput, string[]]>([
    ['an empty title', { title: '' }, ['input', 'title']],
    ['a blank title', { title: '  ' }, ['input', 'title']],
    ['a title over 500 characters', { title: 'x'.repeat(501) }, ['input', 'title']],
    ['a description over 5000 characters', { title: 'Long', description: 'x'.repeat(5001) }, ['input', 'description']],
    ['a colour that is not #rrggbb', { title: 'Red', color: 'red' }, ['input', 'color']],
  ])('refuses %s with a ValidationError naming the field, writing nothing', async (_name, input, path) => {
    const before = await countTags();
    const { createTag: result } = await acme.request(CreateTag, { input });
    expect(result.__typename === 'ValidationError' && result.fieldErrors.map((error) => error.path)).toEqual([path]);
    expect(await countTags()).toBe(before);
  });

  it('leaves a value type that does not exist to GraphQL itself', async () => {
    const before = await countTags();
    const error = await expectGraphQLError(acme.request(CreateTag, { input: { title: 'Odd', valueType: 'DATE' as never } }));
    expect(error.response.errors?.[0]?.message).toMatch(/TagValueType/);
    expect(await countTags()).toBe(before);
  });

  it('refuses a viewer with a ForbiddenError', async () => {
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    const before = await countTags();
    const { createTag: result } = await viewer.request(CreateTag, { input: { title: 'By a viewer' } });
    expect(result.__typename).toBe('ForbiddenError');
    expect(await countTags()).toBe(before);
  });
});

describe('Query.tags', () => {
  let org: TestClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    org = await createOrgClient(test, 'Tag Lister');
    for (const title of ['member', 'Activist', 'Board member', 'canvasser']) ids[title] = (await createTag(org, { title })).id;
  });

  it("lists the organisation's tags by title whatever its case, page by page", async () => {
    const first = await org.request(ListTags, { first: 3 });
    expect(first.tags.totalCount).toBe(4);
    expect(first.tags.edges.map((edge) => edge.node.title)).toEqual(['Activist', 'Board member', 'canvasser']);
    const rest = await org.request(ListTags, { first: 3, after: first.tags.pageInfo.endCursor });
    expect(rest.tags.edges.map((edge) => edge.node.title)).toEqual(['member']);
    expect(rest.tags.pageInfo.hasNextPage).toBe(false);
  });

  it('filters by text in the title, whatever its case, totalCount included', async () => {
    const { tags } = await org.request(ListTags, { filter: { title: 'MEMBER' } });
    expect(tags.edges.map((edge) => edge.node.id)).toEqual([ids['Board member'], ids.member]);
    expect(tags.totalCount).toBe(2);
  });

  it("never shows another organisation's tags", async () => {
    const { tags } = await acme.request(ListTags, { filter: { title: 'canvasser' } });
    expect(tags.totalCount).toBe(0);
    expect((await acme.request(GetTag, { id: ids.member! })).tag).toBeNull();
    expect((await acme.request(TagNode, { id: ids.member! })).node).toBeNull();
  });
});

describe('Query.tag', () => {
  it('answers null for an unknown or malformed id, or one of another type', async () => {
    expect((await acme.request(GetTag, { id: unknownId('Tag') })).tag).toBeNull();
    expect((await acme.request(GetTag, { id: 'garbage' })).tag).toBeNull();
    expect((await acme.request(GetTag, { id: unknownId('Person') })).tag).toBeNull();
  });
});

describe('Mutation.updateTag', () => {
  it('keeps absent fields and clears those given as null (PATCH)', async () => {
    const created = await createTag(acme, { title: 'Patchable', description: 'Old', color: '#000000', hidden: true });
    const { updateTag } = await acme.request(UpdateTag, { id: created.id, input: { description: null, hidden: null, color: '#ffffff' } });
    expect(updateTag.__typename === 'UpdateTagSuccess' && updateTag.tag).toEqual({
      ...created,
      description: null,
      hidden: false,
      color: '#ffffff',
    });
  });

  it("renames, also to another case of its own title, but not to another tag's", async () => {
    const created = await createTag(acme, { title: 'Renamable' });
    const recased = await acme.request(UpdateTag, { id: created.id, input: { title: 'RENAMABLE' } });
    expect(recased.updateTag).toMatchObject({ tag: { title: 'RENAMABLE' } });
    await createTag(acme, { title: 'Taken' });
    const clash = await acme.request(UpdateTag, { id: created.id, input: { title: 'taken' } });
    expect(clash.updateTag.__typename).toBe('ConflictError');
    expect((await acme.request(GetTag, { id: created.id })).tag?.title).toBe('RENAMABLE');
  });

  it.each<[string, UpdateTagInput, string[]]>([
    ['a null title', { title: null }, ['input', 'title']],
    ['an empty title', { title: '' }, ['input', 'title']],
    ['a bad colour', { color: '#12345' }, ['input', 'color']],
  ])('refuses %s with a ValidationError', async (name, input, path) => {
    const created = await createTag(acme, { title: `Before ${name}` });
    const { updateTag } = await acme.request(UpdateTag, { id: created.id, input });
    expect(updateTag.__typename === 'ValidationError' && updateTag.fieldErrors[0]!.path).toEqual(path);
    expect((await acme.request(GetTag, { id: created.id })).tag).toEqual(created);
  });

  it('changes the value type only while the tag is on nobody', async () => {
    const created = await createTag(acme, { title: 'Typed later' });
    const typed = await acme.request(UpdateTag, { id: created.id, input: { valueType: 'NUMBER' } });
    expect(typed.updateTag).toMatchObject({ tag: { valueType: 'NUMBER' } });
    const personId = await createPersonId(acme, 'Holder');
    expect((await tag(acme, personId, created.id, 3)).__typename).toBe('TagPersonSuccess');
    for (const valueType of ['TEXT', null] as const) {
      const { updateTag } = await acme.request(UpdateTag, { id: created.id, input: { valueType } });
      expect(updateTag).toMatchObject({ __typename: 'ConflictError', message: expect.stringMatching(/on 1 person/) });
    }
    expect((await acme.request(GetTag, { id: created.id })).tag?.valueType).toBe('NUMBER');
  });

  it("answers NotFoundError for an unknown, malformed or another organisation's tag", async () => {
    const created = await createTag(acme, { title: 'Mine alone' });
    const other = await createOrgClient(test, 'Tag Thieves');
    for (const [client, id] of [
      [acme, unknownId('Tag')],
      [acme, 'garbage'],
      [other, created.id],
    ] as const) {
      const { updateTag } = await client.request(UpdateTag, { id, input: { title: 'Stolen' } });
      expect(updateTag).toMatchObject({ __typename: 'NotFoundError', resource: 'Tag' });
    }
    expect((await acme.request(GetTag, { id: created.id })).tag?.title).toBe('Mine alone');
  });
});

describe('Mutation.tagPerson', () => {
  let personId: string;
  let plain: string;
  let text: string;
  let number: string;

  beforeAll(async () => {
    personId = await createPersonId(acme, 'Tagged');
    plain = (await createTag(acme, { title: 'Newsletter' })).id;
    text = (await createTag(acme, { title: 'Skill', valueType: 'TEXT' })).id;
    number = (await createTag(acme, { title: 'Shifts', valueType: 'NUMBER' })).id;
  });

  it('puts a tag on a person, listed in Person.tags and Tag.people, with a TAG_ADDED event', async () => {
    const result = await tag(acme, personId, plain);
    expect(result).toMatchObject({ assignment: { tag: { id: plain, title: 'Newsletter' }, person: { id: personId }, value: null } });
    expect(await tagsOf(acme, personId)).toMatchObject({ totalCount: 1, edges: [{ node: { tag: { id: plain }, value: null } }] });
    const { tag: read } = await acme.request(TagPeople, { id: plain, first: 10 });
    expect(read?.people).toMatchObject({ totalCount: 1, edges: [{ node: { person: { id: personId, familyName: 'Tagged' } } }] });
    const events = (await timelineOf(test, personId)).filter((event) => event.type === 'TAG_ADDED');
    expect(events).toEqual([{ type: 'TAG_ADDED', actorId: acme.userId, data: { tagId: localIdOf(plain), title: 'Newsletter', value: null } }]);
  });

  it('is idempotent (PUT): the same call again changes nothing and records nothing', async () => {
    const target = await createPersonId(acme, 'Twice');
    const first = await tag(acme, target, text, 'Carpentry');
    const again = await tag(acme, target, text, ' Carpentry ');
    expect(again).toEqual(first);
    expect(await test.prisma.personTag.count({ where: { personId: localIdOf(target) } })).toBe(1);
    expect((await timelineOf(test, target)).filter((event) => event.type === 'TAG_ADDED')).toHaveLength(1);
  });

  it('sets a new value when called again with one, keeping the previous on the timeline', async () => {
    const target = await createPersonId(acme, 'Counted');
    await tag(acme, target, number, 2);
    const changed = await tag(acme, target, number, '5');
    expect(changed).toMatchObject({ assignment: { value: 5 } });
    expect(await tagsOf(acme, target)).toMatchObject({ totalCount: 1, edges: [{ node: { value: 5 } }] });
    const events = (await timelineOf(test, target)).filter((event) => event.type === 'TAG_ADDED');
    expect(events.map((event) => event.data)).toEqual([
      { tagId: localIdOf(number), title: 'Shifts', value: 2 },
      { tagId: localIdOf(number), title: 'Shifts', value: 5, previousValue: 2 },
    ]);
  });

  it.each<[string, 'plain' | 'text' | 'number', unknown, RegExp]>([
    ['a value on a tag without value type', 'plain', 'yes', /takes no value/],
    ['no value on a TEXT tag', 'text', null, /needs a TEXT value/],
    ['a number on a TEXT tag', 'text', 42, /Must be a text/],
    ['an empty text on a TEXT tag', 'text', '  ', /Must not be empty/],
    ['a text over 500 characters', 'text', 'x'.repeat(501), /at most 500/],
    ['a word on a NUMBER tag', 'number', 'many', /Must be a number/],
    ['a boolean on a NUMBER tag', 'number', true, /Must be a number/],
    ['an object on a NUMBER tag', 'number', { count: 1 }, /Must be a number/],
    ['no value on a NUMBER tag', 'number', undefined, /needs a NUMBER value/],
  ])('refuses %s with a ValidationError at value, writing nothing', async (_name, which, value, message) => {
    const tagId = { plain, text, number }[which];
    const target = await createPersonId(acme, 'Refused');
    const before = await countAssignments();
    const result = await tag(acme, target, tagId, value);
    expect(result.__typename === 'ValidationError' && result.fieldErrors).toEqual([{ path: ['value'], message: expect.stringMatching(message) }]);
    expect(await countAssignments()).toBe(before);
    expect((await timelineOf(test, target)).map((event) => event.type)).toEqual(['PERSON_CREATED']);
  });

  it("answers NotFoundError for an unknown, malformed or another organisation's person or tag", async () => {
    const other = await createOrgClient(test, 'Foreign Taggers');
    const theirPerson = await createPersonId(other, 'Theirs');
    const theirTag = (await createTag(other, { title: 'Theirs' })).id;
    const before = await countAssignments();
    for (const [person, tagId, resource] of [
      [unknownId('Person'), plain, 'Person'],
      ['garbage', plain, 'Person'],
      [theirPerson, plain, 'Person'],
      [personId, unknownId('Tag'), 'Tag'],
      [personId, 'garbage', 'Tag'],
      [personId, theirTag, 'Tag'],
    ] as const) {
      expect(await tag(acme, person, tagId)).toMatchObject({ __typename: 'NotFoundError', resource });
    }
    expect(await countAssignments()).toBe(before);
  });

  it('refuses a viewer with a ForbiddenError', async () => {
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    const before = await countAssignments();
    expect((await tag(viewer, personId, text, 'Sneaky')).__typename).toBe('ForbiddenError');
    expect(await countAssignments()).toBe(before);
  });
});

describe('Mutation.untagPerson', () => {
  it('takes the tag off with a TAG_REMOVED event; a tag that is not on the person is NotFound', async () => {
    const personId = await createPersonId(acme, 'Untagged');
    const skill = (await createTag(acme, { title: 'Driver', valueType: 'TEXT' })).id;
    await tag(acme, personId, skill, 'Van');
    const { untagPerson } = await acme.request(UntagPerson, { personId, tagId: skill });
    expect(untagPerson).toEqual({ __typename: 'UntagPersonSuccess', person: { id: personId, tags: { totalCount: 0 } } });
    expect((await timelineOf(test, personId)).at(-1)).toEqual({
      type: 'TAG_REMOVED',
      actorId: acme.userId,
      data: { tagId: localIdOf(skill), title: 'Driver', value: 'Van' },
    });
    const again = await acme.request(UntagPerson, { personId, tagId: skill });
    expect(again.untagPerson).toMatchObject({ __typename: 'NotFoundError', resource: 'Tag', id: skill, message: 'The tag "Driver" is not on this person.' });
  });

  it("answers NotFoundError for another organisation's person or tag, and keeps the tag on", async () => {
    const personId = await createPersonId(acme, 'Kept');
    const kept = (await createTag(acme, { title: 'Kept on' })).id;
    await tag(acme, personId, kept);
    const other = await createOrgClient(test, 'Untaggers');
    const { untagPerson } = await other.request(UntagPerson, { personId, tagId: kept });
    expect(untagPerson).toMatchObject({ __typename: 'NotFoundError', resource: 'Person' });
    const unknown = await acme.request(UntagPerson, { personId, tagId: unknownId('Tag') });
    expect(unknown.untagPerson).toMatchObject({ __typename: 'NotFoundError', resource: 'Tag' });
    expect((await tagsOf(acme, personId)).totalCount).toBe(1);
  });
});

describe('Tag.people', () => {
  it('pages through the people who have the tag, in the order they got it', async () => {
    const popular = (await createTag(acme, { title: 'Popular', valueType: 'NUMBER' })).id;
    const people: string[] = [];
    for (let index = 0; index < 5; index++) {
      const personId = await createPersonId(acme, `Fan ${index}`);
      await tag(acme, personId, popular, index);
      people.push(personId);
    }
    const seen: string[] = [];
    let after: string | null | undefined;
    for (;;) {
      const { tag: read } = await acme.request(TagPeople, { id: popular, first: 2, after });
      expect(read!.people.totalCount).toBe(5);
      seen.push(...read!.people.edges.map((edge) => edge.node.person.id));
      if (!read!.people.pageInfo.hasNextPage) break;
      after = read!.people.pageInfo.endCursor;
    }
    expect(seen).toEqual(people);
    const { tag: last } = await acme.request(TagPeople, { id: popular, last: 2 });
    expect(last!.people.edges.map((edge) => edge.node.value)).toEqual([3, 4]);
  });
});

describe('Mutation.deleteTag', () => {
  it('deletes the tag, takes it off everyone in the same transaction, and says so on their timelines', async () => {
    const doomed = (await createTag(acme, { title: 'Doomed' })).id;
    const holders = [await createPersonId(acme, 'Holder A'), await createPersonId(acme, 'Holder B')];
    for (const personId of holders) await tag(acme, personId, doomed);
    const { deleteTag } = await acme.request(DeleteTag, { id: doomed });
    expect(deleteTag).toEqual({ __typename: 'DeleteTagSuccess', deletedId: doomed });
    expect(await test.prisma.personTag.count({ where: { tagId: localIdOf(doomed) } })).toBe(0);
    expect((await acme.request(GetTag, { id: doomed })).tag).toBeNull();
    for (const personId of holders) {
      expect((await tagsOf(acme, personId)).totalCount).toBe(0);
      expect((await timelineOf(test, personId)).at(-1)).toEqual({
        type: 'TAG_REMOVED',
        actorId: acme.userId,
        data: { tagId: localIdOf(doomed), title: 'Doomed', reason: 'TAG_DELETED' },
      });
    }
    const again = await acme.request(DeleteTag, { id: doomed });
    expect(again.deleteTag).toMatchObject({ __typename: 'NotFoundError', id: doomed });
  });

  it("answers NotFoundError for another organisation's tag and keeps it", async () => {
    const kept = (await createTag(acme, { title: 'Not yours' })).id;
    const other = await createOrgClient(test, 'Tag Deleters');
    const { deleteTag } = await other.request(DeleteTag, { id: kept });
    expect(deleteTag.__typename).toBe('NotFoundError');
    expect((await acme.request(GetTag, { id: kept })).tag?.title).toBe('Not yours');
  });
});

describe('Mutation.deletePerson', () => {
  it("removes the person's tag assignments and keeps the tags", async () => {
    const personId = await createPersonId(acme, 'Leaving');
    const staying = (await createTag(acme, { title: 'Staying' })).id;
    await tag(acme, personId, staying);
    const { deletePerson } = await acme.request(DeletePersonWithTags, { id: personId });
    expect(deletePerson.__typename).toBe('DeletePersonSuccess');
    expect(await test.prisma.personTag.count({ where: { personId: localIdOf(personId) } })).toBe(0);
    expect((await acme.request(GetTag, { id: staying })).tag?.title).toBe('Staying');
  });
});
