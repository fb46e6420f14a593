import type { Db } from '../db/prisma.ts';
import type { NoteCategory } from '../generated/prisma/client.ts';
import { type Actor, requireWriter, type ServiceContext } from '../shared/actor.ts';
import { ConflictError, IssueList, NotFoundError } from '../shared/errors.ts';
import { conflictOnDuplicate, isForeignKeyViolation, requiredTitle, sameTitleWhere } from '../shared/titles.ts';

export interface NoteCategoryInput {
  title: string;
}

export async function createNoteCategory({ prisma, actor }: ServiceContext, input: NoteCategoryInput): Promise<NoteCategory> {
  requireWriter(actor);
  const title = prepareTitle(input);
  return conflictOnDuplicate(
    prisma.$transaction(async (tx) => {
      await assertTitleFree(tx, actor, title);
      return tx.noteCategory.create({ data: { organizationId: actor.organizationId, title } });
    }),
    duplicateMessage(title),
  );
}

export async function updateNoteCategory(
  { prisma, actor }: ServiceContext,
  id: string,
  input: NoteCategoryInput,
): Promise<NoteCategory> {
  requireWriter(actor);
  const title = prepareTitle(input);
  return conflictOnDuplicate(
    prisma.$transaction(async (tx) => {
      const category = await findNoteCategoryOrThrow(tx, actor, id);
      if (category.title === title) return category;
      await assertTitleFree(tx, actor, title, id);
      return tx.noteCategory.update({ where: { id }, data: { title } });
    }),
    duplicateMessage(title),
  );
}

/** A category that notes still use cannot go (seed 002): they would lose their required category. */
export async function deleteNoteCategory({ prisma, actor }: ServiceContext, id: string): Promise<string> {
  requireWriter(actor);
  try {
    await prisma.$transaction(async (tx) => {
      await findNoteCategoryOrThrow(tx, actor, id);
      // Every note counts here, private ones of other authors too, but the message tells no number.
      const inUse = await tx.note.count({ where: { categoryId: id } });
      if (inUse > 0) throw categoryInUse();
      await tx.noteCategory.delete({ where: { id } });
    });
  } catch (error) {
    // A note given this category while the delete ran: the foreign key refuses, and so do we.
    if (isForeignKeyViolation(error)) throw categoryInUse();
    throw error;
  }
  return id;
}

export async function findNoteCategoryOrThrow(db: Db, actor: Actor, id: string): Promise<NoteCategory> {
  const category = await db.noteCategory.findFirst({ where: { id, organizationId: actor.organizationId } });
  if (!category) throw new NotFoundError('NoteCategory', id);
  return category;
}

function prepareTitle(input: NoteCategoryInput): string {
  const issues = new IssueList();
  const title = requiredTitle(issues, ['input', 'title'], input.title);
  issues.throwIfAny();
  return title!;
}

/** Titles are unique per organisation whatever their case: "Call" and "call" are one category. */
async function assertTitleFree(db: Db, actor: Actor, title: string, exceptId?: string): Promise<void> {
  const clash = await db.noteCategory.findFirst({ where: sameTitleWhere(actor.organizationId, title, exceptId), select: { id: true } });
  if (clash) throw new ConflictError(duplicateMessage(title));
}

function duplicateMessage(title: string): string {
  return `A note category titled "${title}" already exists.`;
}

function categoryInUse(): ConflictError {
  return new ConflictError('This note category is used by notes; give them another category or delete them first.');
}
