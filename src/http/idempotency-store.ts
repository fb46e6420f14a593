import { quoteIdent } from '../db/migrate.ts';
import { type Db, Prisma } from '../db/prisma.ts';
import type { Actor } from '../shared/actor.ts';

/** How long a key's answer is kept: a client retrying within a day gets it back. */
export const idempotencyKeyTtlMs = 24 * 60 * 60 * 1000;

export type Claim =
  /** The key is new (or its record expired): this request runs, and its answer is saved. */
  | { kind: 'claimed' }
  /** The same request was answered before: its answer, as sent. */
  | { kind: 'replay'; response: string }
  /** The key was used for another request (other operation, variables or user). */
  | { kind: 'reused' };

/**
 * Claims the organisation's key inside the transaction the mutation will run in. The INSERT of a
 * key that another transaction has inserted and not yet committed waits for that transaction:
 * so a concurrent replay waits for the first request to end, then finds its answer (or, when it
 * rolled back, claims the key itself). A record older than the TTL counts as none and is taken over.
 */
export async function claimIdempotencyKey(
  tx: Db,
  dbSchema: string,
  actor: Actor,
  key: string,
  requestHash: string,
  now = new Date(),
): Promise<Claim> {
  const table = Prisma.raw(`${quoteIdent(dbSchema)}.${quoteIdent('IdempotencyKey')}`);
  const expiredBefore = new Date(now.getTime() - idempotencyKeyTtlMs);
  const claimed = await tx.$queryRaw<{ key: string }[]>`
    INSERT INTO ${table} ("organizationId", "key", "actorId", "requestHash", "createdAt")
    VALUES (${actor.organizationId}, ${key}, ${actor.userId}, ${requestHash}, ${now})
    ON CONFLICT ("organizationId", "key") DO UPDATE
      SET "actorId" = EXCLUDED."actorId", "requestHash" = EXCLUDED."requestHash", "response" = NULL, "createdAt" = EXCLUDED."createdAt"
      WHERE ${table}."createdAt" < ${expiredBefore}
    RETURNING "key"`;
  if (claimed.length > 0) return { kind: 'claimed' };
  const existing = await tx.idempotencyKey.findUnique({
    where: { organizationId_key: { organizationId: actor.organizationId, key } },
  });
  // Committed records always have their response (see saveIdempotentResponse).
  if (!existing?.response) throw new Error(`Idempotency key record without a response: ${key}`);
  if (existing.actorId !== actor.userId || existing.requestHash !== requestHash) return { kind: 'reused' };
  return { kind: 'replay', response: existing.response };
}

/** Saves the answer in the same transaction as the mutation's effects. */
export async function saveIdempotentResponse(tx: Db, actor: Actor, key: string, response: string): Promise<void> {
  await tx.idempotencyKey.update({
    where: { organizationId_key: { organizationId: actor.organizationId, key } },
    data: { response },
  });
}

/** Deletes the records older than the TTL; returns how many. */
export async function sweepExpiredIdempotencyKeys(db: Db, now = new Date()): Promise<number> {
  const { count } = await db.idempotencyKey.deleteMany({
    where: { createdAt: { lt: new Date(now.getTime() - idempotencyKeyTtlMs) } },
  });
  return count;
}
