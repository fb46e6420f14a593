import type { Db } from './prisma.ts';
import type { Person } from '../generated/prisma/client.ts';
import type { ServiceContext } from '../shared/actor.ts';
import { ConflictError } from '../shared/errors.ts';
import { encodeGlobalId } from '../shared/global-ids.ts';
import { lockAndFindPerson, lockPerson } from './row-locks.ts';

/**
 * Optimistic concurrency (no lost updates): a person and a note carry a version, 1 when created
 * and one more with every change. A client that read version n and sends `expectedVersion: n`
 * has its write refused with a ConflictError (carrying the current version) if anyone changed the
 * record since. The comparison is made once the record is locked (row-locks.ts), so no write can
 * come between the check and this write's own: of two writers sending the same version, one
 * wins and the other conflicts.
 *
 * What counts as a change to a person: their own columns, companies, projects, tags, groups and
 * group roles, custom-field values and avatar, whoever writes them (API, import, merge) - all
 * that a replacePerson (PUT) could overwrite. A write that changes nothing keeps the version.
 * Deleting a tag, group or field definition does not count for the people who had it: a stale
 * write naming it fails validation anyway.
 */

/** A ConflictError when `expected` is given and is not `current`. */
export function checkVersion(resource: 'Person' | 'Note', id: string, current: number, expected: number | null | undefined): void {
  if (expected == null || expected === current) return;
  throw new ConflictError(
    `${resource} ${encodeGlobalId(resource, id)} is at version ${current}, not ${expected}: it changed since you read it. Read it again, then retry.`,
    current,
  );
}

/** lockPerson, and with an expected version, the check of it under the lock. */
export async function lockPersonAtVersion(
  tx: Db,
  ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>,
  id: string,
  expectedVersion: number | null | undefined,
): Promise<void> {
  if (expectedVersion == null) return lockPerson(tx, ctx, id);
  const person = await lockAndFindPerson(tx, ctx, id);
  checkVersion('Person', id, person.version, expectedVersion);
}

/** The update that counts one change; part of the data of the write that makes it. */
export const nextVersion = { version: { increment: 1 } } as const;

/**
 * Counts one change to the person, for writes of what hangs on them (values, tags, groups,
 * avatar), once per write, at its end; answers the person as they now are.
 */
export function bumpPersonVersion(db: Db, id: string): Promise<Person> {
  return db.person.update({ where: { id }, data: nextVersion });
}
