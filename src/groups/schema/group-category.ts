import { builder } from '../../graphql/builder.ts';
import { titledMutations } from '../../graphql/titled-mutations.ts';
import { organizationOf } from '../../graphql/context.ts';
import {
  createGroupCategory,
  deleteGroupCategory,
  updateGroupCategory,
} from '../group-category-service.ts';
import { localId } from '../../graphql/ids.ts';

export const GroupCategory = builder.prismaNode('GroupCategory', {
  description: 'A kind of group (seed 000): teams, local chapters, working groups...',
  id: { field: 'id' },
  select: { id: true },
  // node(id) answers null, not an error, for an id that is not (or not yours).
  nullable: true,
  findUnique: (id, ctx) => ({ id, organizationId: organizationOf(ctx) }),
  fields: (t) => ({
    title: t.exposeString('title', { description: 'Unique in the organisation, whatever its case.' }),
    description: t.exposeString('description', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    groups: t.relatedConnection('groups', {
      cursor: 'id',
      totalCount: true,
      description: 'The groups of this category, by title.',
      query: { orderBy: [{ title: 'asc' }, { id: 'asc' }] },
    }),
  }),
});

const CreateGroupCategoryInput = builder.inputType('GroupCategoryInput', {
  fields: (t) => ({
    title: t.string({ required: true, description: 'Required; at most 500 characters; unique whatever its case.' }),
    description: t.string({ description: 'At most 5000 characters.' }),
  }),
});

const UpdateGroupCategoryInput = builder.inputType('UpdateGroupCategoryInput', {
  description: 'Some fields of a group category (PATCH): an absent field is kept, null clears it.',
  fields: (t) => ({
    title: t.string({ description: 'Cannot be cleared.' }),
    description: t.string(),
  }),
});

builder.queryField('groupCategories', (t) =>
  t.prismaConnection({
    type: 'GroupCategory',
    cursor: 'id',
    description: "Your organisation's group categories, by title.",
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.groupCategory.findMany({
        ...query,
        where: { organizationId: organizationOf(ctx) },
        orderBy: [{ title: 'asc' }, { id: 'asc' }],
      }),
    totalCount: (_root, _args, ctx) => ctx.prisma.groupCategory.count({ where: { organizationId: organizationOf(ctx) } }),
  }),
);

builder.queryField('groupCategory', (t) =>
  t.prismaField({
    type: 'GroupCategory',
    nullable: true,
    description: 'A group category by global id; null when there is none in your organisation.',
    args: { id: t.arg.id({ required: true }) },
    // An id that is not a GroupCategory's matches no row; the query still runs so that its plan is used.
    resolve: (query, _root, { id }, ctx) =>
      ctx.prisma.groupCategory.findFirst({
        ...query,
        where: { id: localId(id, 'GroupCategory') ?? '', organizationId: organizationOf(ctx) },
      }),
  }),
);

titledMutations({
  typename: 'GroupCategory',
  type: GroupCategory,
  dataField: 'groupCategory',
  createInput: CreateGroupCategoryInput,
  updateInput: UpdateGroupCategoryInput,
  create: createGroupCategory,
  update: updateGroupCategory,
  remove: deleteGroupCategory,
  descriptions: {
    create: 'Creates a group category; a title already taken (whatever its case) is a ConflictError.',
    update: 'Changes some fields of a group category (PATCH).',
    delete: 'Deletes a group category; its groups stay, uncategorised.',
  },
});
