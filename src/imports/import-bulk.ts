import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/prisma.ts';
import type { CustomField, Tag } from '../generated/prisma/client.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import type { Actor } from '../shared/actor.ts';
import type { FieldRef } from '../fields/index.ts';
import { IssueList, ValidationError } from '../shared/errors.ts';
import { noteTimelineEvent } from '../shared/events.ts';
import { checkValue } from '../fields/index.ts';
import { findFields, lockDefinitions } from '../fields/index.ts';
import type { ImportRow } from './row-matching.ts';
import { type PersonInput, type PreparedPerson, preparePerson } from '../people/index.ts';
import type { TimelineEventType } from '../timeline/index.ts';

// The bulk path of an import: rows that create a person with plain fields are checked in memory
// and written for a whole batch with a few createMany, leaving what the one-by-one path would.

export interface BulkContext {
  actor: Actor;
  groupIds: readonly string[];
  tags: readonly Tag[];
  importId: string;
}

/** A row that needs no lookup beyond its custom fields' definitions, and no write beyond the person, their values and the import's tags and groups. */
export function isPlain(input: PersonInput): boolean {
  // A row with its own id is created one by one, where a taken id is that row's ConflictError.
  return input.id == null && input.ownerId == null && !input.companies?.length && !input.groups?.length && !input.fieldsByGroup?.length;
}

export interface PlainPerson {
  /** The row's number in the import, kept on its IMPORTED event. */
  row: number;
  prepared: PreparedPerson;
  values: { field: CustomField; value: InputJsonValue }[];
}

export function refKey(ref: FieldRef): string {
  return 'id' in ref ? `id ${ref.id}` : `slug ${ref.slug}`;
}

/**
 * The definitions of the custom fields the batch's rows set, found and locked (see
 * lockDefinitions) once for the whole batch, by ref. Only fields whose values need no lookup
 * (not CONTACT or USER) and no membership (not a group's) are here: rows with others, or with
 * fields that do not exist, go one by one, which reports them as it always does.
 */
export async function bulkFields(tx: Db, actor: Actor, batch: readonly ImportRow[]): Promise<Map<string, CustomField>> {
  const refs = new Map<string, FieldRef>();
  for (const row of batch) {
    if ('input' in row && isPlain(row.input)) for (const entry of row.input.fields ?? []) refs.set(refKey(entry.field), entry.field);
  }
  if (refs.size === 0) return new Map();
  const found = await findFields(tx, actor, [...refs.values()]);
  const usable = found.filter((field): field is CustomField => !!field && field.groupId === null && field.type !== 'CONTACT' && field.type !== 'USER');
  const locked = await lockDefinitions(tx, usable);
  const byRef = new Map<string, CustomField>();
  for (const [key, ref] of refs) {
    const field = usable.find((candidate) => ('id' in ref ? candidate.id === ref.id : candidate.slug === ref.slug));
    if (field) byRef.set(key, locked.get(field.id)!);
  }
  return byRef;
}

/** A plain row checked as createPerson checks it; one ValidationError with every problem. */
export function preparePlain(input: PersonInput, fields: ReadonlyMap<string, CustomField>): Omit<PlainPerson, 'row'> {
  const issues = new IssueList();
  let prepared: PreparedPerson | undefined;
  try {
    prepared = preparePerson(input, 'create');
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    issues.issues.push(...error.issues);
  }
  const values: PlainPerson['values'] = [];
  const seen = new Set<string>();
  (input.fields ?? []).forEach((entry, index) => {
    const field = fields.get(refKey(entry.field))!;
    if (seen.has(field.id)) issues.add(['input', 'fields', String(index), 'field'], `Field "${field.slug}" is given twice.`);
    seen.add(field.id);
    const checked = checkValue(issues, ['input', 'fields', String(index), 'value'], field, entry.value);
    // An empty value unsets, and a new person has nothing to unset.
    if (checked?.value != null) values.push({ field, value: checked.value });
  });
  issues.throwIfAny();
  return { prepared: prepared!, values };
}

/** Creates a batch's plain rows with a few bulk inserts, writing the events the one-by-one path writes, in its order. */
export async function insertPlainPeople(tx: Db, people: readonly PlainPerson[], { actor, groupIds, tags, importId }: BulkContext): Promise<void> {
  if (people.length === 0) return;
  const { organizationId, userId } = actor;
  const importedAt = new Date();
  const rows = people.map(({ row, prepared: { data }, values }) => ({
    row,
    person: { ...data, id: uuidv7(), familyName: data.familyName!, organizationId, createdById: userId, importedAt },
    values,
  }));
  await tx.person.createMany({ data: rows.map(({ person }) => person) });
  if (groupIds.length > 0) {
    await tx.groupMembership.createMany({
      data: rows.flatMap(({ person }) => groupIds.map((groupId) => ({ groupId, personId: person.id, organizationId }))),
    });
  }
  const values = rows.flatMap(({ person, values }) =>
    values.map(({ field, value }) => ({ personId: person.id, fieldId: field.id, organizationId, value, updatedById: userId })),
  );
  if (values.length > 0) await tx.personFieldValue.createMany({ data: values });
  if (tags.length > 0) {
    await tx.personTag.createMany({ data: rows.flatMap(({ person }) => tags.map((tag) => ({ personId: person.id, tagId: tag.id, organizationId }))) });
  }
  // uuid's v7 ids made in one process increase strictly (a counter within a millisecond), so the
  // events keep this order on the timeline.
  const event = (personId: string, type: TimelineEventType, data: Record<string, InputJsonValue | null> = {}) => ({
    id: uuidv7(),
    organizationId,
    personId,
    actorId: userId,
    type,
    data: data as InputJsonValue,
  });
  const events = rows.flatMap(({ row, person: { id }, values }) => [
    event(id, 'PERSON_CREATED'),
    ...groupIds.map((groupId) => event(id, 'GROUP_JOINED', { groupId, role: 'MEMBER' })),
    ...values.map(({ field, value }) => event(id, 'FIELD_SET', { fieldId: field.id, field: field.slug, before: null, after: value })),
    ...tags.map((tag) => event(id, 'TAG_ADDED', { tagId: tag.id, title: tag.title, value: null })),
    event(id, 'IMPORTED', { importId, row, result: 'CREATED' }),
  ]);
  await tx.timelineEvent.createMany({ data: events });
  for (const { id, personId, type } of events) noteTimelineEvent(tx, actor, { id, personId, type });
}
