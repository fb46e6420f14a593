import { builder } from '../../graphql/builder.ts';
import { organizationOf, serviceContext } from '../../graphql/context.ts';
import { ConflictError } from '../../shared/errors.ts';
import { createNoteCategory, deleteNoteCategory, updateNoteCategory } from '../note-category-service.ts';
import { mutationResult } from '../../graphql/errors.ts';
import { targetId } from '../../graphql/ids.ts';

export const NoteCategory = builder.prismaNode('NoteCategory', {
  description: 'What kind of note a note is: a call, a meeting, a summary... Every note has one.',
  id: { field: 'id' },
  select: { id: true },
  // node(id) answers null, not an error, for an id that is not (or not yours).
  nullable: true,
  findUnique: (id, ctx) => ({ id, organizationId: organizationOf(ctx) }),
  fields: (t) => ({
    title: t.exposeString('title', { description: 'Unique in the organisation, whatever its case.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

const NoteCategoryInput = builder.inputType('NoteCategoryInput', {
  fields: (t) => ({
    title: t.string({ required: true, description: 'Required; at most 500 characters; unique whatever its case.' }),
  }),
});

builder.queryField('noteCategories', (t) =>
  t.prismaConnection({
    type: 'NoteCategory',
    cursor: 'id',
    description: "Your organisation's note categories, by title.",
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.noteCategory.findMany({
        ...query,
        where: { organizationId: organizationOf(ctx) },
        orderBy: [{ title: 'asc' }, { id: 'asc' }],
      }),
    totalCount: (_root, _args, ctx) => ctx.prisma.noteCategory.count({ where: { organizationId: organizationOf(ctx) } }),
  }),
);

builder.mutationField('createNoteCategory', (t) =>
  t.field({
    type: NoteCategory,
    description: 'Creates a note category; a title already taken (whatever its case) is a ConflictError.',
    errors: mutationResult('CreateNoteCategory', 'noteCategory', [ConflictError]),
    args: { input: t.arg({ type: NoteCategoryInput, required: true }) },
    resolve: (_root, { input }, ctx) => createNoteCategory(serviceContext(ctx), input),
  }),
);

builder.mutationField('updateNoteCategory', (t) =>
  t.field({
    type: NoteCategory,
    description: 'Renames a note category; a title already taken is a ConflictError.',
    errors: mutationResult('UpdateNoteCategory', 'noteCategory', [ConflictError]),
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: NoteCategoryInput, required: true }) },
    resolve: (_root, { id, input }, ctx) =>
      updateNoteCategory(serviceContext(ctx), targetId(id, 'NoteCategory'), input),
  }),
);

builder.mutationField('deleteNoteCategory', (t) =>
  t.field({
    type: 'ID',
    description: 'Deletes a note category; one that notes still use is a ConflictError (seed 002).',
    errors: mutationResult('DeleteNoteCategory', 'deletedId', [ConflictError]),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await deleteNoteCategory(serviceContext(ctx), targetId(id, 'NoteCategory'));
      return id;
    },
  }),
);
