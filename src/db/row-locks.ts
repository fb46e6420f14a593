import { quoteIdent } from './migrate.ts';
import { type Db, Prisma } from './prisma.ts';
import type { Person } from '../generated/prisma/client.ts';
import type { ServiceContext } from '../shared/actor.ts';
import { NotFoundError } from '../shared/errors.ts';

/**
 * Row locks, for writes that read before they write (is the tag already on? is the person
 * archived?). Under READ COMMITTED two such transactions can both read "not yet" and both write;
 * with the row locked first, the second waits for the first to end and then reads what it did.
 * A deleted row is not found once the wait is over, so a write racing a deletion gets NotFound
 * rather than a foreign-key failure. Prisma has no SELECT ... FOR, hence the raw statement, which
 * names the schema itself.
 *
 * - `FOR NO KEY UPDATE` (a writer of the row or of what hangs on it): waits for other writers, a
 *   DELETE and a merge (whose updates take this lock too), but not for the foreign-key checks of
 *   rows being inserted elsewhere (a timeline event for the person), so those never deadlock
 *   against it.
 * - `FOR KEY SHARE` (a row that another one will reference, e.g. the tag of an assignment): many
 *   at once, but a DELETE of it waits, and one that came first makes it not found.
 * - `FOR UPDATE` (about to delete it): waits for everything above.
 */
type LockMode = 'FOR NO KEY UPDATE' | 'FOR KEY SHARE' | 'FOR UPDATE';
type LockedTable = 'Person' | 'Group' | 'Tag' | 'Note' | 'NoteCategory' | 'User';

/** Locks the organisation's row until the transaction ends; false when there is none. */
export async function lockRow(
  tx: Db,
  { actor, dbSchema }: Pick<ServiceContext, 'actor' | 'dbSchema'>,
  table: LockedTable,
  id: string,
  mode: LockMode,
): Promise<boolean> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM ${Prisma.raw(`${quoteIdent(dbSchema)}.${quoteIdent(table)}`)}
    WHERE "id" = ${id} AND "organizationId" = ${actor.organizationId}
    ${Prisma.raw(mode)}`;
  return rows.length > 0;
}

/**
 * Starts every write that concerns one person: the person's writes follow one another, and a
 * person deleted or merged away meanwhile is NotFound.
 */
export async function lockPerson(tx: Db, ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>, id: string): Promise<void> {
  if (!(await lockRow(tx, ctx, 'Person', id, 'FOR NO KEY UPDATE'))) throw new NotFoundError('Person', id);
}

/** lockPerson, and the person as they are once locked. */
export async function lockAndFindPerson(tx: Db, ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>, id: string): Promise<Person> {
  await lockPerson(tx, ctx, id);
  return tx.person.findUniqueOrThrow({ where: { id } });
}

/**
 * For a deletion that writes on many people's timelines (a tag or group deleted): holds those
 * people (FOR KEY SHARE, in id order) and answers those who still exist. A person deleted
 * meanwhile is left out rather than failing the timeline insert, and a deletePerson that comes
 * after waits for the deletion to end.
 */
export function holdPeople(tx: Db, ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>, ids: readonly string[]): Promise<string[]> {
  return lockPeopleIn(tx, ctx, ids, 'FOR KEY SHARE');
}

/** Locks many people for writing (FOR NO KEY UPDATE, in id order), and answers those who exist. */
export function lockPeople(tx: Db, ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>, ids: readonly string[]): Promise<string[]> {
  return lockPeopleIn(tx, ctx, ids, 'FOR NO KEY UPDATE');
}

function lockPeopleIn(
  tx: Db,
  ctx: Pick<ServiceContext, 'actor' | 'dbSchema'>,
  ids: readonly string[],
  mode: 'FOR KEY SHARE' | 'FOR NO KEY UPDATE',
): Promise<string[]> {
  return lockRows(tx, ctx, 'Person', ids, mode);
}

/** Locks the organisation's rows with these ids, in id order (so that two such writes never wait in a circle); answers those that exist. */
export async function lockRows(
  tx: Db,
  { actor, dbSchema }: Pick<ServiceContext, 'actor' | 'dbSchema'>,
  table: LockedTable,
  ids: readonly string[],
  mode: LockMode,
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM ${Prisma.raw(`${quoteIdent(dbSchema)}.${quoteIdent(table)}`)}
    WHERE "id" = ANY(${[...ids]}) AND "organizationId" = ${actor.organizationId}
    ORDER BY "id" ${Prisma.raw(mode)}`;
  return rows.map((row) => row.id);
}

/**
 * Holds the organisation's projects a person write is about to link (FOR KEY SHARE, in id order)
 * and answers those that exist: a deleteProject meanwhile waits for the write, or came first and
 * the project is not found (a ValidationError, not a foreign-key failure).
 */
export async function holdProjects(
  tx: Db,
  { actor, dbSchema }: Pick<ServiceContext, 'actor' | 'dbSchema'>,
  ids: readonly string[],
): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM ${Prisma.raw(`${quoteIdent(dbSchema)}."Project"`)}
    WHERE "id" = ANY(${[...ids]}) AND "organizationId" = ${actor.organizationId}
    ORDER BY "id" FOR KEY SHARE`;
  return rows.map((row) => row.id);
}
