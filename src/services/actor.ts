import type { PrismaClient } from '../db/prisma.ts';
import { ForbiddenError } from './errors.ts';

export type UserRole = 'ADMIN' | 'EDITOR' | 'VIEWER';

/** Who a request acts for: always one user of one organisation. */
export interface Actor {
  organizationId: string;
  userId: string;
  role: UserRole;
}

/** What every service call needs: the database and the actor. */
export interface ServiceContext {
  prisma: PrismaClient;
  actor: Actor;
  /** The PostgreSQL schema the tables are in, for the raw statements (row locks). */
  dbSchema: string;
}

export function requireWriter(actor: Actor): void {
  if (actor.role === 'VIEWER') throw new ForbiddenError('A viewer can read but not change anything.');
}
