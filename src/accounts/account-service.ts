import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/prisma.ts';
import { hashApiKey } from '../shared/api-key-hash.ts';
import type { Actor, KeyRateLimit, UserRole } from '../shared/actor.ts';
import { IssueList, NotFoundError } from '../shared/errors.ts';
import { cleanText, limits } from '../shared/validation.ts';

/**
 * Organisations, their users and the users' API keys. A key is shown once, when it is made;
 * only its sha256 is stored, so a leaked database leaks no usable key.
 */
const keyPrefix = 'pgw_';

export { hashApiKey };

/** How much of a secret a key's listing shows: enough to tell keys apart, far too little to use. */
const shownPrefixLength = keyPrefix.length + 8;

export interface NewApiKey {
  secret: string;
  hashedKey: string;
  prefix: string;
}

export function newApiKey(): NewApiKey {
  const secret = keyPrefix + randomBytes(32).toString('base64url');
  return { secret, hashedKey: hashApiKey(secret), prefix: secret.slice(0, shownPrefixLength) };
}

const roleRank: Record<UserRole, number> = { VIEWER: 0, EDITOR: 1, ADMIN: 2 };

export function roleAtMost(role: UserRole, limit: UserRole): boolean {
  return roleRank[role] <= roleRank[limit];
}

/** The role a key acts with: its own, but never more than its user's (who may have been demoted since). */
export function effectiveRole(keyRole: UserRole | null, userRole: UserRole): UserRole {
  return keyRole && roleAtMost(keyRole, userRole) ? keyRole : userRole;
}

export interface CreatedOrganization {
  organizationId: string;
  userId: string;
  apiKey: string;
}

export async function createOrganization(
  prisma: PrismaClient,
  input: { name: string; adminEmail?: string },
): Promise<CreatedOrganization> {
  const issues = new IssueList();
  const name = cleanText(issues, ['name'], input.name, limits.name);
  if (!name) issues.add(['name'], 'An organisation needs a name.');
  issues.throwIfAny();
  return prisma.$transaction(async (tx) => {
    const organization = await tx.organization.create({ data: { name: name! } });
    const user = await tx.user.create({
      data: {
        organizationId: organization.id,
        email: input.adminEmail ?? `admin@${organization.id}.invalid`,
        name: 'Administrator',
        role: 'ADMIN',
      },
    });
    const key = newApiKey();
    await tx.apiKey.create({ data: { organizationId: organization.id, userId: user.id, name: 'org:create', hashedKey: key.hashedKey, prefix: key.prefix } });
    return { organizationId: organization.id, userId: user.id, apiKey: key.secret };
  });
}

export async function createUser(
  prisma: PrismaClient,
  input: { organizationId: string; email: string; name?: string; role?: UserRole },
): Promise<{ userId: string; apiKey: string }> {
  const issues = new IssueList();
  const email = cleanText(issues, ['email'], input.email, limits.name)?.toLowerCase();
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) issues.add(['email'], 'A user needs an email address.');
  issues.throwIfAny();
  return prisma.$transaction(async (tx) => {
    const organization = await tx.organization.findUnique({ where: { id: input.organizationId } });
    if (!organization) throw new NotFoundError('Organization', input.organizationId, true); // the CLI's own id, as given
    const user = await tx.user.create({
      data: { organizationId: organization.id, email: email!, name: input.name ?? null, role: input.role ?? 'EDITOR' },
    });
    const key = newApiKey();
    await tx.apiKey.create({ data: { organizationId: organization.id, userId: user.id, name: 'user:create', hashedKey: key.hashedKey, prefix: key.prefix } });
    return { userId: user.id, apiKey: key.secret };
  });
}

/** A key that authenticates: who it acts for, and until when it may be trusted without asking again. */
export interface AuthenticatedKey {
  actor: Actor;
  expiresAt: Date | null;
}

/** How stale a key's lastUsedAt may get: a busy key costs one write a minute, not one per request. */
export const lastUsedPrecisionMs = 60_000;

/**
 * The actor a key stands for, or null when the key is unknown, revoked, expired or its user
 * deactivated. Records the use when lastUsedAt is older than lastUsedPrecisionMs; the condition
 * is in the UPDATE, so instances that look the key up at the same moment write it once.
 */
export async function authenticate(prisma: PrismaClient, apiKey: string): Promise<AuthenticatedKey | null> {
  if (!apiKey.startsWith(keyPrefix)) return null;
  const key = await prisma.apiKey.findUnique({
    where: { hashedKey: hashApiKey(apiKey) },
    select: {
      id: true,
      role: true,
      expiresAt: true,
      revokedAt: true,
      lastUsedAt: true,
      rateLimitCapacity: true,
      rateLimitRefillPerSecond: true,
      rateLimitExempt: true,
      user: { select: { id: true, organizationId: true, role: true, deactivatedAt: true } },
    },
  });
  const now = new Date();
  if (!key || key.revokedAt || key.user.deactivatedAt || (key.expiresAt && key.expiresAt <= now)) return null;
  const staleBefore = new Date(now.getTime() - lastUsedPrecisionMs);
  if (!key.lastUsedAt || key.lastUsedAt < staleBefore) {
    await prisma.apiKey.updateMany({
      where: { id: key.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: staleBefore } }] },
      data: { lastUsedAt: now },
    });
  }
  const actor: Actor = { organizationId: key.user.organizationId, userId: key.user.id, role: effectiveRole(key.role, key.user.role) };
  const rateLimit = keyRateLimit(key);
  // Carried with the actor, so the key cache holds it too: a change applies within its TTL.
  if (rateLimit) actor.rateLimit = rateLimit;
  return { actor, expiresAt: key.expiresAt };
}

/** A key's own rate limit as its columns hold it; undefined when it has none (the default applies). */
export function keyRateLimit(key: {
  rateLimitCapacity: number | null;
  rateLimitRefillPerSecond: number | null;
  rateLimitExempt: boolean;
}): KeyRateLimit | undefined {
  if (!key.rateLimitExempt && key.rateLimitCapacity === null && key.rateLimitRefillPerSecond === null) return undefined;
  return { capacity: key.rateLimitCapacity, refillPerSecond: key.rateLimitRefillPerSecond, exempt: key.rateLimitExempt };
}
