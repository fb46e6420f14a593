import { builder } from '../../graphql/builder.ts';
import { titledMutations } from '../../graphql/titled-mutations.ts';
import { organizationOf, serviceContext } from '../../graphql/context.ts';
import { likeLiteral } from '../../db/like-pattern.ts';
import { createTag, deleteTag, tagPerson, untagPerson, updateTag } from '../tag-service.ts';
import { mutationResult } from '../../graphql/errors.ts';
import { localId, targetId } from '../../graphql/ids.ts';
import { searchTextBound } from '../../graphql/input-limits.ts';

export const TagValueTypeEnum = builder.enumType('TagValueType', {
  description: 'What value a tag carries on each person it is on, if any.',
  values: ['TEXT', 'NUMBER'] as const,
});

export const Tag = builder.prismaNode('Tag', {
  description: 'A label of the organisation, put on people (seed 000), optionally with a value.',
  id: { field: 'id' },
  select: { id: true },
  // node(id) answers null, not an error, for an id that is not (or not yours).
  nullable: true,
  findUnique: (id, ctx) => ({ id, organizationId: organizationOf(ctx) }),
  fields: (t) => ({
    title: t.exposeString('title', { description: 'Unique in the organisation, whatever its case.' }),
    description: t.exposeString('description', { nullable: true }),
    color: t.exposeString('color', { nullable: true, description: 'A colour as #rrggbb.' }),
    hidden: t.exposeBoolean('hidden'),
    valueType: t.expose('valueType', {
      type: TagValueTypeEnum,
      nullable: true,
      description: 'null: the tag carries no value.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    people: t.relatedConnection('people', {
      cursor: 'personId_tagId',
      // Two ids per cursor; http/bad-values.ts refuses any other form.
      extensions: { cursorKeys: 2 },
      totalCount: true,
      description: 'The people who have this tag, with its value on each, in the order they got it.',
      query: { orderBy: [{ createdAt: 'asc' }, { personId: 'asc' }] },
    }),
  }),
});

export const TagAssignment = builder.prismaObject('PersonTag', {
  name: 'TagAssignment',
  description: 'A tag on a person, with its value.',
  // Select mode: only the columns asked for (a select needs one column at least).
  select: { tagId: true },
  fields: (t) => ({
    tag: t.relation('tag'),
    person: t.relation('person'),
    value: t.expose('value', { type: 'JSON', nullable: true, description: 'Text or number, as the tag takes.' }),
    assignedAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.prismaObjectFields('Person', (t) => ({
  tags: t.relatedConnection('tags', {
    cursor: 'personId_tagId',
    // Two ids per cursor; http/bad-values.ts refuses any other form.
    extensions: { cursorKeys: 2 },
    totalCount: true,
    description: "This person's tags with their values (seed 000), in the order they were put on.",
    query: { orderBy: [{ createdAt: 'asc' }, { tagId: 'asc' }] },
  }),
}));

const TagFilterInput = builder.inputType('TagFilter', {
  fields: (t) => ({
    title: t.string({ description: 'Text in the title, whatever its case.', extensions: searchTextBound }),
  }),
});

function tagsWhere(organizationId: string, filter: typeof TagFilterInput.$inferInput | null | undefined) {
  const title = filter?.title?.trim();
  return { organizationId, ...(title ? { title: { contains: likeLiteral(title), mode: 'insensitive' as const } } : {}) };
}

builder.queryField('tags', (t) =>
  t.prismaConnection({
    type: 'Tag',
    cursor: 'id',
    description: "Your organisation's tags, by title.",
    args: { filter: t.arg({ type: TagFilterInput }) },
    resolve: (query, _root, { filter }, ctx) =>
      ctx.prisma.tag.findMany({
        ...query,
        where: tagsWhere(organizationOf(ctx), filter),
        orderBy: [{ titleKey: 'asc' }, { id: 'asc' }],
      }),
    totalCount: (_root, { filter }, ctx) => ctx.prisma.tag.count({ where: tagsWhere(organizationOf(ctx), filter) }),
  }),
);

builder.queryField('tag', (t) =>
  t.prismaField({
    type: 'Tag',
    nullable: true,
    description: 'A tag by global id; null when there is none in your organisation.',
    args: { id: t.arg.id({ required: true }) },
    // An id that is not a Tag's matches no row; the query still runs so that its plan is used.
    resolve: (query, _root, { id }, ctx) =>
      ctx.prisma.tag.findFirst({ ...query, where: { id: localId(id, 'Tag') ?? '', organizationId: organizationOf(ctx) } }),
  }),
);

const CreateTagInput = builder.inputType('TagInput', {
  fields: (t) => ({
    title: t.string({ required: true, description: 'Required; at most 500 characters; unique whatever its case.' }),
    description: t.string({ description: 'At most 5000 characters.' }),
    color: t.string({ description: 'A colour as #rrggbb.' }),
    hidden: t.boolean({ description: 'Default false.' }),
    valueType: t.field({ type: TagValueTypeEnum, description: 'Leave out for a tag without values.' }),
  }),
});

const UpdateTagInput = builder.inputType('UpdateTagInput', {
  description: 'Some fields of a tag (PATCH): an absent field is kept, null clears it.',
  fields: (t) => ({
    title: t.string({ description: 'Cannot be cleared.' }),
    description: t.string(),
    color: t.string(),
    hidden: t.boolean(),
    valueType: t.field({
      type: TagValueTypeEnum,
      description: 'Can change (or be cleared) only while the tag is on nobody: ConflictError otherwise.',
    }),
  }),
});

titledMutations({
  typename: 'Tag',
  type: Tag,
  dataField: 'tag',
  createInput: CreateTagInput,
  updateInput: UpdateTagInput,
  create: createTag,
  update: updateTag,
  remove: deleteTag,
  descriptions: {
    create: 'Creates a tag; a title already taken (whatever its case) is a ConflictError.',
    update: 'Changes some fields of a tag (PATCH).',
    delete: 'Deletes a tag and takes it off everyone who had it (TAG_REMOVED on each timeline).',
  },
});

builder.mutationField('tagPerson', (t) =>
  t.field({
    type: TagAssignment,
    description:
      'Puts a tag on a person (PUT, seed 000): idempotent; again with another value changes the value. ' +
      'A tag with a value type needs a value of that type; a tag without one takes none.',
    errors: mutationResult('TagPerson', 'assignment'),
    args: {
      personId: t.arg.id({ required: true }),
      tagId: t.arg.id({ required: true }),
      value: t.arg({ type: 'JSON', description: 'A text for a TEXT tag; a number (or numeric text) for a NUMBER tag.' }),
    },
    resolve: (_root, { personId, tagId, value }, ctx) =>
      tagPerson(serviceContext(ctx), targetId(personId, 'Person'), targetId(tagId, 'Tag'), value),
  }),
);

builder.mutationField('untagPerson', (t) =>
  t.field({
    type: 'Person',
    description: 'Takes a tag off a person (DELETE, seed 000); a tag that is not on them is a NotFoundError.',
    errors: mutationResult('UntagPerson', 'person'),
    args: { personId: t.arg.id({ required: true }), tagId: t.arg.id({ required: true }) },
    resolve: (_root, { personId, tagId }, ctx) =>
      untagPerson(serviceContext(ctx), targetId(personId, 'Person'), targetId(tagId, 'Tag')),
  }),
);
