import type { PrismaClient } from '../db/prisma.ts';
import { ForbiddenError } from './errors.ts';

export type UserRole = 'ADMIN' | 'EDITOR' | 'VIEWER';

/** Who a request acts for: always one user of one organisation. */
export interface Actor {
  organizationId: string;
  userId: string;
  /** The key's role: at most its user's (see effectiveRole in account-service.ts). */
  role: UserRole;
  /** The key's own rate limit, when an admin gave it one; absent: the server's default bucket. */
  rateLimit?: KeyRateLimit;
}

/**
 * An API key's own token bucket (see http/rate-limit.ts): a capacity or refill left null is the
 * server's default; an exempt key is never charged.
 */
export interface KeyRateLimit {
  capacity: number | null;
  refillPerSecond: number | null;
  exempt: boolean;
}

/** What every service call needs: the database and the actor. */
export interface ServiceContext {
  prisma: PrismaClient;
  actor: Actor;
  /** The PostgreSQL schema the tables are in, for the raw statements (row locks). */
  dbSchema: string;
}

/**
 * The schema's `editor` scope (src/graphql/roles.ts) refuses a viewer before any resolver runs;
 * this second check keeps the rule for callers that do not come through GraphQL.
 */
export function requireWriter(actor: Actor): void {
  if (actor.role === 'VIEWER') throw new ForbiddenError('A viewer can read but not change anything.');
}

/** For what only an admin may do outside the schema's `admin` scope (the export download route). */
export function requireAdmin(actor: Actor): void {
  if (actor.role !== 'ADMIN') throw new ForbiddenError(`Only an admin may do this; your key acts as ${actor.role}.`);
}
