import type { Db } from '../db/prisma.ts';
import type { User } from '../generated/prisma/client.ts';
import type { Actor } from './actor.ts';

/** How many timeline events someone caused on a person, and when the last one was. */
export interface InteractionSummary {
  approximateCount: number;
  lastInteractedAt: Date | null;
}

export interface WorkspaceInteractions extends InteractionSummary {
  /** The most recent distinct users, newest first. */
  lastInteractedBy: User[];
}

/** Seed 003's interactionMetadata, derived from the timeline. */
export interface InteractionMetadata {
  /** The events the calling user caused. */
  user: InteractionSummary;
  /** The events anyone caused. */
  workspace: WorkspaceInteractions;
}

/** How many distinct recent users lastInteractedBy lists. */
export const lastInteractedByLimit = 5;

interface ActorActivity {
  actorId: string | null;
  count: number;
  lastAt: Date;
}

/**
 * The metadata of many people in two statements whatever their number: one grouped count of
 * their events per (person, actor), and one for the users among the most recent actors.
 * Answers in the order of `personIds`.
 */
export async function loadInteractionMetadata(
  db: Db,
  actor: Actor,
  personIds: readonly string[],
): Promise<InteractionMetadata[]> {
  const groups = await db.timelineEvent.groupBy({
    by: ['personId', 'actorId'],
    // The people were loaded in the actor's organisation; an organisation condition on top
    // only tempts PostgreSQL into scanning the organisation's whole timeline.
    where: { personId: { in: [...personIds] } },
    _count: { _all: true },
    _max: { occurredAt: true },
  });
  const activityByPerson = new Map<string, ActorActivity[]>();
  for (const group of groups) {
    const activity = activityByPerson.get(group.personId) ?? [];
    activity.push({ actorId: group.actorId, count: group._count._all, lastAt: group._max.occurredAt! });
    activityByPerson.set(group.personId, activity);
  }
  const recentActorIds = new Map<string, string[]>();
  for (const [personId, activity] of activityByPerson) {
    recentActorIds.set(personId, mostRecentActors(activity));
  }
  const wantedUserIds = [...new Set([...recentActorIds.values()].flat())];
  const users =
    wantedUserIds.length === 0
      ? []
      : await db.user.findMany({ where: { id: { in: wantedUserIds }, organizationId: actor.organizationId } });
  const usersById = new Map(users.map((user) => [user.id, user]));

  return personIds.map((personId) => {
    const activity = activityByPerson.get(personId) ?? [];
    const mine = activity.find((entry) => entry.actorId === actor.userId);
    return {
      user: { approximateCount: mine?.count ?? 0, lastInteractedAt: mine?.lastAt ?? null },
      workspace: {
        approximateCount: activity.reduce((sum, entry) => sum + entry.count, 0),
        lastInteractedAt: latest(activity.map((entry) => entry.lastAt)),
        lastInteractedBy: (recentActorIds.get(personId) ?? []).flatMap((id) => usersById.get(id) ?? []),
      },
    };
  });
}

/** Distinct users newest first; events whose user is gone (actorId null) name nobody. */
function mostRecentActors(activity: ActorActivity[]): string[] {
  return activity
    .filter((entry): entry is ActorActivity & { actorId: string } => entry.actorId !== null)
    .sort((a, b) => b.lastAt.getTime() - a.lastAt.getTime() || a.actorId.localeCompare(b.actorId))
    .slice(0, lastInteractedByLimit)
    .map((entry) => entry.actorId);
}

function latest(dates: Date[]): Date | null {
  return dates.reduce<Date | null>((max, date) => (max === null || date > max ? date : max), null);
}
