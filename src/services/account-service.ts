import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../db/prisma.ts';
import type { Actor, UserRole } from './actor.ts';
import { IssueList, NotFoundError } from './errors.ts';
import { cleanText, limits } from './validation.ts';

/**
 * Organisations, their users and the users' API keys. A key is shown once, when it is made;
 * only its sha256 is stored, so a leaked database leaks no usable key.
 */
const keyPrefix = 'pgw_';

export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}

function newApiKey(): string {
  return keyPrefix + randomBytes(32).toString('base64url');
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
    const apiKey = newApiKey();
    await tx.apiKey.create({ data: { organizationId: organization.id, userId: user.id, hashedKey: hashApiKey(apiKey) } });
    return { organizationId: organization.id, userId: user.id, apiKey };
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
    const apiKey = newApiKey();
    await tx.apiKey.create({ data: { organizationId: organization.id, userId: user.id, hashedKey: hashApiKey(apiKey) } });
    return { userId: user.id, apiKey };
  });
}

/** The actor a key stands for, or null when the key is unknown or revoked. */
export async function authenticate(prisma: PrismaClient, apiKey: string): Promise<Actor | null> {
  if (!apiKey.startsWith(keyPrefix)) return null;
  const key = await prisma.apiKey.findUnique({
    where: { hashedKey: hashApiKey(apiKey) },
    select: { revokedAt: true, user: { select: { id: true, organizationId: true, role: true } } },
  });
  if (!key || key.revokedAt) return null;
  return { organizationId: key.user.organizationId, userId: key.user.id, role: key.user.role };
}
