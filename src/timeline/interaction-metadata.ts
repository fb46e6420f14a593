import { quoteIdent } from '../db/migrate.ts';
import { type Db, Prisma } from '../db/prisma.ts';
import type { User } from '../generated/prisma/client.ts';
import type { Actor } from '../shared/actor.ts';

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

/** One (person, actor) group of events, with the actor's user when they are among the most recent. */
interface ActivityRow extends ActorActivity {
  personId: string;
  userId: string | null;
  userOrganizationId: string | null;
  email: string | null;
  name: string | null;
  role: User['role'] | null;
  createdAt: Date | null;
  deactivatedAt: Date | null;
}

/**
 * The metadata of many people in one statement whatever their number: their events counted per
 * (person, actor), with the users among each person's most recent actors joined in.
 * Answers in the order of `personIds`.
 */
export async function loadInteractionMetadata(
  db: Db,
  actor: Actor,
  personIds: readonly string[],
  /** The PostgreSQL schema the tables are in (a raw statement names it itself). */
  dbSchema: string,
): Promise<InteractionMetadata[]> {
  const table = (name: string) => Prisma.raw(`${quoteIdent(dbSchema)}.${quoteIdent(name)}`);
  // The people were loaded in the actor's organisation; an organisation condition on the events
  // only tempts PostgreSQL into scanning the organisation's whole timeline. Recency ties go to the
  // smaller id, byte-wise, as mostRecentActors orders them.
  const rows = await db.$queryRaw<ActivityRow[]>`
    WITH activity AS (
      SELECT "personId", "actorId", COUNT(*)::int AS "count", MAX("occurredAt") AS "lastAt"
      FROM ${table('TimelineEvent')}
      WHERE "personId" = ANY(${[...personIds]})
      GROUP BY "personId", "actorId"
    ), ranked AS (
      SELECT activity.*, ROW_NUMBER() OVER (
        PARTITION BY "personId", "actorId" IS NULL ORDER BY "lastAt" DESC, "actorId" COLLATE "C"
      ) AS recency
      FROM activity
    )
    SELECT ranked."personId", ranked."actorId", ranked."count", ranked."lastAt",
      u."id" AS "userId", u."organizationId" AS "userOrganizationId", u."email", u."name", u."role"::text AS "role", u."createdAt", u."deactivatedAt"
    FROM ranked
    LEFT JOIN ${table('User')} AS u
      ON u."id" = ranked."actorId" AND ranked.recency <= ${lastInteractedByLimit} AND u."organizationId" = ${actor.organizationId}`;

  const activityByPerson = new Map<string, ActorActivity[]>();
  const usersById = new Map<string, User>();
  for (const row of rows) {
    const activity = activityByPerson.get(row.personId) ?? [];
    activity.push({ actorId: row.actorId, count: row.count, lastAt: row.lastAt });
    activityByPerson.set(row.personId, activity);
    if (row.userId !== null) {
      usersById.set(row.userId, {
        id: row.userId,
        organizationId: row.userOrganizationId!,
        email: row.email!,
        name: row.name,
        role: row.role!,
        createdAt: row.createdAt!,
        deactivatedAt: row.deactivatedAt,
      });
    }
  }

  return personIds.map((personId) => {
    const activity = activityByPerson.get(personId) ?? [];
    const mine = activity.find((entry) => entry.actorId === actor.userId);
    return {
      user: { approximateCount: mine?.count ?? 0, lastInteractedAt: mine?.lastAt ?? null },
      workspace: {
        approximateCount: activity.reduce((sum, entry) => sum + entry.count, 0),
        lastInteractedAt: latest(activity.map((entry) => entry.lastAt)),
        lastInteractedBy: mostRecentActors(activity).flatMap((id) => usersById.get(id) ?? []),
      },
    };
  });
}

/** Distinct users newest first, ties by id byte-wise; events whose user is gone (actorId null) name nobody. */
function mostRecentActors(activity: ActorActivity[]): string[] {
  return activity
    .filter((entry): entry is ActorActivity & { actorId: string } => entry.actorId !== null)
    .sort((a, b) => b.lastAt.getTime() - a.lastAt.getTime() || (a.actorId < b.actorId ? -1 : a.actorId > b.actorId ? 1 : 0))
    .slice(0, lastInteractedByLimit)
    .map((entry) => entry.actorId);
}

function latest(dates: Date[]): Date | null {
  return dates.reduce<Date | null>((max, date) => (max === null || date > max ? date : max), null);
}
