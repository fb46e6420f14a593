import type { Db } from '../db/prisma.ts';
import type { Group, GroupMembership, GroupRole } from '../generated/prisma/client.ts';
import { type Actor, requireWriter, type ServiceContext } from '../shared/actor.ts';
import { IssueList, NotFoundError, notInOrganisation, ValidationError } from '../shared/errors.ts';
import { holdPeople, lockPerson, lockRow } from '../db/row-locks.ts';
import { bumpPersonVersion } from '../db/versions.ts';
import { recordEvent, recordEvents } from '../timeline/index.ts';
import { requiredTitle, titleLimits } from '../shared/titles.ts';
import { firstHolders } from '../shared/merge-order.ts';
import { cleanText } from '../shared/validation.ts';

/** A group (seed 000, and seed 003's groups), ids already local. Titles need not be unique. */
export interface GroupInput {
  title?: string | null;
  description?: string | null;
  categoryId?: string | null;
}

type GroupColumns = { title?: string; description?: string | null; categoryId?: string | null };

export async function createGroup({ prisma, actor }: ServiceContext, input: GroupInput): Promise<Group> {
  requireWriter(actor);
  const data = prepareGroup(input, 'create');
  return prisma.$transaction(async (tx) => {
    await checkCategory(tx, actor, data.categoryId);
    return tx.group.create({ data: { ...data, title: data.title!, organizationId: actor.organizationId } });
  });
}

/** PATCH: absent fields are kept, null clears (a null category leaves the group uncategorised). */
export async function updateGroup(ctx: ServiceContext, id: string, input: GroupInput): Promise<Group> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  const data = prepareGroup(input, 'update');
  return prisma.$transaction(async (tx) => {
    await findGroupOrThrow(tx, ctx, id);
    await checkCategory(tx, actor, data.categoryId);
    return tx.group.update({ where: { id }, data });
  });
}

/** Deletes the group and, through the foreign key, its memberships; each member's timeline says so. */
export async function deleteGroup(ctx: ServiceContext, id: string): Promise<string> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  await prisma.$transaction(async (tx) => {
    // Memberships being written hold the group (FOR KEY SHARE): wait for them, so that every
    // member read here, the last ones included, gets a GROUP_LEFT.
    const group = await findGroupOrThrow(tx, ctx, id, 'FOR UPDATE');
    const members = await tx.groupMembership.findMany({ where: { groupId: id }, select: { personId: true } });
    const stillMembers = await holdPeople(tx, ctx, members.map((member) => member.personId));
    await tx.group.delete({ where: { id } });
    await recordEvents(
      tx,
      actor,
      stillMembers,
      'GROUP_LEFT',
      { groupId: id, title: group.title, reason: 'GROUP_DELETED' },
    );
  });
  return id;
}

/** Seed 000's PUT: makes the person a member with this role, whether or not they were one. */
export async function addGroupMember(
  ctx: ServiceContext,
  groupId: string,
  personId: string,
  role: GroupRole,
): Promise<GroupMembership> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  return prisma.$transaction(async (tx) => {
    const group = await findGroupOrThrow(tx, ctx, groupId, 'FOR KEY SHARE');
    // The person locked: concurrent adds of the same person take turns, and the later ones find
    // the membership (one row, one GROUP_JOINED).
    await lockPerson(tx, ctx, personId);
    const existing = await findMembership(tx, groupId, personId);
    if (existing) return changeRole(tx, actor, group, existing, role);
    const membership = await tx.groupMembership.create({
      data: { groupId, personId, role, organizationId: actor.organizationId },
    });
    await recordEvent(tx, actor, personId, 'GROUP_JOINED', { groupId, title: group.title, role });
    await bumpPersonVersion(tx, personId);
    return membership;
  });
}

/** Seed 000's PATCH: changes the role of someone who is already a member; NotFound otherwise. */
export async function updateGroupMember(
  ctx: ServiceContext,
  groupId: string,
  personId: string,
  role: GroupRole,
): Promise<GroupMembership> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  return prisma.$transaction(async (tx) => {
    const { group, membership } = await lockMembershipOrThrow(tx, ctx, groupId, personId);
    return changeRole(tx, actor, group, membership, role);
  });
}

/** Seed 000's DELETE: someone who is not a member is NotFound. */
export async function removeGroupMember(
  ctx: ServiceContext,
  groupId: string,
  personId: string,
): Promise<Group> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  return prisma.$transaction(async (tx) => {
    const { group, membership } = await lockMembershipOrThrow(tx, ctx, groupId, personId);
    await tx.groupMembership.delete({ where: { groupId_personId: { groupId, personId } } });
    await recordEvent(tx, actor, personId, 'GROUP_LEFT', { groupId, title: group.title, role: membership.role });
    await bumpPersonVersion(tx, personId);
    return group;
  });
}

async function changeRole(
  db: Db,
  actor: Actor,
  group: Group,
  membership: GroupMembership,
  role: GroupRole,
): Promise<GroupMembership> {
  if (membership.role === role) return membership;
  const { groupId, personId } = membership;
  const changed = await db.groupMembership.update({ where: { groupId_personId: { groupId, personId } }, data: { role } });
  await recordEvent(db, actor, personId, 'GROUP_ROLE_CHANGED', {
    groupId,
    title: group.title,
    before: membership.role,
    after: role,
  });
  await bumpPersonVersion(db, personId);
  return changed;
}

/** With `lock`, the group is locked first (see row-locks.ts): a group deleted meanwhile is NotFound. */
async function findGroupOrThrow(
  db: Db,
  ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>,
  id: string,
  lock?: 'FOR KEY SHARE' | 'FOR UPDATE',
): Promise<Group> {
  if (lock && !(await lockRow(db, ctx, 'Group', id, lock))) throw new NotFoundError('Group', id);
  const group = await db.group.findFirst({ where: { id, organizationId: ctx.actor.organizationId } });
  if (!group) throw new NotFoundError('Group', id);
  return group;
}

function findMembership(db: Db, groupId: string, personId: string): Promise<GroupMembership | null> {
  return db.groupMembership.findUnique({ where: { groupId_personId: { groupId, personId } } });
}

/** Locks the person and the group as addGroupMember does, then finds the membership. */
async function lockMembershipOrThrow(db: Db, ctx: ServiceContext, groupId: string, personId: string) {
  const group = await findGroupOrThrow(db, ctx, groupId, 'FOR KEY SHARE');
  await lockPerson(db, ctx, personId);
  const membership = await findMembership(db, groupId, personId);
  if (!membership) {
    throw new NotFoundError('Person', personId, false, `This person is not a member of the group "${group.title}".`);
  }
  return { group, membership };
}

async function checkCategory(db: Db, actor: Actor, categoryId: string | null | undefined): Promise<void> {
  if (!categoryId) return;
  const category = await db.groupCategory.findFirst({
    where: { id: categoryId, organizationId: actor.organizationId },
    select: { id: true },
  });
  if (!category) {
    throw new ValidationError([
      { path: ['input', 'categoryId'], message: notInOrganisation('GroupCategory', categoryId, 'group category') },
    ]);
  }
}

function prepareGroup(input: GroupInput, mode: 'create' | 'update'): GroupColumns {
  const issues = new IssueList();
  const data: GroupColumns = {};
  const given = <K extends keyof GroupInput>(key: K): GroupInput[K] | undefined =>
    mode === 'update' ? input[key] : (input[key] ?? null);
  const title = requiredTitle(issues, ['input', 'title'], given('title'));
  if (title !== undefined) data.title = title;
  const description = cleanText(issues, ['input', 'description'], given('description'), titleLimits.description);
  if (description !== undefined) data.description = description;
  const categoryId = given('categoryId');
  if (categoryId !== undefined) data.categoryId = categoryId;
  issues.throwIfAny();
  return data;
}

/** A merge's memberships: one per group on the primary, with the strongest role any of the people had there (MANAGER over MEMBER). */
export async function mergeMemberships(db: Db, primaryId: string, otherIds: readonly string[]): Promise<number> {
  const rows = await db.groupMembership.findMany({ where: { personId: { in: [primaryId, ...otherIds] } } });
  const managedGroups = new Set(rows.filter((row) => row.role === 'MANAGER').map((row) => row.groupId));
  let count = 0;
  for (const [personId, groupIds] of firstHolders(rows, (row) => row.groupId, primaryId, otherIds)) {
    const result = await db.groupMembership.updateMany({ where: { personId, groupId: { in: groupIds } }, data: { personId: primaryId } });
    count += result.count;
  }
  if (managedGroups.size > 0) {
    await db.groupMembership.updateMany({
      where: { personId: primaryId, groupId: { in: [...managedGroups] }, role: 'MEMBER' },
      data: { role: 'MANAGER' },
    });
  }
  return count;
}
