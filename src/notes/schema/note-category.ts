import { builder } from '../../graphql/builder.ts';
import { titledMutations } from '../../graphql/titled-mutations.ts';
import { organizationOf } from '../../graphql/context.ts';
import { createNoteCategory, deleteNoteCategory, updateNoteCategory } from '../note-category-service.ts';

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

titledMutations({
  typename: 'NoteCategory',
  type: NoteCategory,
  dataField: 'noteCategory',
  createInput: NoteCategoryInput,
  updateInput: NoteCategoryInput,
  create: createNoteCategory,
  update: updateNoteCategory,
  remove: deleteNoteCategory,
  descriptions: {
    create: 'Creates a note category; a title already taken (whatever its case) is a ConflictError.',
    update: 'Renames a note category; a title already taken is a ConflictError.',
    delete: 'Deletes a note category; one that notes still use is a ConflictError (seed 002).',
  },
  deleteConflicts: true,
});
