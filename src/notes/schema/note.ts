import { queryFromInfo } from '@pothos/plugin-prisma';
import { builder } from '../../graphql/builder.ts';
import { keysetConnection } from '../../graphql/pagination.ts';
import { type GraphQLContext, serviceContext } from '../../graphql/context.ts';
import { ConflictError, IssueList, ValidationError } from '../../shared/errors.ts';
import { listNotes, type NoteOrder } from '../note-list.ts';
import {
  createNote,
  deleteNote,
  type NoteFilter,
  type NoteInput,
  noteListOrder,
  noteListWhere,
  replaceNote,
  updateNote,
  visibleNotesWhere,
} from '../note-service.ts';
import { emptyAfterBeforeRange } from '../../shared/time-range.ts';
import { expectedVersionDescription, mutationResult } from '../../graphql/errors.ts';
import { inputId, localId, targetId } from '../../graphql/ids.ts';
import { searchTextBound } from '../../graphql/input-limits.ts';
import { asUserInputError, nodesPath, OrderDirectionEnum } from '../../graphql/connections.ts';

const actorOf = (ctx: GraphQLContext) => serviceContext(ctx).actor;

export const Note = builder.prismaNode('Note', {
  description: 'A note on a person: a call, a meeting, a summary. A private note exists only for its author.',
  id: { field: 'id' },
  select: { id: true },
  // node(id) answers null for an id that is not yours, and for someone else's private note.
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...visibleNotesWhere(actorOf(ctx)) }),
  fields: (t) => ({
    title: t.exposeString('title', { nullable: true }),
    description: t.exposeString('description'),
    category: t.relation('category'),
    flagged: t.exposeBoolean('flagged', { description: 'Flagged notes come first in a list.' }),
    isPrivate: t.exposeBoolean('isPrivate', { description: 'Seen by its author only.' }),
    author: t.relation('author', { nullable: true, description: 'Who wrote it; null once that user is gone.' }),
    person: t.relation('person'),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'May lie in the past (a backdated note).' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    version: t.exposeInt('version', { description: 'One more with every change; give it as expectedVersion to refuse a stale edit.' }),
  }),
});

const NoteCreatedAtRange = builder.inputType('NoteCreatedAtRange', {
  description: 'Bounds on a creation date; those given must all hold.',
  fields: (t) => ({
    after: t.field({ type: 'DateTime', description: 'At or after.' }),
    strictlyAfter: t.field({ type: 'DateTime' }),
    before: t.field({ type: 'DateTime', description: 'At or before.' }),
    strictlyBefore: t.field({ type: 'DateTime' }),
  }),
});

const NoteFilterInput = builder.inputType('NoteFilter', {
  description: 'Narrows a list of notes (seed 002); the conditions given must all hold.',
  fields: (t) => ({
    personIds: t.idList({ description: 'On any of these people (an empty list matches none).' }),
    q: t.string({ description: 'Text in the title or the description, whatever its case.', extensions: searchTextBound }),
    categoryIds: t.idList({ description: 'In any of these categories (an empty list matches none).' }),
    authorIds: t.idList({ description: 'By any of these users (an empty list matches none).' }),
    flagged: t.boolean(),
    isPrivate: t.boolean({ description: 'Private notes (yours: no one sees anyone else\'s) or shared ones.' }),
    createdAt: t.field({ type: NoteCreatedAtRange }),
  }),
});

/** Ids of other types or of nothing match no note, as an unknown id would. */
function toNoteFilter(filter: typeof NoteFilterInput.$inferInput | null | undefined): NoteFilter | undefined {
  if (!filter) return undefined;
  const decode = (ids: readonly string[] | null | undefined, typename: string) =>
    ids?.flatMap((id) => localId(id, typename) ?? []);
  // As in the people filter, a range no instant fits in is a mistake, not a question whose answer is none.
  const empty = filter.createdAt && emptyAfterBeforeRange(filter.createdAt);
  if (empty) asUserInputError(new ValidationError([{ path: ['filter', 'createdAt'], message: empty }]));
  return {
    ...filter,
    personIds: decode(filter.personIds, 'Person'),
    categoryIds: decode(filter.categoryIds, 'NoteCategory'),
    authorIds: decode(filter.authorIds, 'User'),
  };
}

builder.prismaObjectFields('Person', (t) => ({
  notes: t.relatedConnection('notes', {
    cursor: 'id',
    totalCount: true,
    description: "This person's notes that you may see, flagged first, then newest first.",
    args: { filter: t.arg({ type: NoteFilterInput }) },
    query: (args, ctx) => ({ where: noteListWhere(actorOf(ctx), toNoteFilter(args.filter)), orderBy: noteListOrder }),
  }),
}));

builder.queryField('note', (t) =>
  t.prismaField({
    type: 'Note',
    nullable: true,
    description: "A note by global id; null when there is none you may see (someone else's private note).",
    args: { id: t.arg.id({ required: true }) },
    // An id that is not a Note's matches no row; the query still runs so that its plan is used.
    resolve: (query, _root, { id }, ctx) =>
      ctx.prisma.note.findFirst({
        ...query,
        where: { AND: [{ id: localId(id, 'Note') ?? '' }, visibleNotesWhere(actorOf(ctx))] },
      }),
  }),
);

const NoteOrderFieldEnum = builder.enumType('NoteOrderField', { values: ['FLAGGED', 'CREATED_AT'] as const });

const NoteOrderInput = builder.inputType('NoteOrder', {
  fields: (t) => ({
    field: t.field({ type: NoteOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, defaultValue: 'DESC', description: 'Default DESC: flagged first, newest first.' }),
  }),
});

builder.queryField('notes', (t) =>
  t.connection(
    {
      type: Note,
      description:
        "The notes of your organisation's people that you may see (seed 002's note list), across people: flagged first, then newest, unless orderBy says otherwise; ties by id, in the direction of the last key.",
      args: {
        filter: t.arg({ type: NoteFilterInput }),
        orderBy: t.arg({ type: [NoteOrderInput], extensions: { maxItems: 2 }, description: 'At most 2 keys; a key given twice counts once.' }),
      },
      // Its cursors are keyset positions, checked by db/keyset.ts (not a library's form).
      extensions: { cursorForm: 'keyset' },
      resolve: async (_root, args, ctx, info) => {
        try {
          const nodeQuery = queryFromInfo({ context: ctx, info, typeName: 'Note', path: nodesPath(info) });
          const result = await listNotes(
            ctx.prisma,
            actorOf(ctx),
            { filter: toNoteFilter(args.filter), orderBy: args.orderBy as NoteOrder[] | null, page: args },
            nodeQuery,
          );
          return keysetConnection(result);
        } catch (error) {
          return asUserInputError(error);
        }
      },
    },
    {
      name: 'NoteConnection',
      fields: (c) => ({
        totalCount: c.int({
          description: 'How many notes match, on all pages.',
          resolve: (connection) => (connection as unknown as { totalCount: () => Promise<number> }).totalCount(),
        }),
      }),
    },
    { name: 'NoteEdge' },
  ),
);

const CreateNoteInput = builder.inputType('NoteInput', {
  description: 'Every field of a note. On replace (PUT), fields not given are cleared; createdAt and the author are kept.',
  fields: (t) => ({
    authorId: t.id({
      description:
        "On create: who wrote it, a User of this organisation; you when not given. Only an admin may name someone else (notes imported from elsewhere; others get a ForbiddenError), and not on a private note. On replace it may only repeat the author.",
    }),
    description: t.string({ required: true, description: 'Required; at most 5000 characters.' }),
    categoryId: t.id({ required: true, description: 'A NoteCategory of this organisation.' }),
    title: t.string({ description: 'At most 500 characters.' }),
    flagged: t.boolean({ description: 'Default false.' }),
    isPrivate: t.boolean({ description: "Default false. Only a note's author can make it private." }),
    createdAt: t.field({ type: 'DateTime', description: 'Now when not given; may be in the past, not in the future.' }),
  }),
});

const UpdateNoteInput = builder.inputType('UpdateNoteInput', {
  description: 'Some fields of a note (PATCH): an absent field is kept, null clears the title and unsets a flag.',
  fields: (t) => ({
    description: t.string({ description: 'Cannot be cleared.' }),
    categoryId: t.id({ description: 'Cannot be cleared: a note always has a category.' }),
    title: t.string(),
    flagged: t.boolean(),
    isPrivate: t.boolean(),
    createdAt: t.field({ type: 'DateTime', description: 'Cannot be cleared; not in the future.' }),
  }),
});

function toNoteInput(input: typeof CreateNoteInput.$inferInput | typeof UpdateNoteInput.$inferInput): NoteInput {
  const issues = new IssueList();
  const { categoryId, ...rest } = input;
  const result: NoteInput = { ...rest };
  // null says nothing, as absent: you are the author of what you write.
  delete result.authorId;
  if ('authorId' in input && input.authorId != null) result.authorId = inputId(issues, ['input', 'authorId'], input.authorId, 'User');
  if (categoryId !== undefined) {
    result.categoryId = categoryId && inputId(issues, ['input', 'categoryId'], categoryId, 'NoteCategory');
  }
  issues.throwIfAny();
  return result;
}

builder.mutationField('createNote', (t) =>
  t.field({
    type: Note,
    description: 'Writes a note on a person, with you as its author unless an admin names another (seed 002).',
    errors: mutationResult('CreateNote', 'note'),
    args: { personId: t.arg.id({ required: true }), input: t.arg({ type: CreateNoteInput, required: true }) },
    resolve: (_root, { personId, input }, ctx) =>
      createNote(serviceContext(ctx), targetId(personId, 'Person'), toNoteInput(input)),
  }),
);

builder.mutationField('replaceNote', (t) =>
  t.field({
    type: Note,
    description: 'Replaces every field of a note (PUT): fields not given are cleared, createdAt is kept.',
    errors: mutationResult('ReplaceNote', 'note', [ConflictError]),
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: CreateNoteInput, required: true }),
      expectedVersion: t.arg.int({ description: expectedVersionDescription }),
    },
    resolve: (_root, { id, input, expectedVersion }, ctx) =>
      replaceNote(serviceContext(ctx), targetId(id, 'Note'), toNoteInput(input), expectedVersion),
  }),
);

builder.mutationField('updateNote', (t) =>
  t.field({
    type: Note,
    description: 'Changes some fields of a note (PATCH): absent fields are kept, null clears.',
    errors: mutationResult('UpdateNote', 'note', [ConflictError]),
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdateNoteInput, required: true }),
      expectedVersion: t.arg.int({ description: expectedVersionDescription }),
    },
    resolve: (_root, { id, input, expectedVersion }, ctx) =>
      updateNote(serviceContext(ctx), targetId(id, 'Note'), toNoteInput(input), expectedVersion),
  }),
);

builder.mutationField('deleteNote', (t) =>
  t.field({
    type: 'ID',
    description: "Deletes a note (seed 000). Someone else's private note is NotFound.",
    errors: mutationResult('DeleteNote', 'deletedId'),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await deleteNote(serviceContext(ctx), targetId(id, 'Note'));
      return id;
    },
  }),
);
