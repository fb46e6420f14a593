import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { GroupInput, GroupRole, UpdateGroupInput } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, createUserClient, expectGraphQLError, type TestApp, type TestClient } from '../support/app.ts';
import { createPersonId, localIdOf, timelineOf, unknownId } from '../support/organising.ts';

const CreateGroupCategory = graphql(`
  mutation CreateGroupCategory($input: GroupCategoryInput!) {
    createGroupCategory(input: $input) {
      __typename
      ... on CreateGroupCategorySuccess { groupCategory { id title description } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ConflictError { message }
    }
  }
`);

const UpdateGroupCategory = graphql(`
  mutation UpdateGroupCategory($id: ID!, $input: UpdateGroupCategoryInput!) {
    updateGroupCategory(id: $id, input: $input) {
      __typename
      ... on UpdateGroupCategorySuccess { groupCategory { id title description } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ConflictError { message }
      ... on NotFoundError { resource id }
    }
  }
`);

const DeleteGroupCategory = graphql(`
  mutation DeleteGroupCategory($id: ID!) {
    deleteGroupCategory(id: $id) {
      __typename
      ... on DeleteGroupCategorySuccess { deletedId }
      ... on NotFoundError { resource id }
    }
  }
`);

const GetGroupCategory = graphql(`
  query GetGroupCategory($id: ID!) {
    groupCategory(id: $id) { id title description groups(first: 100) { totalCount edges { node { id title } } } }
  }
`);

const ListGroupCategories = graphql(`
  query ListGroupCategories {
    groupCategories(first: 100) { totalCount edges { node { id title } } }
  }
`);

const GroupFields = graphql(`
  fragment GroupFields on Group {
    id
    title
    description
    category { id title }
  }
`);

const CreateGroup = graphql(`
  mutation CreateGroup($input: GroupInput!) {
    createGroup(input: $input) {
      __typename
      ... on CreateGroupSuccess { group { ...GroupFields } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ForbiddenError { message }
    }
  }
`);

const UpdateGroup = graphql(`
  mutation UpdateGroup($id: ID!, $input: UpdateGroupInput!) {
    updateGroup(id: $id, input: $input) {
      __typename
      ... on UpdateGroupSuccess { group { ...GroupFields } }
      ... on ValidationError { fieldErrors { path message } }
      ... on NotFoundError { resource id }
    }
  }
`);

const DeleteGroup = graphql(`
  mutation DeleteGroup($id: ID!) {
    deleteGroup(id: $id) {
      __typename
      ... on DeleteGroupSuccess { deletedId }
      ... on NotFoundError { resource id }
    }
  }
`);

const GetGroup = graphql(`
  query GetGroup($id: ID!) {
    group(id: $id) { ...GroupFields }
  }
`);

const GroupNode = graphql(`
  query GroupNode($id: ID!) {
    node(id: $id) { __typename id }
  }
`);

const ListGroups = graphql(`
  query ListGroups($filter: GroupFilter, $first: Int, $after: String) {
    groups(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id title } }
    }
  }
`);

const AddGroupMember = graphql(`
  mutation AddGroupMember($groupId: ID!, $personId: ID!, $role: GroupRole) {
    addGroupMember(groupId: $groupId, personId: $personId, role: $role) {
      __typename
      ... on AddGroupMemberSuccess { membership { group { id } person { id } role joinedAt } }
      ... on NotFoundError { resource id message }
      ... on ForbiddenError { message }
    }
  }
`);

const UpdateGroupMember = graphql(`
  mutation UpdateGroupMember($groupId: ID!, $personId: ID!, $role: GroupRole!) {
    updateGroupMember(groupId: $groupId, personId: $personId, role: $role) {
      __typename
      ... on UpdateGroupMemberSuccess { membership { person { id } role } }
      ... on NotFoundError { resource id message }
    }
  }
`);

const RemoveGroupMember = graphql(`
  mutation RemoveGroupMember($groupId: ID!, $personId: ID!) {
    removeGroupMember(groupId: $groupId, personId: $personId) {
      __typename
      ... on RemoveGroupMemberSuccess { group { id members(first: 100) { totalCount } } }
      ... on NotFoundError { resource id message }
    }
  }
`);

const GroupPeople = graphql(`
  query GroupPeople($id: ID!, $first: Int, $after: String) {
    group(id: $id) {
      members(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { person { id } role } }
      }
      managers(first: 100) { totalCount edges { node { person { id } role } } }
    }
  }
`);

const PersonGroups = graphql(`
  query PersonGroups($id: ID!) {
    person(id: $id) {
      groups(first: 100) { totalCount edges { node { group { id title } role } } }
    }
  }
`);

const DeletePersonInGroups = graphql(`
  mutation DeletePersonInGroups($id: ID!) {
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

async function createCategory(client: TestClient, title: string, description?: string) {
  const { createGroupCategory } = await client.request(CreateGroupCategory, { input: { title, description } });
  if (createGroupCategory.__typename !== 'CreateGroupCategorySuccess') throw new Error(JSON.stringify(createGroupCategory));
  return createGroupCategory.groupCategory.id;
}

async function createGroup(client: TestClient, input: GroupInput) {
  const { createGroup } = await client.request(CreateGroup, { input });
  if (createGroup.__typename !== 'CreateGroupSuccess') throw new Error(JSON.stringify(createGroup));
  return createGroup.group;
}

async function addMember(client: TestClient, groupId: string, personId: string, role?: GroupRole) {
  const { addGroupMember } = await client.request(AddGroupMember, { groupId, personId, role });
  return addGroupMember;
}

async function membersOf(groupId: string) {
  const { group } = await acme.request(GroupPeople, { id: groupId, first: 100 });
  return group!;
}

const countGroups = () => test.prisma.group.count();
const countMemberships = () => test.prisma.groupMembership.count();

describe('Mutation.createGroupCategory', () => {
  it('creates a category that Query.groupCategories lists by title, only to its organisation', async () => {
    const org = await createOrgClient(test, 'Chapters');
    const teams = await createCategory(org, 'Teams', 'Standing teams.');
    const chapters = await createCategory(org, 'Chapters');
    const { groupCategories } = await org.request(ListGroupCategories, {});
    expect(groupCategories).toEqual({
      totalCount: 2,
      edges: [{ node: { id: chapters, title: 'Chapters' } }, { node: { id: teams, title: 'Teams' } }],
    });
    expect((await org.request(GetGroupCategory, { id: teams })).groupCategory).toMatchObject({ description: 'Standing teams.' });
    expect((await acme.request(GetGroupCategory, { id: teams })).groupCategory).toBeNull();
    expect((await acme.request(GroupNode, { id: teams })).node).toBeNull();
    expect((await org.request(GroupNode, { id: teams })).node).toEqual({ __typename: 'GroupCategory', id: teams });
  });

  it('refuses a title already taken, whatever its case, with a ConflictError', async () => {
    await createCategory(acme, 'Working groups');
    const before = await test.prisma.groupCategory.count();
    const { createGroupCategory } = await acme.request(CreateGroupCategory, { input: { title: 'WORKING GROUPS' } });
    expect(createGroupCategory.__typename).toBe('ConflictError');
    expect(await test.prisma.groupCategory.count()).toBe(before);
  });

  it.each([
    ['an empty title', { title: '' }, ['input', 'title']],
    ['a title over 500 characters', { title: 'x'.repeat(501) }, ['input', 'title']],
    ['a description over 5000 characters', { title: 'Wordy', description: 'x'.repeat(5001) }, ['input', 'description']],
  ])('refuses %s with a ValidationError, writing nothing', async (_name, input, path) => {
    const before = await test.prisma.groupCategory.count();
    const { createGroupCategory } = await acme.request(CreateGroupCategory, { input });
    expect(createGroupCategory.__typename === 'ValidationError' && createGroupCategory.fieldErrors.map((e) => e.path)).toEqual([path]);
    expect(await test.prisma.groupCategory.count()).toBe(before);
  });
});

describe('Mutation.updateGroupCategory', () => {
  it("keeps absent fields, clears a null description, and refuses another category's title", async () => {
    const id = await createCategory(acme, 'Regions', 'By area.');
    const renamed = await acme.request(UpdateGroupCategory, { id, input: { title: 'Areas' } });
    expect(renamed.updateGroupCategory).toMatchObject({ groupCategory: { title: 'Areas', description: 'By area.' } });
    const cleared = await acme.request(UpdateGroupCategory, { id, input: { description: null } });
    expect(cleared.updateGroupCategory).toMatchObject({ groupCategory: { title: 'Areas', description: null } });
    await createCategory(acme, 'Committees');
    const clash = await acme.request(UpdateGroupCategory, { id, input: { title: 'committees' } });
    expect(clash.updateGroupCategory.__typename).toBe('ConflictError');
    const empty = await acme.request(UpdateGroupCategory, { id, input: { title: null } });
    expect(empty.updateGroupCategory.__typename === 'ValidationError' && empty.updateGroupCategory.fieldErrors[0]!.path).toEqual(['input', 'title']);
    expect((await acme.request(GetGroupCategory, { id })).groupCategory?.title).toBe('Areas');
  });

  it("answers NotFoundError for an unknown, malformed or another organisation's category", async () => {
    const id = await createCategory(acme, 'Owned');
    const other = await createOrgClient(test, 'Category thieves');
    for (const [client, target] of [
      [acme, unknownId('GroupCategory')],
      [acme, 'garbage'],
      [other, id],
    ] as const) {
      const { updateGroupCategory } = await client.request(UpdateGroupCategory, { id: target, input: { title: 'Taken over' } });
      expect(updateGroupCategory).toMatchObject({ __typename: 'NotFoundError', resource: 'GroupCategory' });
    }
  });
});

describe('Mutation.deleteGroupCategory', () => {
  it('deletes the category and leaves its groups uncategorised, members and all', async () => {
    const id = await createCategory(acme, 'Temporary');
    const group = await createGroup(acme, { title: 'Survivor', categoryId: id });
    const personId = await createPersonId(acme, 'Survivor member');
    await addMember(acme, group.id, personId);
    const { deleteGroupCategory } = await acme.request(DeleteGroupCategory, { id });
    expect(deleteGroupCategory).toEqual({ __typename: 'DeleteGroupCategorySuccess', deletedId: id });
    expect((await acme.request(GetGroup, { id: group.id })).group).toEqual({ ...group, category: null });
    expect(await test.prisma.group.findUnique({ where: { id: localIdOf(group.id) } })).toMatchObject({ categoryId: null });
    expect((await membersOf(group.id)).members.totalCount).toBe(1);
    const again = await acme.request(DeleteGroupCategory, { id });
    expect(again.deleteGroupCategory.__typename).toBe('NotFoundError');
  });

  it("answers NotFoundError for another organisation's category and keeps it", async () => {
    const id = await createCategory(acme, 'Kept category');
    const other = await createOrgClient(test, 'Category deleters');
    const { deleteGroupCategory } = await other.request(DeleteGroupCategory, { id });
    expect(deleteGroupCategory.__typename).toBe('NotFoundError');
    expect((await acme.request(GetGroupCategory, { id })).groupCategory?.title).toBe('Kept category');
  });
});

describe('Mutation.createGroup', () => {
  it('creates a group in a category, listed by GroupCategory.groups; titles may repeat', async () => {
    const categoryId = await createCategory(acme, 'Local chapters');
    const north = await createGroup(acme, { title: ' North ', description: 'Up there.', categoryId });
    expect(north).toMatchObject({ title: 'North', description: 'Up there.', category: { id: categoryId, title: 'Local chapters' } });
    const twin = await createGroup(acme, { title: 'North' });
    expect(twin).toMatchObject({ title: 'North', description: null, category: null });
    expect((await acme.request(GetGroupCategory, { id: categoryId })).groupCategory?.groups).toEqual({
      totalCount: 1,
      edges: [{ node: { id: north.id, title: 'North' } }],
    });
    expect((await acme.request(GroupNode, { id: north.id })).node).toEqual({ __typename: 'Group', id: north.id });
  });

  it.each<[string, GroupInput, string[]]>([
    ['an empty title', { title: ' ' }, ['input', 'title']],
    ['a title over 500 characters', { title: 'x'.repeat(501) }, ['input', 'title']],
    ['a description over 5000 characters', { title: 'Wordy', description: 'x'.repeat(5001) }, ['input', 'description']],
    ['an unknown category', { title: 'Lost', categoryId: unknownId('GroupCategory') }, ['input', 'categoryId']],
    ['a category id that is not one', { title: 'Lost', categoryId: 'garbage' }, ['input', 'categoryId']],
  ])('refuses %s with a ValidationError naming the field, writing nothing', async (_name, input, path) => {
    const before = await countGroups();
    const { createGroup: result } = await acme.request(CreateGroup, { input });
    expect(result.__typename === 'ValidationError' && result.fieldErrors.map((error) => error.path)).toEqual([path]);
    expect(await countGroups()).toBe(before);
  });

  it("refuses another organisation's category at input.categoryId", async () => {
    const other = await createOrgClient(test, 'Foreign categories');
    const theirs = await createCategory(other, 'Theirs');
    const before = await countGroups();
    const { createGroup: result } = await acme.request(CreateGroup, { input: { title: 'Mixed', categoryId: theirs } });
    expect(result.__typename === 'ValidationError' && result.fieldErrors[0]!.path).toEqual(['input', 'categoryId']);
    expect(await countGroups()).toBe(before);
  });

  it('refuses a viewer with a ForbiddenError', async () => {
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    const before = await countGroups();
    const { createGroup: result } = await viewer.request(CreateGroup, { input: { title: 'Viewers' } });
    expect(result.__typename).toBe('ForbiddenError');
    expect(await countGroups()).toBe(before);
  });
});

describe('Query.groups', () => {
  let org: TestClient;
  let teams: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    org = await createOrgClient(test, 'Group Lister');
    teams = await createCategory(org, 'Teams');
    ids.press = (await createGroup(org, { title: 'Press team', categoryId: teams })).id;
    ids.board = (await createGroup(org, { title: 'Board' })).id;
    ids.canvass = (await createGroup(org, { title: 'Canvassing team', categoryId: teams })).id;
  });

  it('lists the groups by title, page by page', async () => {
    const first = await org.request(ListGroups, { first: 2 });
    expect(first.groups.totalCount).toBe(3);
    expect(first.groups.edges.map((edge) => edge.node.id)).toEqual([ids.board, ids.canvass]);
    const rest = await org.request(ListGroups, { first: 2, after: first.groups.pageInfo.endCursor });
    expect(rest.groups.edges.map((edge) => edge.node.id)).toEqual([ids.press]);
  });

  it('filters by category and by text in the title, totalCount included', async () => {
    const byCategory = await org.request(ListGroups, { filter: { categoryId: teams } });
    expect(byCategory.groups.edges.map((edge) => edge.node.id)).toEqual([ids.canvass, ids.press]);
    expect(byCategory.groups.totalCount).toBe(2);
    const byTitle = await org.request(ListGroups, { filter: { title: 'TEAM', categoryId: teams } });
    expect(byTitle.groups.totalCount).toBe(2);
    const press = await org.request(ListGroups, { filter: { title: 'press' } });
    expect(press.groups.edges.map((edge) => edge.node.id)).toEqual([ids.press]);
  });

  it("matches nothing for a category that is unknown, malformed or another organisation's", async () => {
    for (const categoryId of [unknownId('GroupCategory'), 'garbage', teams]) {
      const client = categoryId === teams ? acme : org;
      expect((await client.request(ListGroups, { filter: { categoryId } })).groups.totalCount).toBe(0);
    }
  });

  it("never shows another organisation's groups", async () => {
    expect((await acme.request(ListGroups, { filter: { title: 'Canvassing' } })).groups.totalCount).toBe(0);
    expect((await acme.request(GetGroup, { id: ids.board! })).group).toBeNull();
    expect((await acme.request(GroupNode, { id: ids.board! })).node).toBeNull();
    expect((await acme.request(GetGroup, { id: 'garbage' })).group).toBeNull();
  });
});

describe('Mutation.updateGroup', () => {
  it('keeps absent fields, clears those given as null, and moves between categories (PATCH)', async () => {
    const first = await createCategory(acme, 'First kind');
    const second = await createCategory(acme, 'Second kind');
    const group = await createGroup(acme, { title: 'Movable', description: 'Keep me', categoryId: first });
    const moved = await acme.request(UpdateGroup, { id: group.id, input: { categoryId: second } });
    expect(moved.updateGroup).toMatchObject({ group: { title: 'Movable', description: 'Keep me', category: { id: second } } });
    const cleared = await acme.request(UpdateGroup, { id: group.id, input: { categoryId: null, description: null, title: 'Moved' } });
    expect(cleared.updateGroup).toMatchObject({ group: { title: 'Moved', description: null, category: null } });
  });

  it.each<[string, UpdateGroupInput, string[]]>([
    ['a null title', { title: null }, ['input', 'title']],
    ['a title over 500 characters', { title: 'y'.repeat(501) }, ['input', 'title']],
    ['an unknown category', { categoryId: unknownId('GroupCategory') }, ['input', 'categoryId']],
  ])('refuses %s with a ValidationError, changing nothing', async (name, input, path) => {
    const group = await createGroup(acme, { title: `Steady ${name}` });
    const { updateGroup } = await acme.request(UpdateGroup, { id: group.id, input });
    expect(updateGroup.__typename === 'ValidationError' && updateGroup.fieldErrors[0]!.path).toEqual(path);
    expect((await acme.request(GetGroup, { id: group.id })).group).toEqual(group);
  });

  it("answers NotFoundError for an unknown, malformed or another organisation's group", async () => {
    const group = await createGroup(acme, { title: 'Ours' });
    const other = await createOrgClient(test, 'Group thieves');
    for (const [client, id] of [
      [acme, unknownId('Group')],
      [acme, 'garbage'],
      [other, group.id],
    ] as const) {
      const { updateGroup } = await client.request(UpdateGroup, { id, input: { title: 'Theirs now' } });
      expect(updateGroup).toMatchObject({ __typename: 'NotFoundError', resource: 'Group' });
    }
    expect((await acme.request(GetGroup, { id: group.id })).group?.title).toBe('Ours');
  });
});

describe('Mutation.addGroupMember', () => {
  let group: string;

  beforeAll(async () => {
    group = (await createGroup(acme, { title: 'Joinable' })).id;
  });

  it('adds a person as MEMBER by default, with a GROUP_JOINED event', async () => {
    const personId = await createPersonId(acme, 'Joiner');
    const result = await addMember(acme, group, personId);
    expect(result).toMatchObject({ membership: { group: { id: group }, person: { id: personId }, role: 'MEMBER' } });
    expect((await timelineOf(test, personId)).at(-1)).toEqual({
      type: 'GROUP_JOINED',
      actorId: acme.userId,
      data: { groupId: localIdOf(group), title: 'Joinable', role: 'MEMBER' },
    });
  });

  it('is idempotent (PUT): the same call again changes nothing; another role sets it', async () => {
    const personId = await createPersonId(acme, 'Repeated');
    const first = await addMember(acme, group, personId, 'MEMBER');
    expect(await addMember(acme, group, personId, 'MEMBER')).toEqual(first);
    const promoted = await addMember(acme, group, personId, 'MANAGER');
    expect(promoted).toMatchObject({ membership: { role: 'MANAGER' } });
    expect(await test.prisma.groupMembership.count({ where: { personId: localIdOf(personId) } })).toBe(1);
    const events = (await timelineOf(test, personId)).filter((event) => event.type.startsWith('GROUP_'));
    expect(events.map((event) => [event.type, event.data])).toEqual([
      ['GROUP_JOINED', { groupId: localIdOf(group), title: 'Joinable', role: 'MEMBER' }],
      ['GROUP_ROLE_CHANGED', { groupId: localIdOf(group), title: 'Joinable', before: 'MEMBER', after: 'MANAGER' }],
    ]);
  });

  it('leaves a role that does not exist to GraphQL itself, writing nothing', async () => {
    const personId = await createPersonId(acme, 'Odd role');
    const before = await countMemberships();
    const error = await expectGraphQLError(addMember(acme, group, personId, 'OWNER' as GroupRole));
    expect(error.response.errors?.[0]?.message).toMatch(/GroupRole/);
    expect(await countMemberships()).toBe(before);
  });

  it("answers NotFoundError for an unknown, malformed or another organisation's group or person", async () => {
    const personId = await createPersonId(acme, 'Stays out');
    const other = await createOrgClient(test, 'Foreign groups');
    const theirGroup = (await createGroup(other, { title: 'Theirs' })).id;
    const theirPerson = await createPersonId(other, 'Theirs');
    const before = await countMemberships();
    for (const [groupId, target, resource] of [
      [unknownId('Group'), personId, 'Group'],
      ['garbage', personId, 'Group'],
      [theirGroup, personId, 'Group'],
      [group, unknownId('Person'), 'Person'],
      [group, 'garbage', 'Person'],
      [group, theirPerson, 'Person'],
    ] as const) {
      expect(await addMember(acme, groupId, target)).toMatchObject({ __typename: 'NotFoundError', resource });
    }
    expect(await countMemberships()).toBe(before);
  });

  it('refuses a viewer with a ForbiddenError', async () => {
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    const personId = await createPersonId(acme, 'Viewed');
    const before = await countMemberships();
    expect((await addMember(viewer, group, personId)).__typename).toBe('ForbiddenError');
    expect(await countMemberships()).toBe(before);
  });
});

describe('Mutation.updateGroupMember', () => {
  it("changes a member's role with a GROUP_ROLE_CHANGED event; a non-member is NotFound", async () => {
    const group = (await createGroup(acme, { title: 'Roles' })).id;
    const member = await createPersonId(acme, 'Promoted');
    await addMember(acme, group, member);
    const { updateGroupMember } = await acme.request(UpdateGroupMember, { groupId: group, personId: member, role: 'MANAGER' });
    expect(updateGroupMember).toEqual({ __typename: 'UpdateGroupMemberSuccess', membership: { person: { id: member }, role: 'MANAGER' } });
    expect((await timelineOf(test, member)).at(-1)).toMatchObject({ type: 'GROUP_ROLE_CHANGED', data: { before: 'MEMBER', after: 'MANAGER' } });

    const outsider = await createPersonId(acme, 'Outsider');
    const before = await countMemberships();
    const refused = await acme.request(UpdateGroupMember, { groupId: group, personId: outsider, role: 'MANAGER' });
    expect(refused.updateGroupMember).toMatchObject({
      __typename: 'NotFoundError',
      resource: 'Person',
      id: outsider,
      message: 'This person is not a member of the group "Roles".',
    });
    expect(await countMemberships()).toBe(before);
  });

  it("answers NotFoundError for another organisation's group, keeping the role", async () => {
    const group = (await createGroup(acme, { title: 'Guarded' })).id;
    const member = await createPersonId(acme, 'Guarded member');
    await addMember(acme, group, member);
    const other = await createOrgClient(test, 'Role changers');
    const { updateGroupMember } = await other.request(UpdateGroupMember, { groupId: group, personId: member, role: 'MANAGER' });
    expect(updateGroupMember).toMatchObject({ __typename: 'NotFoundError', resource: 'Group' });
    expect((await membersOf(group)).managers.totalCount).toBe(0);
  });
});

describe('Mutation.removeGroupMember', () => {
  it('takes the person out with a GROUP_LEFT event; a second time is NotFound', async () => {
    const group = (await createGroup(acme, { title: 'Leavable' })).id;
    const personId = await createPersonId(acme, 'Leaver');
    await addMember(acme, group, personId, 'MANAGER');
    const { removeGroupMember } = await acme.request(RemoveGroupMember, { groupId: group, personId });
    expect(removeGroupMember).toEqual({ __typename: 'RemoveGroupMemberSuccess', group: { id: group, members: { totalCount: 0 } } });
    expect((await timelineOf(test, personId)).at(-1)).toEqual({
      type: 'GROUP_LEFT',
      actorId: acme.userId,
      data: { groupId: localIdOf(group), title: 'Leavable', role: 'MANAGER' },
    });
    const again = await acme.request(RemoveGroupMember, { groupId: group, personId });
    expect(again.removeGroupMember).toMatchObject({ __typename: 'NotFoundError', resource: 'Person', id: personId });
  });
});

describe('Group.members and Group.managers', () => {
  it('lists everyone with their role in members, managers included, and only managers in managers', async () => {
    const group = (await createGroup(acme, { title: 'Mixed roles' })).id;
    const people: string[] = [];
    for (const [index, role] of (['MEMBER', 'MANAGER', 'MEMBER', 'MANAGER', 'MEMBER'] as const).entries()) {
      const personId = await createPersonId(acme, `Person ${index}`);
      await addMember(acme, group, personId, role);
      people.push(personId);
    }
    const seen: { person: { id: string }; role: string }[] = [];
    let after: string | null | undefined;
    for (;;) {
      const { group: page } = await acme.request(GroupPeople, { id: group, first: 2, after });
      expect(page!.members.totalCount).toBe(5);
      seen.push(...page!.members.edges.map((edge) => edge.node));
      if (!page!.members.pageInfo.hasNextPage) break;
      after = page!.members.pageInfo.endCursor;
    }
    expect(seen).toEqual(people.map((id, index) => ({ person: { id }, role: index % 2 === 1 ? 'MANAGER' : 'MEMBER' })));
    const { managers } = await membersOf(group);
    expect(managers).toEqual({
      totalCount: 2,
      edges: [people[1], people[3]].map((id) => ({ node: { person: { id }, role: 'MANAGER' } })),
    });
  });
});

describe('Person.groups', () => {
  it('lists the groups a person is in, with the role in each', async () => {
    const personId = await createPersonId(acme, 'Joiner of many');
    const choir = (await createGroup(acme, { title: 'Choir' })).id;
    const board = (await createGroup(acme, { title: 'Board of trustees' })).id;
    await addMember(acme, choir, personId);
    await addMember(acme, board, personId, 'MANAGER');
    const { person } = await acme.request(PersonGroups, { id: personId });
    expect(person?.groups).toEqual({
      totalCount: 2,
      edges: [
        { node: { group: { id: choir, title: 'Choir' }, role: 'MEMBER' } },
        { node: { group: { id: board, title: 'Board of trustees' }, role: 'MANAGER' } },
      ],
    });
  });
});

describe('Mutation.deleteGroup', () => {
  it("deletes the group and its memberships in one transaction, saying so on each member's timeline", async () => {
    const group = (await createGroup(acme, { title: 'Disbanded' })).id;
    const members = [await createPersonId(acme, 'Member A'), await createPersonId(acme, 'Member B')];
    for (const personId of members) await addMember(acme, group, personId);
    const { deleteGroup } = await acme.request(DeleteGroup, { id: group });
    expect(deleteGroup).toEqual({ __typename: 'DeleteGroupSuccess', deletedId: group });
    expect(await test.prisma.groupMembership.count({ where: { groupId: localIdOf(group) } })).toBe(0);
    for (const personId of members) {
      const { person } = await acme.request(PersonGroups, { id: personId });
      expect(person?.groups.totalCount).toBe(0);
      expect((await timelineOf(test, personId)).at(-1)).toEqual({
        type: 'GROUP_LEFT',
        actorId: acme.userId,
        data: { groupId: localIdOf(group), title: 'Disbanded', reason: 'GROUP_DELETED' },
      });
    }
    const again = await acme.request(DeleteGroup, { id: group });
    expect(again.deleteGroup.__typename).toBe('NotFoundError');
  });

  it("answers NotFoundError for another organisation's group and keeps it", async () => {
    const group = (await createGroup(acme, { title: 'Not theirs' })).id;
    const other = await createOrgClient(test, 'Group deleters');
    const { deleteGroup } = await other.request(DeleteGroup, { id: group });
    expect(deleteGroup.__typename).toBe('NotFoundError');
    expect((await acme.request(GetGroup, { id: group })).group?.title).toBe('Not theirs');
  });
});

describe('Mutation.deletePerson', () => {
  it("removes the person's memberships and keeps the groups", async () => {
    const group = (await createGroup(acme, { title: 'Outlives members' })).id;
    const personId = await createPersonId(acme, 'Gone member');
    const stayer = await createPersonId(acme, 'Stayer');
    await addMember(acme, group, personId, 'MANAGER');
    await addMember(acme, group, stayer);
    const { deletePerson } = await acme.request(DeletePersonInGroups, { id: personId });
    expect(deletePerson.__typename).toBe('DeletePersonSuccess');
    expect(await test.prisma.groupMembership.count({ where: { personId: localIdOf(personId) } })).toBe(0);
    const { members, managers } = await membersOf(group);
    expect(members.edges.map((edge) => edge.node.person.id)).toEqual([stayer]);
    expect(managers.totalCount).toBe(0);
  });
});
