import { createHash } from 'node:crypto';
import type { Db } from '../db/prisma.ts';
import type { Actor } from '../shared/actor.ts';
import { emailKey, phoneKey } from '../shared/identity-keys.ts';
import { SuppressedPersonError } from '../shared/errors.ts';

/*
 * Suppression: an erasure with suppress: true keeps the SHA-256 of each of the person's normalised
 * emails and phones (shared/identity-keys.ts), and nothing else. A create, a replace or an import
 * row carrying one of them is refused, unless it says allowSuppressed. A digest is not the
 * address (it cannot be read back), but whoever holds the address can compute it: that is what
 * lets the check work, and why the digests are the organisation's and never shown.
 */

export interface ContactLists {
  emails?: readonly string[] | null;
  phones?: readonly string[] | null;
}

/** The digests of a person's emails and phones, each with where it sits in the input. */
function digestsOf({ emails, phones }: ContactLists): { digest: string; path: string[] }[] {
  const digests: { digest: string; path: string[] }[] = [];
  emails?.forEach((email, index) => digests.push({ digest: digest('email', emailKey(email)), path: ['emails', String(index)] }));
  phones?.forEach((phone, index) => {
    const key = phoneKey(phone);
    if (key) digests.push({ digest: digest('phone', key), path: ['phones', String(index)] });
  });
  return digests;
}

// The kind is part of what is hashed, so that an email's digest never matches a phone's.
function digest(kind: 'email' | 'phone', key: string): string {
  return createHash('sha256').update(`${kind}:${key}`).digest('hex');
}

/** Keeps the digests of this person's emails and phones (inside the erasure's transaction). */
export async function suppressContacts(db: Db, actor: Actor, person: ContactLists): Promise<void> {
  const digests = digestsOf(person);
  if (digests.length === 0) return;
  await db.suppressedIdentifier.createMany({
    data: digests.map(({ digest }) => ({ organizationId: actor.organizationId, digest })),
    skipDuplicates: true,
  });
}

/**
 * For each person, where in it the first suppressed email or phone is (["emails", "0"]), or
 * undefined: one indexed lookup for them all (an import's batch).
 */
export async function findSuppressed(db: Db, actor: Actor, people: readonly ContactLists[]): Promise<(string[] | undefined)[]> {
  const perPerson = people.map(digestsOf);
  const all = [...new Set(perPerson.flat().map(({ digest }) => digest))];
  if (all.length === 0) return people.map(() => undefined);
  const found = await db.suppressedIdentifier.findMany({
    where: { organizationId: actor.organizationId, digest: { in: all } },
    select: { digest: true },
  });
  const suppressed = new Set(found.map((row) => row.digest));
  return perPerson.map((digests) => digests.find(({ digest }) => suppressed.has(digest))?.path);
}

/** Throws SuppressedPersonError when the person's input carries a suppressed email or phone. */
export async function refuseSuppressed(db: Db, actor: Actor, person: ContactLists, basePath: string[] = ['input']): Promise<void> {
  const [path] = await findSuppressed(db, actor, [person]);
  if (path) throw new SuppressedPersonError([...basePath, ...path]);
}

export const suppressedRowMessage = new SuppressedPersonError([]).message;
