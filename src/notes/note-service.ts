import type { Db, Prisma } from '../db/prisma.ts';
import type { Note } from '../generated/prisma/client.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import { type Actor, requireWriter, type ServiceContext } from '../shared/actor.ts';
import { ForbiddenError, IssueList, NotFoundError, notInOrganisation, ValidationError } from '../shared/errors.ts';
import { likeLiteral } from '../db/like-pattern.ts';
import type { WriteMode } from '../shared/write-mode.ts';
import { lockPerson, lockRow } from '../db/row-locks.ts';
import { recordEvent } from '../timeline/index.ts';
import { titleLimits } from '../shared/titles.ts';
import { cleanText } from '../shared/validation.ts';
import { checkVersion, nextVersion } from '../db/versions.ts';

/**
 * The writable fields of a note (seed 002), ids already local. The author is the caller unless an
 * admin names another user of the organisation on create (notes imported from elsewhere).
 */
export interface NoteInput {
  authorId?: string | null;
  description?: string | null;
  categoryId?: string | null;
  title?: string | null;
  flagged?: boolean | null;
  isPrivate?: boolean | null;
  createdAt?: Date | null;
}

export interface DateTimeRange {
  after?: Date | null;
  strictlyAfter?: Date | null;
  before?: Date | null;
  strictlyBefore?: Date | null;
}

export interface NoteFilter {
  personIds?: readonly string[] | null;
  isPrivate?: boolean | null;
  q?: string | null;
  categoryIds?: readonly string[] | null;
  authorIds?: readonly string[] | null;
  flagged?: boolean | null;
  createdAt?: DateTimeRange | null;
}

/** A private note exists for its author only: every read and write starts from this. */
export function visibleNotesWhere(actor: Actor) {
  return {
    organizationId: actor.organizationId,
    OR: [{ isPrivate: false }, { authorId: actor.userId }],
  } satisfies Prisma.NoteWhereInput;
}

/** Seed 002's order: flagged first, then newest; the id keeps pages stable among equal dates. */
export const noteListOrder: Prisma.NoteOrderByWithRelationInput[] = [
  { flagged: 'desc' },
  { createdAt: 'desc' },
  { id: 'desc' },
];

/** The notes a list shows: visible ones only, narrowed by the filter (an empty id list matches none). */
export function noteListWhere(actor: Actor, filter: NoteFilter | null | undefined): Prisma.NoteWhereInput {
  const conditions: Prisma.NoteWhereInput[] = [visibleNotesWhere(actor)];
  const q = filter?.q?.trim();
  if (q) {
    conditions.push({
      OR: [
        { title: { contains: likeLiteral(q), mode: 'insensitive' } },
        { description: { contains: likeLiteral(q), mode: 'insensitive' } },
      ],
    });
  }
  if (filter?.personIds) conditions.push({ personId: { in: [...filter.personIds] } });
  if (filter?.categoryIds) conditions.push({ categoryId: { in: [...filter.categoryIds] } });
  if (filter?.authorIds) conditions.push({ authorId: { in: [...filter.authorIds] } });
  if (filter?.flagged != null) conditions.push({ flagged: filter.flagged });
  if (filter?.isPrivate != null) conditions.push({ isPrivate: filter.isPrivate });
  const range = filter?.createdAt;
  if (range) {
    const createdAt: Prisma.DateTimeFilter = {};
    if (range.after) createdAt.gte = range.after;
    if (range.strictlyAfter) createdAt.gt = range.strictlyAfter;
    if (range.before) createdAt.lte = range.before;
    if (range.strictlyBefore) createdAt.lt = range.strictlyBefore;
    conditions.push({ createdAt });
  }
  return { AND: conditions };
}

export async function createNote(ctx: ServiceContext, personId: string, input: NoteInput): Promise<Note> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  const authorId = authorOf(actor, input);
  const data = prepareNote(input, 'create');
  return prisma.$transaction(async (tx) => {
    // A person being deleted or merged away is waited for, then NotFound (not a foreign-key failure).
    await lockPerson(tx, ctx, personId);
    await checkCategory(tx, ctx, data.categoryId);
    await checkAuthor(tx, ctx, authorId);
    const note = await tx.note.create({
      data: {
        ...data,
        description: data.description!,
        categoryId: data.categoryId!,
        organizationId: actor.organizationId,
        personId,
        authorId,
      },
    });
    // The event's actor stays the caller, who wrote it here; the author it names is the note's.
    await recordEvent(tx, actor, personId, 'NOTE_ADDED', noteEventData(note, note.isPrivate, {
      title: note.title,
      categoryId: note.categoryId,
      flagged: note.flagged,
      ...(authorId === actor.userId ? {} : { authorId }),
    }));
    return note;
  });
}

/**
 * PUT: every field from the input; those not given are cleared, except the creation date, kept.
 * With an expected version, a note changed since is a ConflictError (db/versions.ts).
 */
export function replaceNote(ctx: ServiceContext, id: string, input: NoteInput, expectedVersion?: number | null): Promise<Note> {
  return writeNote(ctx, id, input, 'replace', expectedVersion);
}

/** PATCH: absent fields are kept, null clears (the title; flags go back to false). The expected version as for replaceNote. */
export function updateNote(ctx: ServiceContext, id: string, input: NoteInput, expectedVersion?: number | null): Promise<Note> {
  return writeNote(ctx, id, input, 'update', expectedVersion);
}

async function writeNote(
  ctx: ServiceContext,
  id: string,
  input: NoteInput,
  mode: WriteMode,
  expectedVersion: number | null | undefined,
): Promise<Note> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  const data = prepareNote(input, mode);
  return prisma.$transaction(async (tx) => {
    const before = await lockVisibleNoteOrThrow(tx, ctx, id);
    checkVersion('Note', id, before.version, expectedVersion);
    // The author is given on create only: a PUT may repeat it, not change it.
    if (input.authorId !== undefined && input.authorId !== before.authorId) {
      throw new ValidationError([{ path: ['input', 'authorId'], message: "A note's author is set when it is created and cannot change." }]);
    }
    await checkCategory(tx, ctx, data.categoryId);
    // Anyone who may write may edit a shared note, but hiding it from everyone else is its author's call.
    if (data.isPrivate && !before.isPrivate && before.authorId !== actor.userId) {
      throw new ValidationError([{ path: ['input', 'isPrivate'], message: "Only the note's author can make it private." }]);
    }
    const changes: Record<string, { before: InputJsonValue | null; after: InputJsonValue | null }> = {};
    for (const [key, after] of Object.entries(data)) {
      const previous = toJson(before[key as keyof Note]);
      if (JSON.stringify(previous) !== JSON.stringify(toJson(after))) changes[key] = { before: previous, after: toJson(after) };
    }
    if (Object.keys(changes).length === 0) return before;
    const note = await tx.note.update({ where: { id }, data: { ...data, ...nextVersion } });
    await recordEvent(tx, actor, note.personId, 'NOTE_CHANGED', noteEventData(note, before.isPrivate || note.isPrivate, { changes }));
    return note;
  });
}

export async function deleteNote(ctx: ServiceContext, id: string): Promise<string> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  await prisma.$transaction(async (tx) => {
    const note = await lockVisibleNoteOrThrow(tx, ctx, id);
    await tx.note.delete({ where: { id } });
    await recordEvent(tx, actor, note.personId, 'NOTE_DELETED', noteEventData(note, note.isPrivate, { title: note.title }));
  });
  return id;
}

/**
 * Someone else's private note is NotFound, exactly as a note that never existed. The note is
 * locked first, so that concurrent changes take turns (each event's "before" is what the one
 * before it left) and a note deleted meanwhile is NotFound.
 */
async function lockVisibleNoteOrThrow(db: Db, ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>, id: string): Promise<Note> {
  if (!(await lockRow(db, ctx, 'Note', id, 'FOR NO KEY UPDATE'))) throw new NotFoundError('Note', id);
  const note = await db.note.findFirst({ where: { AND: [{ id }, visibleNotesWhere(ctx.actor)] } });
  if (!note) throw new NotFoundError('Note', id);
  return note;
}

/**
 * Who a new note is by: the caller, or the user an admin names (notes imported from elsewhere).
 * Naming yourself changes nothing, so anyone may; naming someone else is an admin's call. A
 * private note is its author's own, so no one writes one in someone else's name.
 */
function authorOf(actor: Actor, input: NoteInput): string {
  const authorId = input.authorId ?? actor.userId;
  if (authorId === actor.userId) return authorId;
  if (actor.role !== 'ADMIN') throw new ForbiddenError("Only an admin can write a note in another user's name.");
  if (input.isPrivate) {
    throw new ValidationError([{ path: ['input', 'isPrivate'], message: 'Only its author can make a note private; leave authorId out to write a private note.' }]);
  }
  return authorId;
}

/** The named author must be a user of this organisation, held (FOR KEY SHARE) until the note is written. */
async function checkAuthor(db: Db, ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>, authorId: string): Promise<void> {
  if (authorId === ctx.actor.userId) return;
  if (!(await lockRow(db, ctx, 'User', authorId, 'FOR KEY SHARE'))) {
    throw new ValidationError([{ path: ['input', 'authorId'], message: notInOrganisation('User', authorId, 'user') }]);
  }
}

/** The category is held (FOR KEY SHARE) until the note is written: one deleted meanwhile is refused here. */
async function checkCategory(db: Db, ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>, categoryId: string | undefined): Promise<void> {
  if (categoryId === undefined) return;
  if (!(await lockRow(db, ctx, 'NoteCategory', categoryId, 'FOR KEY SHARE'))) {
    throw new ValidationError([
      { path: ['input', 'categoryId'], message: notInOrganisation('NoteCategory', categoryId, 'note category') },
    ]);
  }
}

type NoteColumns = Pick<Prisma.NoteUncheckedCreateInput, 'description' | 'categoryId' | 'title' | 'flagged' | 'isPrivate' | 'createdAt'>;

/** Checks a note input and turns it into column values; one ValidationError lists every problem. */
function prepareNote(input: NoteInput, mode: WriteMode): Partial<NoteColumns> & { categoryId?: string; createdAt?: Date } {
  const issues = new IssueList();
  const data: Partial<NoteColumns> & { categoryId?: string; createdAt?: Date } = {};
  const setsEverything = mode !== 'update';

  const description = cleanText(issues, ['input', 'description'], input.description, titleLimits.description);
  if (description === null || (setsEverything && description === undefined)) {
    issues.add(['input', 'description'], 'A description is required.');
  } else if (description !== undefined) {
    data.description = description;
  }

  if (input.categoryId === null || (setsEverything && input.categoryId === undefined)) {
    issues.add(['input', 'categoryId'], 'A note needs a category.');
  } else if (input.categoryId !== undefined) {
    data.categoryId = input.categoryId;
  }

  const title = cleanText(issues, ['input', 'title'], setsEverything ? (input.title ?? null) : input.title, titleLimits.title);
  if (title !== undefined) data.title = title;

  for (const flag of ['flagged', 'isPrivate'] as const) {
    const value = setsEverything ? (input[flag] ?? false) : input[flag];
    if (value !== undefined) data[flag] = value ?? false;
  }

  if (input.createdAt === null) {
    issues.add(['input', 'createdAt'], 'The creation date cannot be cleared.');
  } else if (input.createdAt !== undefined) {
    // Backdating is allowed (seed 002: notes of past meetings); a date still to come is not.
    if (input.createdAt.getTime() > Date.now()) issues.add(['input', 'createdAt'], 'Must not be in the future.');
    data.createdAt = input.createdAt;
  }
  issues.throwIfAny();
  return data;
}

/**
 * What the timeline keeps of a note. Anything about a private note (private before or after the
 * change) keeps only its id: the timeline is shared, the note's words are not.
 */
function noteEventData(
  note: Note,
  isPrivate: boolean,
  details: Record<string, InputJsonValue | null>,
): Record<string, InputJsonValue | null> {
  return isPrivate ? { noteId: note.id, private: true } : { noteId: note.id, ...details };
}

function toJson(value: unknown): InputJsonValue | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return value as InputJsonValue;
}

/** A merge's notes: every note of the merged-away people moves to the primary. */
export async function mergeNotes(db: Db, primaryId: string, otherIds: readonly string[]): Promise<number> {
  return (await db.note.updateMany({ where: { personId: { in: [...otherIds] } }, data: { personId: primaryId } })).count;
}
