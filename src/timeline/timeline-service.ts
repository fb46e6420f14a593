import type { Prisma } from '../db/prisma.ts';
import { emptyTimeRange } from '../shared/time-range.ts';
import type { TimelineEventType } from './timeline.ts';

/** The read side of the timeline. Events are written by recordEvent (timeline.ts) inside each change. */
export interface TimelineFilter {
  /** Only these kinds; absent or empty means every kind. */
  types?: readonly TimelineEventType[] | null;
  /** Strictly after this instant. */
  occurredAfter?: Date | null;
  /** Strictly before this instant. */
  occurredBefore?: Date | null;
}

/** Newest first; id breaks ties between events of the same instant, so pages never overlap or skip. */
export const timelineOrder = [{ occurredAt: 'desc' }, { id: 'desc' }] satisfies Prisma.TimelineEventOrderByWithRelationInput[];

/** A time range whose end is not after its start, as a message; undefined when the range is fine. */
export function invalidTimeRange(filter: TimelineFilter): string | undefined {
  return emptyTimeRange(
    [{ name: 'occurredAfter', at: filter.occurredAfter, inclusive: false }],
    [{ name: 'occurredBefore', at: filter.occurredBefore, inclusive: false }],
  );
}

/**
 * The events of one person's timeline. No organisation condition: the person was found in the
 * caller's organisation, and its events are its own; a second condition here led PostgreSQL to
 * scan the organisation's whole timeline index for every person of a page.
 */
export function timelineWhere(filter: TimelineFilter): Prisma.TimelineEventWhereInput {
  const occurredAt: Prisma.DateTimeFilter = {};
  if (filter.occurredAfter) occurredAt.gt = filter.occurredAfter;
  if (filter.occurredBefore) occurredAt.lt = filter.occurredBefore;
  return {
    ...(filter.types?.length ? { type: { in: [...filter.types] } } : {}),
    ...(Object.keys(occurredAt).length > 0 ? { occurredAt } : {}),
  };
}
