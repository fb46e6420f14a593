import { fileTypeFromBuffer } from 'file-type';
import type { Db } from '../db/prisma.ts';
import type { Person } from '../generated/prisma/client.ts';
import { type Actor, requireWriter, type ServiceContext } from '../shared/actor.ts';
import { IssueList, NotFoundError } from '../shared/errors.ts';
import { lockAndFindPerson } from '../db/row-locks.ts';
import { bumpPersonVersion } from '../db/versions.ts';
import { recordEvent } from '../timeline/index.ts';

export const maxAvatarBytes = 2 * 1024 * 1024;

export type AvatarContentType = 'image/png' | 'image/jpeg' | 'image/webp';

/**
 * The image type by its content (file-type's signatures). The file's name and the type the client
 * declares are not trusted: a text file named `.png` is still text. An animated PNG is a PNG.
 */
export async function sniffImageType(bytes: Uint8Array): Promise<AvatarContentType | undefined> {
  const mime = (await fileTypeFromBuffer(bytes))?.mime;
  if (mime === 'image/apng') return 'image/png';
  return mime === 'image/png' || mime === 'image/jpeg' || mime === 'image/webp' ? mime : undefined;
}

/** Checks the upload before any transaction opens, so a bad file costs no database work. */
async function readAvatar(file: File): Promise<{ data: Uint8Array<ArrayBuffer>; contentType: AvatarContentType }> {
  const issues = new IssueList();
  if (file.size > maxAvatarBytes) {
    issues.add(['file'], `The image is ${file.size} bytes; at most ${maxAvatarBytes} (2 MB).`);
    issues.throwIfAny();
  }
  const data = new Uint8Array(await file.arrayBuffer());
  const contentType = await sniffImageType(data);
  if (data.length === 0) issues.add(['file'], 'The file is empty.');
  else if (data.length > maxAvatarBytes) issues.add(['file'], `The image is ${data.length} bytes; at most ${maxAvatarBytes} (2 MB).`);
  else if (!contentType) issues.add(['file'], 'Not a PNG, JPEG or WebP image (judged by its content, not its name).');
  issues.throwIfAny();
  return { data, contentType: contentType! };
}

export async function setPersonAvatar(ctx: ServiceContext, personId: string, file: File): Promise<Person> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  const { data, contentType } = await readAvatar(file);
  return prisma.$transaction(async (tx) => {
    // Locked: concurrent pictures follow one another, each event's "before" the one replaced.
    const person = await lockAndFindPerson(tx, ctx, personId);
    const before = await avatarBefore(tx, personId);
    // updatedAt is the version in avatarUrl: two changes within one millisecond must still differ.
    const updatedAt = new Date(Math.max(Date.now(), (before?.updatedAt.getTime() ?? 0) + 1));
    await tx.personAvatar.upsert({
      where: { personId },
      create: { personId, contentType, data, updatedAt },
      update: { contentType, data, updatedAt },
    });
    const after = { contentType, byteSize: data.length };
    await recordEvent(tx, actor, personId, 'AVATAR_CHANGED', { before: before && { contentType: before.contentType }, after });
    return bumpPersonVersion(tx, person.id);
  });
}

/** Removing an avatar the person does not have is a NotFoundError, as unsetting an unset field is an error. */
export async function removePersonAvatar(ctx: ServiceContext, personId: string): Promise<Person> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  return prisma.$transaction(async (tx) => {
    const person = await lockAndFindPerson(tx, ctx, personId);
    const before = await avatarBefore(tx, personId);
    const { count } = before ? await tx.personAvatar.deleteMany({ where: { personId } }) : { count: 0 };
    if (!before || count === 0) throw new NotFoundError('Person', personId, false, 'This person has no avatar.');
    await recordEvent(tx, actor, personId, 'AVATAR_CHANGED', { before: { contentType: before.contentType }, after: null });
    return bumpPersonVersion(tx, person.id);
  });
}

/** Without the bytes: the timeline and the version need only what was there, and when. */
function avatarBefore(db: Db, personId: string): Promise<StoredAvatar | null> {
  return db.personAvatar.findUnique({ where: { personId }, select: { contentType: true, updatedAt: true } });
}

export interface StoredAvatar {
  contentType: string;
  updatedAt: Date;
}

/** The avatar's type and version, without its bytes; null when the person is not the actor's or has none. */
export function findAvatarVersion(prisma: Db, actor: Actor, personId: string): Promise<StoredAvatar | null> {
  return prisma.personAvatar.findFirst({
    where: { personId, person: { organizationId: actor.organizationId } },
    select: { contentType: true, updatedAt: true },
  });
}

export function findAvatar(prisma: Db, actor: Actor, personId: string): Promise<(StoredAvatar & { data: Uint8Array<ArrayBuffer> }) | null> {
  return prisma.personAvatar.findFirst({
    where: { personId, person: { organizationId: actor.organizationId } },
    select: { contentType: true, updatedAt: true, data: true },
  });
}

/** What cache validators and cache-busting URLs are built from: changes whenever the image does. */
export function avatarVersion(avatar: { updatedAt: Date }): string {
  return String(avatar.updatedAt.getTime());
}

/** A merge's avatar: the primary ends with the chosen person's (none when null), and no other. */
export async function mergeAvatar(db: Db, primaryId: string, sourceId: string | null): Promise<void> {
  await db.personAvatar.deleteMany({ where: { personId: primaryId } });
  if (sourceId) await db.personAvatar.update({ where: { personId: sourceId }, data: { personId: primaryId } });
}
