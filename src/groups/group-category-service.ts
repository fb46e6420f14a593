import type { Db } from '../db/prisma.ts';
import type { GroupCategory } from '../generated/prisma/client.ts';
import { type Actor, requireWriter, type ServiceContext } from '../shared/actor.ts';
import { ConflictError, IssueList, NotFoundError } from '../shared/errors.ts';
import { conflictOnDuplicate, requiredTitle, sameTitleWhere, titleLimits } from '../shared/titles.ts';
import { cleanText } from '../shared/validation.ts';

export interface GroupCategoryInput {
  title?: string | null;
  description?: string | null;
}

type GroupCategoryColumns = { title?: string; description?: string | null };

export async function createGroupCategory({ prisma, actor }: ServiceContext, input: GroupCategoryInput): Promise<GroupCategory> {
  requireWriter(actor);
  const data = prepareGroupCategory(input, 'create');
  return conflictOnDuplicate(
    prisma.$transaction(async (tx) => {
      await assertTitleFree(tx, actor, data.title!);
      return tx.groupCategory.create({ data: { ...data, title: data.title!, organizationId: actor.organizationId } });
    }),
    duplicateMessage(data.title),
  );
}

/** PATCH: absent fields are kept, null clears the description. */
export async function updateGroupCategory(
  { prisma, actor }: ServiceContext,
  id: string,
  input: GroupCategoryInput,
): Promise<GroupCategory> {
  requireWriter(actor);
  const data = prepareGroupCategory(input, 'update');
  return conflictOnDuplicate(
    prisma.$transaction(async (tx) => {
      const category = await findGroupCategoryOrThrow(tx, actor, id);
      if (data.title !== undefined && data.title.toLowerCase() !== category.title.toLowerCase()) {
        await assertTitleFree(tx, actor, data.title, id);
      }
      return tx.groupCategory.update({ where: { id }, data });
    }),
    duplicateMessage(data.title),
  );
}

/** Deletes the category; its groups stay, uncategorised (the foreign key sets them to null). */
export async function deleteGroupCategory({ prisma, actor }: ServiceContext, id: string): Promise<string> {
  requireWriter(actor);
  await prisma.$transaction(async (tx) => {
    await findGroupCategoryOrThrow(tx, actor, id);
    await tx.groupCategory.delete({ where: { id } });
  });
  return id;
}

export async function findGroupCategoryOrThrow(db: Db, actor: Actor, id: string): Promise<GroupCategory> {
  const category = await db.groupCategory.findFirst({ where: { id, organizationId: actor.organizationId } });
  if (!category) throw new NotFoundError('GroupCategory', id);
  return category;
}

function prepareGroupCategory(input: GroupCategoryInput, mode: 'create' | 'update'): GroupCategoryColumns {
  const issues = new IssueList();
  const data: GroupCategoryColumns = {};
  const title = requiredTitle(issues, ['input', 'title'], mode === 'create' ? (input.title ?? null) : input.title);
  if (title !== undefined) data.title = title;
  const description = cleanText(
    issues,
    ['input', 'description'],
    mode === 'create' ? (input.description ?? null) : input.description,
    titleLimits.description,
  );
  if (description !== undefined) data.description = description;
  issues.throwIfAny();
  return data;
}

/** Titles are unique per organisation whatever their case, as for note categories and tags. */
async function assertTitleFree(db: Db, actor: Actor, title: string, exceptId?: string): Promise<void> {
  const clash = await db.groupCategory.findFirst({ where: sameTitleWhere(actor.organizationId, title, exceptId), select: { id: true } });
  if (clash) throw new ConflictError(duplicateMessage(title));
}

function duplicateMessage(title: string | undefined): string {
  return `A group category titled "${title}" already exists.`;
}
