import type { Db } from '../db/prisma.ts';
import type { User } from '../generated/prisma/client.ts';
import type { ServiceContext, UserRole } from '../shared/actor.ts';
import { ConflictError, IssueList, NotFoundError } from '../shared/errors.ts';
import { lockRows } from '../db/row-locks.ts';
import { conflictOnDuplicate } from '../shared/titles.ts';
import { cleanText, limits } from '../shared/validation.ts';

/**
 * The organisation's users, managed by its admins (the schema's `admin` scope lets no one else
 * call these). A user is deactivated rather than deleted: their notes and timeline events keep
 * their author, and their keys stop working. The organisation always keeps one active admin.
 */
export interface CreateUserInput {
  email: string;
  name?: string | null;
  role?: UserRole | null;
}

export interface UpdateUserInput {
  email?: string | null;
  name?: string | null;
  role?: UserRole | null;
}

const lastAdminMessage = 'This is the last active admin of the organisation: make another user admin first.';

export async function createOrganizationUser({ prisma, actor }: ServiceContext, input: CreateUserInput): Promise<User> {
  const issues = new IssueList();
  const email = checkedEmail(issues, input.email);
  const name = cleanText(issues, ['input', 'name'], input.name, limits.name);
  issues.throwIfAny();
  return conflictOnDuplicate(
    prisma.user.create({
      data: { organizationId: actor.organizationId, email: email!, name: name ?? null, role: input.role ?? 'EDITOR' },
    }),
    duplicateMessage(email!),
  );
}

/** PATCH: an absent field is kept; `name: null` clears the name; email and role cannot be cleared. */
export async function updateUser(ctx: ServiceContext, id: string, input: UpdateUserInput): Promise<User> {
  const issues = new IssueList();
  if (input.email === null) issues.add(['input', 'email'], 'A user needs an email address.');
  const email = input.email ? checkedEmail(issues, input.email) : undefined;
  if (input.role === null) issues.add(['input', 'role'], 'A user needs a role.');
  const name = cleanText(issues, ['input', 'name'], input.name, limits.name);
  issues.throwIfAny();
  return conflictOnDuplicate(
    ctx.prisma.$transaction(async (tx) => {
      const user = await findUser(tx, ctx, id);
      if (input.role && input.role !== 'ADMIN') await assertNotLastAdmin(tx, ctx, user);
      return tx.user.update({
        where: { id },
        data: { ...(email ? { email } : {}), ...(name !== undefined ? { name } : {}), ...(input.role ? { role: input.role } : {}) },
      });
    }),
    duplicateMessage(email ?? ''),
  );
}

/** Deactivates a user; their keys stop working within the key cache's TTL. Twice keeps the first date. */
export async function deactivateUser(ctx: ServiceContext, id: string): Promise<User> {
  return ctx.prisma.$transaction(async (tx) => {
    const user = await findUser(tx, ctx, id);
    if (user.deactivatedAt) return user;
    await assertNotLastAdmin(tx, ctx, user);
    return tx.user.update({ where: { id }, data: { deactivatedAt: new Date() } });
  });
}

/** Undoes deactivateUser: the user's keys that are neither revoked nor expired work again. */
export async function reactivateUser(ctx: ServiceContext, id: string): Promise<User> {
  return ctx.prisma.$transaction(async (tx) => {
    const user = await findUser(tx, ctx, id);
    if (!user.deactivatedAt) return user;
    return tx.user.update({ where: { id }, data: { deactivatedAt: null } });
  });
}

async function findUser(tx: Db, { actor }: ServiceContext, id: string): Promise<User> {
  const user = await tx.user.findFirst({ where: { id, organizationId: actor.organizationId } });
  if (!user) throw new NotFoundError('User', id);
  return user;
}

/**
 * Refuses to take away the last active admin. The active admins are locked first (in id order), so
 * two admins demoting each other at the same moment cannot both succeed: the second counts again
 * once the first has committed.
 */
async function assertNotLastAdmin(tx: Db, ctx: ServiceContext, user: User): Promise<void> {
  if (user.role !== 'ADMIN' || user.deactivatedAt) return;
  const activeAdmins = { organizationId: ctx.actor.organizationId, role: 'ADMIN' as const, deactivatedAt: null };
  const candidates = await tx.user.findMany({ where: activeAdmins, select: { id: true } });
  await lockRows(tx, ctx, 'User', candidates.map((candidate) => candidate.id), 'FOR NO KEY UPDATE');
  const remaining = await tx.user.count({ where: { ...activeAdmins, id: { not: user.id } } });
  if (remaining === 0) throw new ConflictError(lastAdminMessage);
}

function checkedEmail(issues: IssueList, value: string): string | undefined {
  const email = cleanText(issues, ['input', 'email'], value, limits.name)?.toLowerCase();
  if (!email || !/^[^\s@]+@[^\s@]+$/.test(email)) issues.add(['input', 'email'], 'A user needs an email address.');
  return email ?? undefined;
}

function duplicateMessage(email: string): string {
  return `A user with the email ${email} already exists in this organisation.`;
}
