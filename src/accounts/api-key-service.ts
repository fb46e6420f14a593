import type { ApiKey } from '../generated/prisma/client.ts';
import { newApiKey, roleAtMost } from './account-service.ts';
import type { Actor, ServiceContext, UserRole } from '../shared/actor.ts';
import { ForbiddenError, IssueList, NotFoundError, notInOrganisation, ValidationError } from '../shared/errors.ts';
import { cleanText, earliestInstant, latestInstant, limits } from '../shared/validation.ts';

/**
 * API keys through the API. Anyone may make and revoke keys of their own (a script's key, a
 * second laptop's); only an admin may do so for another user, or see other users' keys. A key's
 * role is at most its user's role and at most the role of the key that makes it, so no key can
 * make a stronger one; without a role it acts with its user's role, whatever that becomes.
 */
export interface CreateApiKeyInput {
  name: string;
  role?: UserRole | null;
  expiresAt?: Date | null;
  /** The user the key acts for (a local id): you when absent. */
  userId?: string | null;
  /** The key's own rate limit (admins only); absent: the server's default. */
  rateLimit?: ApiKeyRateLimitInput | null;
}

/** A key's own token bucket: a capacity or refill left out is the server's default. */
export interface ApiKeyRateLimitInput {
  capacity?: number | null;
  refillPerSecond?: number | null;
  exempt?: boolean | null;
}

/**
 * Bounds a key's own bucket: a capacity of one token up to 500 times the default (200,000), a
 * refill of one token a second up to 1,000 times the default (10,000). Beyond them a key might
 * as well be exempt, which says so.
 */
export const keyRateLimitBounds = {
  capacity: { min: 1, max: 100_000_000 },
  refillPerSecond: { min: 1, max: 10_000_000 },
};

export interface CreatedApiKey {
  apiKey: ApiKey;
  /** The secret itself: answered once, here, and stored only as its sha256. */
  secret: string;
}

/** Which keys a caller may see and revoke: an admin all of the organisation's, anyone else their own. */
export function visibleKeysWhere(actor: Actor): { organizationId: string; userId?: string } {
  return actor.role === 'ADMIN'
    ? { organizationId: actor.organizationId }
    : { organizationId: actor.organizationId, userId: actor.userId };
}

export async function createApiKey({ prisma, actor }: ServiceContext, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  const ownerId = input.userId ?? actor.userId;
  if (ownerId !== actor.userId && actor.role !== 'ADMIN') {
    throw new ForbiddenError('Only an admin may make a key for another user.');
  }
  const issues = new IssueList();
  const name = cleanText(issues, ['input', 'name'], input.name, limits.name);
  if (!name) issues.add(['input', 'name'], 'A key needs a name, to tell it apart from your other keys.');
  const expiresAt = input.expiresAt ?? null;
  if (expiresAt && (expiresAt.getTime() <= Date.now() || expiresAt.getTime() > latestInstant || expiresAt.getTime() < earliestInstant)) {
    issues.add(['input', 'expiresAt'], 'Must be in the future.');
  }
  if (input.role && !roleAtMost(input.role, actor.role)) {
    issues.add(['input', 'role'], `Your key acts as ${actor.role}: it cannot make a key with more (${input.role}).`);
  }
  if (input.rateLimit) requireAdminForRateLimit(actor);
  const rateLimit = input.rateLimit ? rateLimitColumns(issues, ['input', 'rateLimit'], input.rateLimit) : {};
  issues.throwIfAny();
  return prisma.$transaction(async (tx) => {
    const owner = await tx.user.findFirst({ where: { id: ownerId, organizationId: actor.organizationId } });
    if (!owner) return invalid(['input', 'userId'], notInOrganisation('User', ownerId, 'user'));
    if (owner.deactivatedAt) return invalid(['input', 'userId'], 'This user is deactivated: their keys would not work.');
    if (input.role && !roleAtMost(input.role, owner.role)) {
      return invalid(['input', 'role'], `A key may have at most its user's role (${owner.role}).`);
    }
    // A key made by a key that acts with less than its user's role acts with no more than that.
    const role = input.role ?? (roleAtMost(owner.role, actor.role) ? null : actor.role);
    const key = newApiKey();
    const apiKey = await tx.apiKey.create({
      data: {
        organizationId: actor.organizationId,
        userId: owner.id,
        name: name!,
        role,
        expiresAt,
        hashedKey: key.hashedKey,
        prefix: key.prefix,
        ...rateLimit,
      },
    });
    return { apiKey, secret: key.secret };
  });
}

/**
 * Revokes a key: it stops working once each instance's key cache has forgotten it (at most
 * apiKeyCacheTtlMs). Revoking twice keeps the first date. Another user's key is NotFound to a
 * non-admin, as it is invisible to them.
 */
export async function revokeApiKey({ prisma, actor }: ServiceContext, id: string): Promise<ApiKey> {
  return prisma.$transaction(async (tx) => {
    const key = await tx.apiKey.findFirst({ where: { id, ...visibleKeysWhere(actor) } });
    if (!key) throw new NotFoundError('ApiKey', id);
    if (key.revokedAt) return key;
    return tx.apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
  });
}

export interface UpdateApiKeyInput {
  rateLimit: ApiKeyRateLimitInput;
}

/**
 * Sets a key's own rate limit (admins only), replacing the one it had: `rateLimit: {}` puts it
 * back on the server's default. Applies within apiKeyCacheTtlMs, the time an instance trusts a
 * key it has looked up, as a change of role does.
 */
export async function updateApiKey({ prisma, actor }: ServiceContext, id: string, input: UpdateApiKeyInput): Promise<ApiKey> {
  requireAdminForRateLimit(actor);
  const issues = new IssueList();
  const rateLimit = rateLimitColumns(issues, ['input', 'rateLimit'], input.rateLimit);
  issues.throwIfAny();
  return prisma.$transaction(async (tx) => {
    const key = await tx.apiKey.findFirst({ where: { id, organizationId: actor.organizationId } });
    if (!key) throw new NotFoundError('ApiKey', id);
    return tx.apiKey.update({ where: { id }, data: rateLimit });
  });
}

function requireAdminForRateLimit(actor: Actor): void {
  if (actor.role !== 'ADMIN') throw new ForbiddenError(`Only an admin may set a key's rate limit; your key acts as ${actor.role}.`);
}

/** The columns of a key's own rate limit, or issues for values out of keyRateLimitBounds. */
function rateLimitColumns(
  issues: IssueList,
  path: string[],
  input: ApiKeyRateLimitInput,
): { rateLimitCapacity: number | null; rateLimitRefillPerSecond: number | null; rateLimitExempt: boolean } {
  const exempt = input.exempt ?? false;
  const bounded = (name: 'capacity' | 'refillPerSecond'): number | null => {
    const value = input[name] ?? null;
    const { min, max } = keyRateLimitBounds[name];
    if (value === null) return null;
    if (exempt) issues.add([...path, name], 'An exempt key has no bucket: leave capacity and refillPerSecond out.');
    else if (!Number.isInteger(value) || value < min || value > max) {
      issues.add([...path, name], `Must be a whole number from ${min} to ${max.toLocaleString('en')}; leave it out for the server's default.`);
    }
    return value;
  };
  return { rateLimitCapacity: bounded('capacity'), rateLimitRefillPerSecond: bounded('refillPerSecond'), rateLimitExempt: exempt };
}

function invalid(path: string[], message: string): never {
  throw new ValidationError([{ path, message }]);
}
