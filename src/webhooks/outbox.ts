import { v7 as uuidv7 } from 'uuid';
import { quoteIdent } from '../db/migrate.ts';
import { type Db, Prisma } from '../db/prisma.ts';
import type { ServiceContext } from '../shared/actor.ts';

/**
 * Queues PERSON_DELETED for the endpoints that want it, with the person as they were. Called in
 * the deleting transaction before the delete: every other event reaches the outbox through the
 * timeline's trigger, but a deleted person's timeline is deleted with them. The same SQL function
 * as the trigger's (migration 20261207100000_webhooks) writes it.
 */
export async function recordPersonDeleted(tx: Db, { actor, dbSchema }: Pick<ServiceContext, 'actor' | 'dbSchema'>, personId: string): Promise<void> {
  const enqueue = Prisma.raw(`${quoteIdent(dbSchema)}.${quoteIdent('webhook_enqueue')}`);
  await tx.$executeRaw`SELECT ${enqueue}(${uuidv7()}, ${actor.organizationId}, ${personId}, 'PERSON_DELETED', CURRENT_TIMESTAMP::timestamp(3), '{}'::jsonb)`;
}
