import type { Db, PrismaClient } from '../db/prisma.ts';
import { type CustomField, type Person, Prisma } from '../generated/prisma/client.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import { type Actor, requireWriter, type ServiceContext } from '../shared/actor.ts';
import { fieldNotFound, type FieldRef, findFieldOrThrow } from './custom-field-service.ts';
import { ConflictError, FieldNotSetError, IssueList, NotFoundError } from '../shared/errors.ts';
import { type CheckedValue, checkValue, isEmptyValue, resolveReferences, sameJson } from './field-validation.ts';
import { encodeGlobalId } from '../shared/global-ids.ts';
import { lockAndFindPerson } from '../db/row-locks.ts';
import { PendingEvents, recordPending } from '../timeline/index.ts';
import { bumpPersonVersion, checkVersion } from '../db/versions.ts';

/** One value to write: a field by id or slug, and any JSON its type allows (null or empty unsets). */
export interface FieldValueInput {
  field: FieldRef;
  value: unknown;
}

/** Seed 003's form: values grouped by a group the person is in. */
export interface GroupFieldValues {
  groupId: string;
  values: readonly FieldValueInput[];
}

/** A value to write, where it sits in the input, and the group it was given under. */
export interface FieldEntry {
  field: FieldRef;
  value: unknown;
  fieldPath: string[];
  valuePath: string[];
  groupId?: string;
}

export const maxFieldEntries = 1000;
export const maxGroups = 100;

/** PUT of one value (seed 000): a null or empty value unsets the field and always succeeds. */
export async function setPersonField(
  ctx: ServiceContext,
  personId: string,
  field: FieldRef,
  value: unknown,
): Promise<Person> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  return inTransaction(prisma, personId, async (tx) => {
    const person = await lockAndFindPerson(tx, ctx, personId);
    // An unknown field is the thing the mutation names, so it is NotFound rather than invalid input.
    await findFieldOrThrow(tx, actor, field);
    const entry = { field, value, fieldPath: ['field'], valuePath: ['value'] };
    const checked = await checkEntries(tx, actor, [entry], () => groupIdsOf(tx, personId));
    const events = new PendingEvents();
    const changed = await writeValues(tx, actor, personId, checked, events, { clearOthers: false });
    await recordPending(tx, actor, events);
    return changed ? bumpPersonVersion(tx, personId) : person;
  });
}

/** DELETE of one value (seed 000): a field that is not set is a FieldNotSetError. */
export async function unsetPersonField(ctx: ServiceContext, personId: string, ref: FieldRef): Promise<Person> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  return inTransaction(prisma, personId, async (tx) => {
    const person = await lockAndFindPerson(tx, ctx, personId);
    const field = await findFieldOrThrow(tx, actor, ref);
    const events = new PendingEvents();
    const removed = await removeValue(tx, personId, field, events);
    if (!removed) throw new FieldNotSetError(field.slug, personId);
    await recordPending(tx, actor, events);
    return bumpPersonVersion(tx, personId);
  });
}

/**
 * Seed 003's grouped values: every group must be one the person is in, and each field one of
 * that group's; null or [] unsets. Any problem refuses the whole call, and so does a person
 * changed since `expectedVersion` (db/versions.ts).
 */
export async function setPersonFields(
  ctx: ServiceContext,
  personId: string,
  groups: readonly GroupFieldValues[],
  expectedVersion?: number | null,
): Promise<Person> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  return inTransaction(prisma, personId, async (tx) => {
    const person = await lockAndFindPerson(tx, ctx, personId);
    checkVersion('Person', personId, person.version, expectedVersion);
    const memberOf = await groupIdsOf(tx, personId);
    const issues = new IssueList();
    const entries = groupedEntries(issues, ['groups'], groups, memberOf, (group) => `The person is not in group ${group}.`);
    await checkGroupsExist(tx, actor, issues, ['groups'], groups.map((group) => group.groupId), 'groupId');
    issues.throwIfAny();
    const checked = await checkEntries(tx, actor, entries, async () => memberOf);
    const events = new PendingEvents();
    const changed = await writeValues(tx, actor, personId, checked, events, { clearOthers: false });
    await recordPending(tx, actor, events);
    return changed ? bumpPersonVersion(tx, personId) : person;
  });
}

/** The entries of grouped values, each group checked against the groups the person is (or will be) in. */
export function groupedEntries(
  issues: IssueList,
  path: string[],
  groups: readonly GroupFieldValues[],
  memberOf: ReadonlySet<string>,
  notMember: (groupGlobalId: string) => string,
): FieldEntry[] {
  if (groups.length > maxGroups) issues.add(path, `At most ${maxGroups} groups (got ${groups.length}).`);
  return groups.flatMap((group, groupIndex) => {
    const groupPath = [...path, String(groupIndex)];
    if (!memberOf.has(group.groupId)) {
      issues.add([...groupPath, 'groupId'], notMember(encodeGlobalId('Group', group.groupId)));
    }
    if (group.values.length > maxFieldEntries) {
      issues.add([...groupPath, 'values'], `At most ${maxFieldEntries} values (got ${group.values.length}).`);
    }
    return group.values.map((entry, index) => ({
      ...entry,
      fieldPath: [...groupPath, 'values', String(index), 'field'],
      valuePath: [...groupPath, 'values', String(index), 'value'],
      groupId: group.groupId,
    }));
  });
}

/** Groups named in an input must exist in the organisation. */
export async function checkGroupsExist(
  db: Db,
  actor: Actor,
  issues: IssueList,
  path: string[],
  groupIds: readonly string[],
  key?: string,
): Promise<void> {
  if (groupIds.length === 0) return;
  const found = await db.group.findMany({
    where: { organizationId: actor.organizationId, id: { in: [...new Set(groupIds)] } },
    select: { id: true },
  });
  const foundIds = new Set(found.map((group) => group.id));
  groupIds.forEach((groupId, index) => {
    if (!foundIds.has(groupId)) {
      const at = key ? [...path, String(index), key] : [...path, String(index)];
      issues.add(at, `There is no group ${encodeGlobalId('Group', groupId)} in this organisation.`);
    }
  });
}

export async function groupIdsOf(db: Db, personId: string): Promise<Set<string>> {
  const memberships = await db.groupMembership.findMany({ where: { personId }, select: { groupId: true } });
  return new Set(memberships.map((membership) => membership.groupId));
}

/**
 * Finds each entry's field, checks the value against it and its references in the database, and
 * throws one ValidationError with every problem. A field that belongs to a group takes values
 * only on that group's members (`memberOf`); unsetting is always allowed.
 */
export async function checkEntries(
  db: Db,
  actor: Actor,
  entries: readonly FieldEntry[],
  groupsOfPerson: () => Promise<ReadonlySet<string>>,
): Promise<CheckedValue[]> {
  const issues = new IssueList();
  const fields = await findFields(db, actor, entries.map((entry) => entry.field));
  const memberOf = fields.some((field) => field?.groupId) ? await groupsOfPerson() : new Set<string>();
  const seen = new Set<string>();
  const found: [FieldEntry, CustomField][] = [];
  for (const [index, entry] of entries.entries()) {
    const field = fields[index];
    if (!field) {
      issues.add(entry.fieldPath, `There is no custom field ${describeRef(entry.field)} in this organisation.`);
      continue;
    }
    if (seen.has(field.id)) issues.add(entry.fieldPath, `Field "${field.slug}" is given twice.`);
    seen.add(field.id);
    if (entry.groupId !== undefined && field.groupId !== entry.groupId) {
      issues.add(entry.fieldPath, `Field "${field.slug}" is not a field of group ${encodeGlobalId('Group', entry.groupId)}.`);
    } else if (field.groupId && !memberOf.has(field.groupId) && !isEmptyValue(entry.value)) {
      issues.add(entry.fieldPath, `Field "${field.slug}" belongs to group ${encodeGlobalId('Group', field.groupId)}, which the person is not in.`);
    }
    found.push([entry, field]);
  }
  issues.throwIfAny();

  const locked = await lockDefinitions(db, found.map(([, field]) => field));
  const checked = found.flatMap(([entry, field]) => checkValue(issues, entry.valuePath, locked.get(field.id)!, entry.value) ?? []);
  await resolveReferences(db, actor.organizationId, issues, checked);
  issues.throwIfAny();
  return checked;
}

/** Each ref's field in this organisation, in the order given; one query for all. */
export async function findFields(db: Db, actor: Actor, refs: readonly FieldRef[]): Promise<(CustomField | undefined)[]> {
  if (refs.length === 0) return [];
  const ids = refs.flatMap((ref) => ('id' in ref ? [ref.id] : []));
  const slugs = refs.flatMap((ref) => ('slug' in ref ? [ref.slug] : []));
  const rows = await db.customField.findMany({
    where: { organizationId: actor.organizationId, OR: [{ id: { in: ids } }, { slug: { in: slugs } }] },
  });
  return refs.map((ref) => rows.find((row) => ('id' in ref ? row.id === ref.id : row.slug === ref.slug)));
}

/**
 * Holds the definitions of the fields being written until the transaction ends, so that a
 * definition change (updateCustomField) and a value write never interleave: each sees the other
 * whole, and the values of concurrent writes to one field follow each other on the timeline.
 * Prisma has no SELECT ... FOR SHARE, so the lock is an update that changes nothing: it sets
 * updatedAt to the value read, and only if the row is still the version read; when it is not,
 * the definition changed meanwhile and is read again. Rows are locked in id order (no deadlock).
 */
export async function lockDefinitions(db: Db, fields: readonly CustomField[]): Promise<Map<string, CustomField>> {
  const locked = new Map<string, CustomField>();
  const sorted = [...new Map(fields.map((field) => [field.id, field])).values()].sort((a, b) => a.id.localeCompare(b.id));
  for (const field of sorted) {
    let current: CustomField | null = field;
    for (let attempt = 0; ; attempt++) {
      if (!current) throw fieldNotFound({ id: field.id });
      const { count } = await db.customField.updateMany({
        where: { id: current.id, updatedAt: current.updatedAt },
        data: { updatedAt: current.updatedAt },
      });
      if (count === 1) break;
      if (attempt === 3) throw new ConflictError(`Field "${field.slug}" keeps changing; try again.`);
      current = await db.customField.findUnique({ where: { id: field.id } });
    }
    locked.set(current.id, current);
  }
  return locked;
}

/**
 * Writes checked values: each is set, replaced or unset, adding a FIELD_SET or FIELD_UNSET event
 * to `events`; a value that does not change writes nothing. `clearOthers` unsets every other field
 * (a PUT). True when any value changed.
 */
export async function writeValues(
  db: Db,
  actor: Actor,
  personId: string,
  values: readonly CheckedValue[],
  events: PendingEvents,
  { clearOthers }: { clearOthers: boolean },
): Promise<boolean> {
  const existing = await db.personFieldValue.findMany({
    where: { personId, ...(clearOthers ? {} : { fieldId: { in: values.map((value) => value.field.id) } }) },
    select: { fieldId: true, value: true, field: { select: { slug: true } } },
  });
  const before = new Map(existing.map((row) => [row.fieldId, row.value as InputJsonValue]));
  let changed = false;
  for (const { field, value } of values) {
    const previous = before.get(field.id);
    before.delete(field.id);
    if (value === null) {
      if (previous !== undefined) changed = (await removeValue(db, personId, field, events)) || changed;
      continue;
    }
    if (previous !== undefined && sameJson(previous, value)) continue;
    const data = { value, updatedById: actor.userId };
    await db.personFieldValue.upsert({
      where: { personId_fieldId: { personId, fieldId: field.id } },
      create: { personId, fieldId: field.id, organizationId: actor.organizationId, ...data },
      update: data,
    });
    events.add(personId, 'FIELD_SET', { fieldId: field.id, field: field.slug, before: previous ?? null, after: value });
    changed = true;
  }
  if (!clearOthers) return changed;
  for (const row of existing) {
    if (before.has(row.fieldId)) changed = (await removeValue(db, personId, { id: row.fieldId, slug: row.field.slug }, events)) || changed;
  }
  return changed;
}

/** Unsets one value, adding its FIELD_UNSET event; false when there was none. */
async function removeValue(db: Db, personId: string, field: Pick<CustomField, 'id' | 'slug'>, events: PendingEvents): Promise<boolean> {
  const where = { personId, fieldId: field.id };
  const row = await db.personFieldValue.findUnique({ where: { personId_fieldId: where }, select: { value: true } });
  // Of two concurrent unsets, the second deletes nothing: for it the field was not set.
  const { count } = row ? await db.personFieldValue.deleteMany({ where }) : { count: 0 };
  if (count === 0) return false;
  events.add(personId, 'FIELD_UNSET', { fieldId: field.id, field: field.slug, before: row!.value as InputJsonValue });
  return true;
}

function describeRef(ref: FieldRef): string {
  return 'id' in ref ? encodeGlobalId('CustomField', ref.id) : `"${ref.slug}"`;
}

/** One transaction per mutation. A person deleted while their value is written is NotFound. */
async function inTransaction<T>(prisma: PrismaClient, personId: string, work: (tx: Db) => Promise<T>): Promise<T> {
  try {
    return await prisma.$transaction(work);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2003') {
      throw new NotFoundError('Person', personId);
    }
    throw error;
  }
}
