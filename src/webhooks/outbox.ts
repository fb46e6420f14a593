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
export function recordPersonDeleted(tx: Db, ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>, personId: string): Promise<void> {
  return enqueue(tx, ctx, personId, 'PERSON_DELETED');
}

/**
 * An erasure's part in the outbox, in the erasing transaction before the delete: the person's
 * events, delivered or not, go (they hold the person's data), and PERSON_ERASED, which carries
 * only the person's id, tells the endpoints that want it to forget them.
 */
export async function recordPersonErased(tx: Db, ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>, personId: string): Promise<void> {
  await tx.webhookEvent.deleteMany({ where: { organizationId: ctx.actor.organizationId, personId } });
  await enqueue(tx, ctx, personId, 'PERSON_ERASED');
}

async function enqueue(tx: Db, { actor, dbSchema }: Pick<ServiceContext, 'actor' | 'dbSchema'>, personId: string, type: 'PERSON_DELETED' | 'PERSON_ERASED'): Promise<void> {
  const webhookEnqueue = Prisma.raw(`${quoteIdent(dbSchema)}.${quoteIdent('webhook_enqueue')}`);
  await tx.$executeRaw`SELECT ${webhookEnqueue}(${uuidv7()}, ${actor.organizationId}, ${personId}, ${type}, CURRENT_TIMESTAMP::timestamp(3), '{}'::jsonb)`;
}
