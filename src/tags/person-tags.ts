import type { Db } from '../db/prisma.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import type { ServiceContext } from '../shared/actor.ts';
import { IssueList, notInOrganisation } from '../shared/errors.ts';
import { lockRows } from '../db/row-locks.ts';
import { firstHolders } from '../shared/merge-order.ts';
import type { PendingEvents } from '../timeline/index.ts';

/**
 * Seed 002's `tags` in a person's body (createPerson, replacePerson, updatePerson): the person
 * ends up with exactly `tagIds`, by the rules of tagPerson and untagPerson. A tag they already
 * have is kept as it is, with its value (no event); a new one is added without a value, so a tag
 * with a value type cannot be added this way (tagPerson gives it its value); a tag not listed is
 * taken off, unless `keepOthers` (an import adds its tags to those the person has). Each addition
 * and removal adds the TAG_ADDED or TAG_REMOVED that tagPerson and untagPerson write to `events`.
 * Runs inside the person's transaction, the person locked (or new). True when a tag was added or
 * removed.
 */
export async function writePersonTags(
  tx: Db,
  ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>,
  personId: string,
  tagIds: readonly string[] | undefined,
  events: PendingEvents,
  { isNew = false, keepOthers = false }: { isNew?: boolean; keepOthers?: boolean } = {},
): Promise<boolean> {
  if (tagIds === undefined) return false;
  const current = isNew
    ? []
    : await tx.personTag.findMany({
        where: { personId, ...(keepOthers ? { tagId: { in: [...tagIds] } } : {}) },
        select: { tagId: true, value: true },
      });
  if (tagIds.length === 0 && current.length === 0) return false;
  // Every tag concerned is held (FOR KEY SHARE, as tagPerson and untagPerson hold theirs): a
  // deleteTag or a change of value type waits for this write, or came first and the tag is gone.
  const held = new Set(await lockRows(tx, ctx, 'Tag', [...new Set([...tagIds, ...current.map((a) => a.tagId)])], 'FOR KEY SHARE'));
  const tags = new Map(
    (await tx.tag.findMany({ where: { id: { in: [...held] } }, select: { id: true, title: true, valueType: true } })).map(
      (tag) => [tag.id, tag] as const,
    ),
  );
  const has = new Set(current.map((assignment) => assignment.tagId));
  const issues = new IssueList();
  const adding = tagIds.filter((tagId, index) => {
    const tag = tags.get(tagId);
    const path = ['input', 'tagIds', String(index)];
    if (!tag) issues.add(path, notInOrganisation('Tag', tagId, 'tag'));
    else if (!has.has(tagId) && tag.valueType !== null) {
      issues.add(path, `The tag "${tag.title}" needs a ${tag.valueType} value: put it on with tagPerson, which takes one.`);
    }
    return tag !== undefined && !has.has(tagId);
  });
  issues.throwIfAny();
  // A tag deleted meanwhile took its assignment with it (and wrote its own TAG_REMOVED).
  const removing = keepOthers ? [] : current.filter((assignment) => !tagIds.includes(assignment.tagId) && tags.has(assignment.tagId));
  if (removing.length > 0) {
    await tx.personTag.deleteMany({ where: { personId, tagId: { in: removing.map((assignment) => assignment.tagId) } } });
  }
  if (adding.length > 0) {
    await tx.personTag.createMany({
      data: adding.map((tagId) => ({ personId, tagId, organizationId: ctx.actor.organizationId })),
    });
  }
  for (const { tagId, value } of removing) {
    events.add(personId, 'TAG_REMOVED', { tagId, title: tags.get(tagId)!.title, value: (value ?? null) as InputJsonValue | null });
  }
  for (const tagId of adding) events.add(personId, 'TAG_ADDED', { tagId, title: tags.get(tagId)!.title, value: null });
  return removing.length > 0 || adding.length > 0;
}

/** A merge's tags: each tag once on the primary, with the value of the first in merge order that has it. */
export async function mergePersonTags(db: Db, primaryId: string, otherIds: readonly string[]): Promise<number> {
  const rows = await db.personTag.findMany({ where: { personId: { in: [primaryId, ...otherIds] } } });
  let count = 0;
  for (const [personId, tagIds] of firstHolders(rows, (row) => row.tagId, primaryId, otherIds)) {
    const result = await db.personTag.updateMany({ where: { personId, tagId: { in: tagIds } }, data: { personId: primaryId } });
    count += result.count;
  }
  return count;
}
