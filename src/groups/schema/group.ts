import { builder } from '../../graphql/builder.ts';
import { organizationOf, serviceContext } from '../../graphql/context.ts';
import { likeLiteral } from '../../db/like-pattern.ts';
import { IssueList } from '../../shared/errors.ts';
import {
  addGroupMember,
  createGroup,
  deleteGroup,
  type GroupInput,
  removeGroupMember,
  updateGroup,
  updateGroupMember,
} from '../group-service.ts';
import { mutationResult } from '../../graphql/errors.ts';
import { inputId, localId, targetId } from '../../graphql/ids.ts';
import { searchTextBound } from '../../graphql/input-limits.ts';

export const GroupRoleEnum = builder.enumType('GroupRole', {
  description: 'What a person is in a group.',
  values: ['MEMBER', 'MANAGER'] as const,
});

const membersOrder = [{ createdAt: 'asc' as const }, { personId: 'asc' as const }];

export const Group = builder.prismaNode('Group', {
  description: 'A group of people (seed 000, seed 003), optionally of a category, with members and managers.',
  id: { field: 'id' },
  select: { id: true },
  // node(id) answers null, not an error, for an id that is not (or not yours).
  nullable: true,
  findUnique: (id, ctx) => ({ id, organizationId: organizationOf(ctx) }),
  fields: (t) => ({
    title: t.exposeString('title'),
    description: t.exposeString('description', { nullable: true }),
    category: t.relation('category', { nullable: true, description: 'null: uncategorised.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    members: t.relatedConnection('memberships', {
      cursor: 'groupId_personId',
      // Two ids per cursor; http/bad-values.ts refuses any other form.
      extensions: { cursorKeys: 2 },
      totalCount: true,
      description: 'Everyone in the group, managers included, each with their role, in the order they joined.',
      query: { orderBy: membersOrder },
    }),
    managers: t.relatedConnection('memberships', {
      cursor: 'groupId_personId',
      // Two ids per cursor; http/bad-values.ts refuses any other form.
      extensions: { cursorKeys: 2 },
      totalCount: true,
      description: "The group's managers only (seed 000 lists them apart), in the order they joined.",
      query: { where: { role: 'MANAGER' }, orderBy: membersOrder },
    }),
  }),
});

export const GroupMembership = builder.prismaObject('GroupMembership', {
  description: 'A person in a group, with their role.',
  // Select mode: only the columns asked for (a select needs one column at least).
  select: { groupId: true },
  fields: (t) => ({
    group: t.relation('group'),
    person: t.relation('person'),
    role: t.expose('role', { type: GroupRoleEnum }),
    joinedAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectFields('Person', (t) => ({
  groups: t.relatedConnection('memberships', {
    cursor: 'groupId_personId',
    // Two ids per cursor; http/bad-values.ts refuses any other form.
    extensions: { cursorKeys: 2 },
    totalCount: true,
    description: "The groups this person is in, with their role in each, in the order they joined.",
    query: { orderBy: [{ createdAt: 'asc' }, { groupId: 'asc' }] },
  }),
}));

const GroupFilterInput = builder.inputType('GroupFilter', {
  description: 'Narrows the list of groups; the conditions given must all hold.',
  fields: (t) => ({
    title: t.string({ description: 'Text in the title, whatever its case.', extensions: searchTextBound }),
    categoryId: t.id({ description: 'Groups of this GroupCategory.' }),
  }),
});

function groupsWhere(organizationId: string, filter: typeof GroupFilterInput.$inferInput | null | undefined) {
  const title = filter?.title?.trim();
  return {
    organizationId,
    ...(title ? { title: { contains: likeLiteral(title), mode: 'insensitive' as const } } : {}),
    // An id that is not a GroupCategory's matches no group, as an unknown one would.
    ...(filter?.categoryId != null ? { categoryId: localId(filter.categoryId, 'GroupCategory') ?? '' } : {}),
  };
}

builder.queryField('groups', (t) =>
  t.prismaConnection({
    type: 'Group',
    cursor: 'id',
    description: "Your organisation's groups, by title.",
    args: { filter: t.arg({ type: GroupFilterInput }) },
    resolve: (query, _root, { filter }, ctx) =>
      ctx.prisma.group.findMany({
        ...query,
        where: groupsWhere(organizationOf(ctx), filter),
        orderBy: [{ title: 'asc' }, { id: 'asc' }],
      }),
    totalCount: (_root, { filter }, ctx) => ctx.prisma.group.count({ where: groupsWhere(organizationOf(ctx), filter) }),
  }),
);

builder.queryField('group', (t) =>
  t.prismaField({
    type: 'Group',
    nullable: true,
    description: 'A group by global id; null when there is none in your organisation.',
    args: { id: t.arg.id({ required: true }) },
    // An id that is not a Group's matches no row; the query still runs so that its plan is used.
    resolve: (query, _root, { id }, ctx) =>
      ctx.prisma.group.findFirst({ ...query, where: { id: localId(id, 'Group') ?? '', organizationId: organizationOf(ctx) } }),
  }),
);

const CreateGroupInput = builder.inputType('GroupInput', {
  fields: (t) => ({
    title: t.string({ required: true, description: 'Required; at most 500 characters.' }),
    description: t.string({ description: 'At most 5000 characters.' }),
    categoryId: t.id({ description: 'A GroupCategory of this organisation; none leaves the group uncategorised.' }),
  }),
});

const UpdateGroupInput = builder.inputType('UpdateGroupInput', {
  description: 'Some fields of a group (PATCH): an absent field is kept, null clears it.',
  fields: (t) => ({
    title: t.string({ description: 'Cannot be cleared.' }),
    description: t.string(),
    categoryId: t.id({ description: 'null leaves the group uncategorised.' }),
  }),
});

function toGroupInput(input: typeof CreateGroupInput.$inferInput | typeof UpdateGroupInput.$inferInput): GroupInput {
  const issues = new IssueList();
  const { categoryId, ...rest } = input;
  const result: GroupInput = { ...rest };
  if (categoryId !== undefined) {
    result.categoryId = categoryId && inputId(issues, ['input', 'categoryId'], categoryId, 'GroupCategory');
  }
  issues.throwIfAny();
  return result;
}

builder.mutationField('createGroup', (t) =>
  t.field({
    type: Group,
    errors: mutationResult('CreateGroup', 'group'),
    args: { input: t.arg({ type: CreateGroupInput, required: true }) },
    resolve: (_root, { input }, ctx) => createGroup(serviceContext(ctx), toGroupInput(input)),
  }),
);

builder.mutationField('updateGroup', (t) =>
  t.field({
    type: Group,
    description: 'Changes some fields of a group (PATCH).',
    errors: mutationResult('UpdateGroup', 'group'),
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateGroupInput, required: true }) },
    resolve: (_root, { id, input }, ctx) => updateGroup(serviceContext(ctx), targetId(id, 'Group'), toGroupInput(input)),
  }),
);

builder.mutationField('deleteGroup', (t) =>
  t.field({
    type: 'ID',
    description: 'Deletes a group and its memberships (GROUP_LEFT on each member\'s timeline).',
    errors: mutationResult('DeleteGroup', 'deletedId'),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await deleteGroup(serviceContext(ctx), targetId(id, 'Group'));
      return id;
    },
  }),
);

builder.mutationField('addGroupMember', (t) =>
  t.field({
    type: GroupMembership,
    description: 'Puts a person in a group with this role (PUT, seed 000): idempotent; for a member, sets the role.',
    errors: mutationResult('AddGroupMember', 'membership'),
    args: {
      groupId: t.arg.id({ required: true }),
      personId: t.arg.id({ required: true }),
      role: t.arg({ type: GroupRoleEnum, required: true, defaultValue: 'MEMBER' }),
    },
    resolve: (_root, { groupId, personId, role }, ctx) =>
      addGroupMember(serviceContext(ctx), targetId(groupId, 'Group'), targetId(personId, 'Person'), role),
  }),
);

builder.mutationField('updateGroupMember', (t) =>
  t.field({
    type: GroupMembership,
    description: "Changes a member's role (PATCH, seed 000); someone who is not a member is a NotFoundError.",
    errors: mutationResult('UpdateGroupMember', 'membership'),
    args: {
      groupId: t.arg.id({ required: true }),
      personId: t.arg.id({ required: true }),
      role: t.arg({ type: GroupRoleEnum, required: true }),
    },
    resolve: (_root, { groupId, personId, role }, ctx) =>
      updateGroupMember(serviceContext(ctx), targetId(groupId, 'Group'), targetId(personId, 'Person'), role),
  }),
);

builder.mutationField('removeGroupMember', (t) =>
  t.field({
    type: Group,
    description: 'Takes a person out of a group (DELETE, seed 000); someone who is not a member is a NotFoundError.',
    errors: mutationResult('RemoveGroupMember', 'group'),
    args: { groupId: t.arg.id({ required: true }), personId: t.arg.id({ required: true }) },
    resolve: (_root, { groupId, personId }, ctx) =>
      removeGroupMember(serviceContext(ctx), targetId(groupId, 'Group'), targetId(personId, 'Person')),
  }),
);
