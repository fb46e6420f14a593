import type { Db } from '../db/prisma.ts';
import { type Person, type PersonTag, Prisma, type Tag, type TagValueType } from '../generated/prisma/client.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import { type Actor, requireWriter, type ServiceContext } from '../shared/actor.ts';
import { ConflictError, IssueList, NotFoundError, ValidationError } from '../shared/errors.ts';
import { holdPeople, lockAndFindPerson, lockPerson, lockRow } from '../db/row-locks.ts';
import { bumpPersonVersion } from '../db/versions.ts';
import { recordEvent, recordEvents } from '../timeline/index.ts';
import { conflictOnDuplicate, requiredTitle, titleLimits } from '../shared/titles.ts';
import { checkPattern, cleanText } from '../shared/validation.ts';

/** An organisation's tag (seed 000), as the API takes it. */
export interface TagInput {
  title?: string | null;
  description?: string | null;
  color?: string | null;
  hidden?: boolean | null;
  valueType?: TagValueType | null;
}

type TagColumns = Pick<Prisma.TagUncheckedCreateInput, 'title' | 'titleKey' | 'description' | 'color' | 'hidden' | 'valueType'>;

export async function createTag({ prisma, actor }: ServiceContext, input: TagInput): Promise<Tag> {
  requireWriter(actor);
  const data = prepareTag(input, 'create');
  return conflictOnDuplicate(
    prisma.$transaction(async (tx) => {
      await assertTitleFree(tx, actor, data);
      return tx.tag.create({ data: { ...data, title: data.title!, titleKey: data.titleKey!, organizationId: actor.organizationId } });
    }),
    duplicateMessage(data.title),
  );
}

/** PATCH: absent fields are kept, null clears (hidden goes back to false). */
export async function updateTag(ctx: ServiceContext, id: string, input: TagInput): Promise<Tag> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  const data = prepareTag(input, 'update');
  return conflictOnDuplicate(
    prisma.$transaction(async (tx) => {
      // Locked against assignments being written (FOR KEY SHARE), so that none slips in with a
      // value of the old type while the count below says the tag is on nobody.
      const tag = await findTagOrThrow(tx, ctx, id, data.valueType !== undefined ? 'FOR UPDATE' : undefined);
      if (data.titleKey !== undefined && data.titleKey !== tag.titleKey) await assertTitleFree(tx, actor, data, id);
      if (data.valueType !== undefined && data.valueType !== tag.valueType) {
        // The values already given were checked against the old type; they would not fit the new one.
        const assigned = await tx.personTag.count({ where: { tagId: id } });
        if (assigned > 0) {
          throw new ConflictError(
            `The tag is on ${assigned} ${assigned === 1 ? 'person' : 'people'}; its value type can change only while it is on nobody.`,
          );
        }
      }
      return tx.tag.update({ where: { id }, data });
    }),
    duplicateMessage(data.title),
  );
}

/** Deletes the tag and, through the foreign key, its assignments; each person's timeline says so. */
export async function deleteTag(ctx: ServiceContext, id: string): Promise<string> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  await prisma.$transaction(async (tx) => {
    // Assignments being written hold the tag (FOR KEY SHARE): wait for them, so that everyone
    // read here, the last ones included, gets a TAG_REMOVED.
    const tag = await findTagOrThrow(tx, ctx, id, 'FOR UPDATE');
    const assignments = await tx.personTag.findMany({ where: { tagId: id }, select: { personId: true } });
    const holders = await holdPeople(tx, ctx, assignments.map((assignment) => assignment.personId));
    await tx.tag.delete({ where: { id } });
    await recordEvents(
      tx,
      actor,
      holders,
      'TAG_REMOVED',
      { tagId: id, title: tag.title, reason: 'TAG_DELETED' },
    );
  });
  return id;
}

/**
 * Puts the tag on the person (seed 000's PUT): idempotent, and a second call sets the value. A
 * tag with a value type needs a value that fits it; a tag without one takes no value.
 */
export async function tagPerson(
  ctx: ServiceContext,
  personId: string,
  tagId: string,
  value: InputJsonValue | null | undefined,
): Promise<PersonTag> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  return prisma.$transaction(async (tx) => {
    // The person locked: the same tag put on concurrently is one assignment and one TAG_ADDED,
    // the later calls finding it there.
    await lockPerson(tx, ctx, personId);
    const tag = await findTagOrThrow(tx, ctx, tagId, 'FOR KEY SHARE');
    const newValue = checkTagValue(tag, value);
    const existing = await tx.personTag.findUnique({ where: { personId_tagId: { personId, tagId } } });
    if (existing && sameJson(existing.value, newValue)) return existing;
    const stored = newValue ?? Prisma.DbNull;
    const assignment = await tx.personTag.upsert({
      where: { personId_tagId: { personId, tagId } },
      create: { personId, tagId, organizationId: actor.organizationId, value: stored },
      update: { value: stored },
    });
    await recordEvent(tx, actor, personId, 'TAG_ADDED', {
      tagId,
      title: tag.title,
      value: newValue,
      ...(existing ? { previousValue: (existing.value ?? null) as InputJsonValue | null } : {}),
    });
    await bumpPersonVersion(tx, personId);
    return assignment;
  });
}

/** Takes the tag off the person (seed 000's DELETE): a tag that is not on them is NotFound. */
export async function untagPerson(ctx: ServiceContext, personId: string, tagId: string): Promise<Person> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  return prisma.$transaction(async (tx) => {
    const person = await lockAndFindPerson(tx, ctx, personId);
    const tag = await findTagOrThrow(tx, ctx, tagId, 'FOR KEY SHARE');
    const existing = await tx.personTag.findUnique({ where: { personId_tagId: { personId, tagId } } });
    if (!existing) throw new NotFoundError('Tag', tagId, false, `The tag "${tag.title}" is not on this person.`);
    await tx.personTag.delete({ where: { personId_tagId: { personId, tagId } } });
    await recordEvent(tx, actor, personId, 'TAG_REMOVED', {
      tagId,
      title: tag.title,
      value: (existing.value ?? null) as InputJsonValue | null,
    });
    return bumpPersonVersion(tx, person.id);
  });
}

/** With `lock`, the tag is locked first (see row-locks.ts): a tag deleted meanwhile is NotFound. */
async function findTagOrThrow(
  db: Db,
  ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>,
  id: string,
  lock?: 'FOR KEY SHARE' | 'FOR UPDATE',
): Promise<Tag> {
  if (lock && !(await lockRow(db, ctx, 'Tag', id, lock))) throw new NotFoundError('Tag', id);
  const tag = await db.tag.findFirst({ where: { id, organizationId: ctx.actor.organizationId } });
  if (!tag) throw new NotFoundError('Tag', id);
  return tag;
}

function prepareTag(input: TagInput, mode: 'create' | 'update'): Partial<TagColumns> {
  const issues = new IssueList();
  const data: Partial<TagColumns> = {};
  const given = <K extends keyof TagInput>(key: K): TagInput[K] | undefined =>
    mode === 'update' ? input[key] : (input[key] ?? null);

  const title = requiredTitle(issues, ['input', 'title'], given('title'));
  if (title !== undefined) {
    data.title = title;
    data.titleKey = title.toLowerCase();
  }
  const description = cleanText(issues, ['input', 'description'], given('description'), titleLimits.description);
  if (description !== undefined) data.description = description;
  const color = cleanText(issues, ['input', 'color'], given('color'), 7);
  checkPattern(issues, ['input', 'color'], color, /^#[0-9a-fA-F]{6}$/, 'Must be a colour as #rrggbb.');
  if (color !== undefined) data.color = color;
  const hidden = given('hidden');
  if (hidden !== undefined) data.hidden = hidden ?? false;
  const valueType = given('valueType');
  if (valueType !== undefined) data.valueType = valueType;
  issues.throwIfAny();
  return data;
}

async function assertTitleFree(db: Db, actor: Actor, data: Partial<TagColumns>, exceptId?: string): Promise<void> {
  const clash = await db.tag.findFirst({
    where: {
      organizationId: actor.organizationId,
      titleKey: data.titleKey!,
      ...(exceptId ? { id: { not: exceptId } } : {}),
    },
    select: { id: true },
  });
  if (clash) throw new ConflictError(duplicateMessage(data.title));
}

function duplicateMessage(title: string | undefined): string {
  return `A tag titled "${title}" already exists (titles are unique whatever their case).`;
}

/** The value to store for this tag, or a ValidationError at ["value"]. */
function checkTagValue(tag: Tag, value: InputJsonValue | null | undefined): InputJsonValue | null {
  const fail = (message: string): never => {
    throw new ValidationError([{ path: ['value'], message }]);
  };
  const given = value ?? null;
  if (tag.valueType === null) {
    return given === null ? null : fail(`The tag "${tag.title}" has no value type, so it takes no value.`);
  }
  if (given === null) return fail(`The tag "${tag.title}" needs a ${tag.valueType} value.`);
  if (tag.valueType === 'TEXT') {
    if (typeof given !== 'string') return fail('Must be a text (the tag takes TEXT values).');
    const text = given.trim();
    if (text === '') return fail('Must not be empty.');
    if (text.length > titleLimits.title) return fail(`Must be at most ${titleLimits.title} characters (got ${text.length}).`);
    return text;
  }
  // NUMBER: a number, or a numeric string (as seed 003 takes numbers).
  const number = typeof given === 'number' ? given : typeof given === 'string' && given.trim() !== '' ? Number(given) : Number.NaN;
  return Number.isFinite(number) ? number : fail('Must be a number (the tag takes NUMBER values).');
}

function sameJson(stored: unknown, wanted: InputJsonValue | null): boolean {
  return JSON.stringify(stored ?? null) === JSON.stringify(wanted);
}
