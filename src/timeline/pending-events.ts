import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../db/prisma.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import type { Actor } from '../shared/actor.ts';
import { noteTimelineEvent } from '../shared/events.ts';
import type { TimelineEventType } from '../shared/timeline-event-types.ts';

type EventData = Record<string, InputJsonValue | null>;

interface PendingEvent {
  personId: string;
  type: TimelineEventType;
  data: EventData;
}

/**
 * The timeline events a write implies, gathered while it writes and recorded together when it is
 * done (recordPending). Each part of a person write adds its own (PERSON_CREATED, FIELD_SET,
 * GROUP_JOINED, TAG_ADDED…), so the write step only writes rows and the record step is one
 * statement, with the events in the order they were added.
 */
export class PendingEvents {
  readonly #events: PendingEvent[] = [];

  add(personId: string, type: TimelineEventType, data: EventData = {}): void {
    this.#events.push({ personId, type, data });
  }

  /** Hands the events over, leaving none: each is recorded once. */
  take(): PendingEvent[] {
    return this.#events.splice(0);
  }
}

/**
 * The record step of a write: its timeline events, inside its transaction so that they stand or
 * fall with it; their live updates go out once it commits (shared/events.ts).
 */
export async function recordPending(db: Db, actor: Actor, pending: PendingEvents): Promise<void> {
  // Ids made here, in order, as the database would: a transaction's events share occurredAt, and
  // the timeline orders them by id; each live update names its event.
  const events = pending.take().map((event) => ({ ...event, id: uuidv7() }));
  if (events.length === 0) return;
  await db.timelineEvent.createMany({
    data: events.map(({ id, personId, type, data }) => ({
      id,
      organizationId: actor.organizationId,
      personId,
      actorId: actor.userId,
      type,
      data: data as InputJsonValue,
    })),
  });
  for (const event of events) noteTimelineEvent(db, actor, event);
}
