import type { PrismaClient } from '../db/prisma.ts';
import type { Actor } from '../shared/actor.ts';
import { authenticate, hashApiKey } from './account-service.ts';

/**
 * How long an instance trusts a key it has just looked up. A revoked or deleted key, or one whose
 * user was deactivated or demoted, keeps its old standing for at most this long on an instance
 * that has just seen it, and a key whose rate limit an admin changed keeps its old one as long
 * (the limit travels with the actor). (An expiring key is trusted no longer than its expiry.)
 */
export const apiKeyCacheTtlMs = 10_000;

/** Enough for every active key of a large deployment; beyond it the oldest entry goes. */
export const apiKeyCacheMaxEntries = 10_000;

export interface ApiKeyCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
}

/**
 * Authenticates through a per-instance cache of known keys, so that a client sending requests in
 * a row costs one lookup per TTL, not one per request. Entries are keyed by the key's sha256: the
 * plain key is never kept. Unknown and revoked keys are not cached, so a key created a moment ago
 * works on its first request, and a wrong key is never remembered as one.
 * (A hand-made Map rather than lru-cache: insertion order and a TTL are all it needs.)
 */
export function cachedAuthenticator(
  prisma: PrismaClient,
  { ttlMs = apiKeyCacheTtlMs, maxEntries = apiKeyCacheMaxEntries }: ApiKeyCacheOptions = {},
): (apiKey: string) => Promise<Actor | null> {
  const entries = new Map<string, { actor: Actor; expiresAt: number }>();
  return async (apiKey) => {
    const hash = hashApiKey(apiKey);
    const cached = entries.get(hash);
    if (cached && cached.expiresAt > Date.now()) return cached.actor;
    if (cached) entries.delete(hash);
    const key = await authenticate(prisma, apiKey);
    if (key && ttlMs > 0) {
      // A Map iterates in insertion order, so its first key is the oldest entry.
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      const trustedUntil = Math.min(Date.now() + ttlMs, key.expiresAt?.getTime() ?? Infinity);
      entries.set(hash, { actor: key.actor, expiresAt: trustedUntil });
    }
    return key?.actor ?? null;
  };
}
