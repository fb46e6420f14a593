import type { Db } from '../db/prisma.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import type { Actor } from '../shared/actor.ts';
import type { TimelineEventType } from '../shared/timeline-event-types.ts';
import { encodeGlobalId } from '../shared/global-ids.ts';
import { PendingEvents, recordPending } from './pending-events.ts';

export { timelineEventTypes, type TimelineEventType } from '../shared/timeline-event-types.ts';

/**
 * The keys of event data (at any depth, `changes` included) that hold database ids, and the type
 * each names. Events store database ids and the API turns them into global ones as it reads, so
 * an event stored before a key was added here reads correctly too. A person's own identifiers from
 * other systems (externalId, customerId, linkedinId) are not ids of this API and stay as they are.
 */
export const timelineIdKeyTypes: ReadonlyMap<string, string> = new Map(
  Object.entries({
    mergeId: 'Merge',
    mergedPersonIds: 'Person',
    personId: 'Person',
    noteId: 'Note',
    categoryId: 'NoteCategory',
    tagId: 'Tag',
    groupId: 'Group',
    fieldId: 'CustomField',
    importId: 'Import',
    ownerId: 'User',
    authorId: 'User',
    companies: 'Company',
    projects: 'Project',
  }),
);

/**
 * Events store database ids; the API (the timeline, webhooks, a person's export) shows only global
 * ones, as everywhere else.
 */
export function eventDataWithGlobalIds(value: unknown, typename?: string): unknown {
  if (typename !== undefined) {
    if (typeof value === 'string') return encodeGlobalId(typename, value);
    if (Array.isArray(value)) return value.map((item) => eventDataWithGlobalIds(item, typename));
    if (isRecord(value) && 'before' in value && 'after' in value) {
      return { ...value, before: eventDataWithGlobalIds(value.before, typename), after: eventDataWithGlobalIds(value.after, typename) };
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => eventDataWithGlobalIds(item));
  if (!isRecord(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, eventDataWithGlobalIds(item, timelineIdKeyTypes.get(key))]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One event, written inside the transaction of the change it records, so the two stand or fall
 * together. Writes that gather several events use PendingEvents and recordPending directly.
 */
export async function recordEvent(
  db: Db,
  actor: Actor,
  personId: string,
  type: TimelineEventType,
  data: Record<string, InputJsonValue | null> = {},
): Promise<void> {
  await recordEvents(db, actor, [personId], type, data);
}

/** The same event for many people at once (e.g. everyone who had a tag that is being deleted). */
export async function recordEvents(
  db: Db,
  actor: Actor,
  personIds: readonly string[],
  type: TimelineEventType,
  data: Record<string, InputJsonValue | null> = {},
): Promise<void> {
  const pending = new PendingEvents();
  for (const personId of personIds) pending.add(personId, type, data);
  await recordPending(db, actor, pending);
}

/** A merge's timeline: the merged-away people's events move to the primary, whose timeline tells their story too. */
export async function mergeTimelines(db: Db, primaryId: string, otherIds: readonly string[]): Promise<number> {
  return (await db.timelineEvent.updateMany({ where: { personId: { in: [...otherIds] } }, data: { personId: primaryId } })).count;
}
