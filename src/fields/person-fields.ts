import type { Db } from '../db/prisma.ts';
import type { Actor } from '../shared/actor.ts';
import { IssueList } from '../shared/errors.ts';
import { firstHolders } from '../shared/merge-order.ts';
import {
  checkEntries,
  checkGroupsExist,
  type FieldEntry,
  type FieldValueInput,
  type GroupFieldValues,
  groupedEntries,
  groupIdsOf,
  maxFieldEntries,
  maxGroups,
  writeValues,
} from './field-value-service.ts';
import type { WriteMode } from '../shared/write-mode.ts';
import type { PendingEvents } from '../timeline/index.ts';

/** What a person input says about the person's groups and custom-field values (seed 003). */
export interface PersonFieldsInput {
  /** The person's groups (local ids). */
  groups?: readonly string[] | null;
  fields?: readonly FieldValueInput[] | null;
  /** Seed 003's customFieldValues: values grouped by group. */
  fieldsByGroup?: readonly GroupFieldValues[] | null;
}

/**
 * Writes the groups and custom-field values of a person input, inside the person's transaction.
 * Groups: create and replace make the person a member of exactly those given (none when absent);
 * update does so when `groups` is given (null: none) and keeps them when it is absent.
 * Values: create sets those given; replace (PUT) sets those given and unsets every other; update
 * touches only those given, except that `fields: null` unsets every value not given in
 * `fieldsByGroup`. Grouped values must use groups the person is in once this input is written.
 * Their GROUP_* and FIELD_* events are added to `events`. True when a membership or a value changed.
 */
export async function writePersonFields(
  db: Db,
  actor: Actor,
  personId: string,
  input: PersonFieldsInput,
  mode: WriteMode,
  events: PendingEvents,
): Promise<boolean> {
  const untouched = input.groups === undefined && input.fields === undefined && input.fieldsByGroup === undefined;
  if (untouched && mode !== 'replace') return false;
  const issues = new IssueList();
  const wantedGroups = mode === 'update' && input.groups === undefined ? undefined : (input.groups ?? []);
  const currentGroups = mode === 'create' ? new Set<string>() : await groupIdsOf(db, personId);
  if (wantedGroups) {
    checkGroupList(issues, wantedGroups);
    await checkGroupsExist(db, actor, issues, ['input', 'groups'], wantedGroups);
  }
  const memberOf: ReadonlySet<string> = wantedGroups ? new Set(wantedGroups) : currentGroups;

  const flat = input.fields ?? [];
  if (flat.length > maxFieldEntries) issues.add(['input', 'fields'], `At most ${maxFieldEntries} values (got ${flat.length}).`);
  const notMember = wantedGroups
    ? (group: string) => `Group ${group} is not one of the groups given in input.groups.`
    : (group: string) => `The person is not in group ${group}.`;
  const entries: FieldEntry[] = [
    ...flat.map((entry, index) => ({
      ...entry,
      fieldPath: ['input', 'fields', String(index), 'field'],
      valuePath: ['input', 'fields', String(index), 'value'],
    })),
    ...groupedEntries(issues, ['input', 'fieldsByGroup'], input.fieldsByGroup ?? [], memberOf, notMember),
  ];
  issues.throwIfAny();

  const checked = entries.length > 0 ? await checkEntries(db, actor, entries, async () => memberOf) : [];
  const groupsChanged = wantedGroups ? await writeGroups(db, actor, personId, currentGroups, wantedGroups, events) : false;
  const clearOthers = mode === 'replace' || (mode === 'update' && input.fields === null);
  const valuesChanged = checked.length > 0 || clearOthers ? await writeValues(db, actor, personId, checked, events, { clearOthers }) : false;
  return groupsChanged || valuesChanged;
}

function checkGroupList(issues: IssueList, groupIds: readonly string[]): void {
  if (groupIds.length > maxGroups) issues.add(['input', 'groups'], `At most ${maxGroups} groups (got ${groupIds.length}).`);
  groupIds.forEach((groupId, index) => {
    if (groupIds.indexOf(groupId) !== index) issues.add(['input', 'groups', String(index)], 'This group is listed twice.');
  });
}

/** Makes the person a member of exactly these groups; new memberships are plain members. True when any changed. */
async function writeGroups(
  db: Db,
  actor: Actor,
  personId: string,
  current: ReadonlySet<string>,
  wanted: readonly string[],
  events: PendingEvents,
): Promise<boolean> {
  const leaving = [...current].filter((groupId) => !wanted.includes(groupId));
  const joining = wanted.filter((groupId) => !current.has(groupId));
  if (leaving.length > 0) await db.groupMembership.deleteMany({ where: { personId, groupId: { in: leaving } } });
  if (joining.length > 0) {
    await db.groupMembership.createMany({
      data: joining.map((groupId) => ({ groupId, personId, organizationId: actor.organizationId, role: 'MEMBER' as const })),
      // A membership added meanwhile by another request is already what this input asks for.
      skipDuplicates: true,
    });
  }
  for (const groupId of leaving) events.add(personId, 'GROUP_LEFT', { groupId });
  for (const groupId of joining) events.add(personId, 'GROUP_JOINED', { groupId, role: 'MEMBER' });
  return leaving.length > 0 || joining.length > 0;
}

/** A merge's custom-field values: each field once on the primary, the first value in merge order. */
export async function mergePersonFieldValues(db: Db, primaryId: string, otherIds: readonly string[]): Promise<number> {
  const rows = await db.personFieldValue.findMany({ where: { personId: { in: [primaryId, ...otherIds] } } });
  let count = 0;
  for (const [personId, fieldIds] of firstHolders(rows, (row) => row.fieldId, primaryId, otherIds)) {
    const result = await db.personFieldValue.updateMany({ where: { personId, fieldId: { in: fieldIds } }, data: { personId: primaryId } });
    count += result.count;
  }
  return count;
}
