import { createPubSub, type PubSub, type PubSubEventTarget, Repeater, SlidingBuffer } from '@graphql-yoga/subscription';
import { afterCommit, onCommit } from '../db/after-commit.ts';
import type { Db, PrismaClient } from '../db/prisma.ts';
import type { Actor } from './actor.ts';
import { ShuttingDownError } from './errors.ts';
import type { TimelineEventType } from './timeline-event-types.ts';

/**
 * Live updates: what committed writes announce, and the subscriptions that hear it. Services note
 * a change inside their transaction (noteTimelineEvent, notePersonDeleted); it is published only
 * once that transaction commits (db/after-commit.ts). Messages carry ids and the organisation,
 * never rows: each subscriber reads the rows through the API with its own rights.
 */

export const personChangeKinds = ['CREATED', 'UPDATED', 'ARCHIVED', 'UNARCHIVED', 'MERGED', 'MERGED_AWAY', 'DELETED'] as const;
export type PersonChangeKind = (typeof personChangeKinds)[number];

/** After these the person is gone: a subscription to that one person ends with it. */
const finalKinds: ReadonlySet<PersonChangeKind> = new Set(['MERGED_AWAY', 'DELETED']);

/** One person changed, once per committed transaction. Database ids. */
export interface PersonChange {
  personId: string;
  kind: PersonChangeKind;
  /** MERGED_AWAY: the person this one was merged into. */
  mergedIntoId?: string;
  /** Only this user may hear of it (a private note's author); absent: everyone of the organisation. */
  onlyFor?: string;
}

/** A timeline event was written. Database ids. */
export interface TimelineEventAdded {
  personId: string;
  eventId: string;
  onlyFor?: string;
}

/** What a transaction notes, handed over after its commit. */
export type Noted =
  | ({ organizationId: string; what: 'timeline'; type: TimelineEventType; mergedPersonIds?: string[] } & TimelineEventAdded)
  | { organizationId: string; what: 'deleted'; personId: string };

/** Topics are per organisation: a subscriber only ever listens to its own. */
type Topics = {
  personChanged: [organizationId: string, change: PersonChange];
  timelineEventAdded: [organizationId: string, event: TimelineEventAdded];
};

/**
 * Notes a timeline event just written through `db`. An event about a private note reaches only
 * the note's author, who is always the actor here: only the author can see, change or delete a
 * private note, and nobody can write one in someone else's name (note-service.ts).
 */
export function noteTimelineEvent(
  db: Db,
  actor: Actor,
  event: { id: string; personId: string; type: TimelineEventType; data?: Record<string, unknown> },
): void {
  const mergedPersonIds = event.type === 'MERGED' ? (event.data?.mergedPersonIds as string[] | undefined) : undefined;
  afterCommit(db, {
    organizationId: actor.organizationId,
    what: 'timeline',
    type: event.type,
    personId: event.personId,
    eventId: event.id,
    ...(mergedPersonIds ? { mergedPersonIds } : {}),
    ...(event.data?.private === true ? { onlyFor: actor.userId } : {}),
  } satisfies Noted);
}

/** Notes that a person was deleted through `db` (their timeline goes with them, so nothing else says so). */
export function notePersonDeleted(db: Db, actor: Actor, personId: string): void {
  afterCommit(db, { organizationId: actor.organizationId, what: 'deleted', personId } satisfies Noted);
}

/** The weightier kind wins when one transaction did several things to a person. */
const kindWeight: Record<PersonChangeKind, number> = {
  UPDATED: 1,
  ARCHIVED: 2,
  UNARCHIVED: 2,
  MERGED: 3,
  CREATED: 4,
  MERGED_AWAY: 5,
  DELETED: 6,
};

function kindOf(type: TimelineEventType): PersonChangeKind {
  switch (type) {
    case 'PERSON_CREATED':
      return 'CREATED';
    case 'PERSON_ARCHIVED':
      return 'ARCHIVED';
    case 'PERSON_UNARCHIVED':
      return 'UNARCHIVED';
    case 'MERGED':
      return 'MERGED';
    default:
      return 'UPDATED';
  }
}

/** One change per person per transaction, the weightiest; private only if all of it was. */
function personChanges(items: readonly Noted[]): Map<string, { organizationId: string; change: PersonChange }> {
  const changes = new Map<string, { organizationId: string; change: PersonChange }>();
  const add = (organizationId: string, change: PersonChange) => {
    const known = changes.get(change.personId);
    if (!known) {
      changes.set(change.personId, { organizationId, change });
      return;
    }
    const onlyFor = known.change.onlyFor === change.onlyFor ? change.onlyFor : undefined;
    const weightier = kindWeight[change.kind] >= kindWeight[known.change.kind] ? change : known.change;
    const { onlyFor: _, ...rest } = weightier;
    changes.set(change.personId, { organizationId, change: { ...rest, ...(onlyFor ? { onlyFor } : {}) } });
  };
  for (const item of items) {
    if (item.what === 'deleted') {
      add(item.organizationId, { personId: item.personId, kind: 'DELETED' });
      continue;
    }
    add(item.organizationId, { personId: item.personId, kind: kindOf(item.type), ...(item.onlyFor ? { onlyFor: item.onlyFor } : {}) });
    for (const mergedId of item.mergedPersonIds ?? []) {
      add(item.organizationId, { personId: mergedId, kind: 'MERGED_AWAY', mergedIntoId: item.personId });
    }
  }
  return changes;
}

/** Where events travel: within this process, or through Redis to every instance. */
export interface EventTransport {
  eventTarget?: PubSubEventTarget<Topics>;
  /** Resolves once the topic is being listened to (Redis acknowledged the subscription). */
  listening?(topic: string): Promise<void>;
  close?(): Promise<void>;
}

export interface EventBus {
  /** Publishes what committed writes noted; called by the commit listener. */
  publish(items: readonly Noted[]): void;
  /** The organisation's people changes this user may hear of; one person's, when personId is given. */
  personChanges(viewer: Actor, personId?: string): Promise<AsyncIterable<PersonChange>>;
  /** The timeline events added to one person of the organisation that this user may hear of. */
  timelineEvents(viewer: Actor, personId: string): Promise<AsyncIterable<TimelineEventAdded>>;
  /** Publishes what this client's transactions commit; answers what stops it. */
  publishCommitsOf(prisma: PrismaClient): () => void;
  /** Ends every live subscription (a shutdown), then the transport. */
  close(): Promise<void>;
}

/** Events a subscriber may have waiting before the oldest are dropped. */
const subscriberBuffer = 1_000;

export function createEventBus(transport: EventTransport = {}, onError: (error: unknown) => void = () => {}): EventBus {
  const pubSub: PubSub<Topics> = createPubSub<Topics>(transport.eventTarget ? { eventTarget: transport.eventTarget } : {});
  const live = new Set<Repeater<unknown>>();
  let closed = false;

  /**
   * Listens from now on, not from the first pull, and resolves once the transport listens: an
   * event published after this resolves is never missed. Only what passes `keep` is given, and the
   * stream ends after an item for which `last` holds.
   */
  async function listen<Item>(
    source: Repeater<Item>,
    topic: string,
    keep: (item: Item) => boolean,
    last: (item: Item) => boolean = () => false,
  ): Promise<AsyncIterable<Item>> {
    if (closed) throw new ShuttingDownError('The server is shutting down: subscribe again in a moment.');
    const first = source.next();
    live.add(source as Repeater<unknown>);
    try {
      await transport.listening?.(topic);
    } catch (error) {
      live.delete(source as Repeater<unknown>);
      await source.return();
      throw error;
    }
    // A subscriber that reads slower than events come loses the oldest rather than failing.
    return new Repeater<Item>(async (push, stop) => {
      void stop.then(() => source.return());
      let next = await first;
      while (!next.done) {
        if (keep(next.value)) {
          await push(next.value);
          if (last(next.value)) break;
        }
        next = await source.next();
      }
      live.delete(source as Repeater<unknown>);
      stop();
    }, new SlidingBuffer(subscriberBuffer));
  }

  const visibleTo = (viewer: Actor) => (item: { onlyFor?: string }) => !item.onlyFor || item.onlyFor === viewer.userId;

  const bus: EventBus = {
    publish(items) {
      try {
        for (const item of items) {
          if (item.what !== 'timeline') continue;
          const { personId, eventId, onlyFor } = item;
          pubSub.publish('timelineEventAdded', item.organizationId, { personId, eventId, ...(onlyFor ? { onlyFor } : {}) });
        }
        for (const { organizationId, change } of personChanges(items).values()) {
          pubSub.publish('personChanged', organizationId, change);
        }
      } catch (error) {
        // The write has committed: a lost announcement must not turn it into a failure.
        onError(error);
      }
    },
    personChanges(viewer, personId) {
      const canSee = visibleTo(viewer);
      return listen(
        pubSub.subscribe('personChanged', viewer.organizationId),
        `personChanged:${viewer.organizationId}`,
        (change) => canSee(change) && (personId === undefined || change.personId === personId),
        (change) => personId !== undefined && finalKinds.has(change.kind),
      );
    },
    timelineEvents(viewer, personId) {
      const canSee = visibleTo(viewer);
      return listen(
        pubSub.subscribe('timelineEventAdded', viewer.organizationId),
        `timelineEventAdded:${viewer.organizationId}`,
        (event) => canSee(event) && event.personId === personId,
      );
    },
    publishCommitsOf(prisma) {
      return onCommit<Noted>(prisma, (items) => bus.publish(items));
    },
    async close() {
      closed = true;
      await Promise.all([...live].map((source) => source.return()));
      live.clear();
      await transport.close?.();
    },
  };
  return bus;
}
