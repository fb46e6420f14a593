import type { Db } from '../db/prisma.ts';
import { lockPeople } from '../db/row-locks.ts';
import type { Person } from '../generated/prisma/client.ts';
import { groupIdsOf } from '../fields/index.ts';
import { companyIds, type PersonInput, preparePerson } from '../people/index.ts';
import type { Actor } from '../shared/actor.ts';
import { sameValue } from '../shared/changes.ts';
import { type FieldIssue, ValidationError } from '../shared/errors.ts';
import { normalizeEmail } from '../shared/validation.ts';

/**
 * Row matching: which rows of an import go together in a batch, which person each row names (by
 * id, external id or email), and what a row that matches someone adds to them. The import
 * (import-service.ts) applies what this decides.
 */

export type ImportMatchKey = 'ID' | 'EXTERNAL_ID' | 'EMAIL';

/** A row as the import receives it: a person input, or the problems that kept it from being one. */
export type ImportRow = { row: number; input: PersonInput } | { row: number; issues: FieldIssue[] };


/**
 * Rows applied and committed together, in one transaction; each row is still atomic on its own.
 * Small enough not to hold the embedded database's one connection for long, large enough that
 * bulk inserts and commits are few.
 */
const rowsPerBatch = 500;

/**
 * Groups rows into batches whose rows are independent: a row that shares an external id or an
 * email with an earlier row of its batch (it may match the person that row creates or changes)
 * starts the next batch, so a batch can look all its matches up at once.
 */
export async function* batchesOf(rows: AsyncIterable<ImportRow> | Iterable<ImportRow>, matchOn: readonly ImportMatchKey[]): AsyncGenerator<ImportRow[]> {
  let batch: ImportRow[] = [];
  const keys = new Set<string>();
  for await (const row of rows) {
    const rowKeys = 'input' in row ? matchOn.flatMap((key) => matchValues(row.input, key).map((value) => `${key} ${value}`)) : [];
    if (batch.length === rowsPerBatch || rowKeys.some((key) => keys.has(key))) {
      yield batch;
      batch = [];
      keys.clear();
    }
    batch.push(row);
    for (const key of rowKeys) keys.add(key);
  }
  if (batch.length > 0) yield batch;
}

/** The values of a row that a key compares. */
function matchValues(input: PersonInput, key: ImportMatchKey): string[] {
  if (key === 'ID') return input.id ? [input.id] : [];
  if (key === 'EXTERNAL_ID') {
    const externalId = input.externalId?.trim();
    return externalId ? [externalId] : [];
  }
  return (input.emails ?? []).map(normalizeEmail).filter((email) => email !== '');
}

/**
 * The person each row matches, looked up for the whole batch with one query per key: null when
 * none, a ValidationError when a key finds more than one person (that row is not applied).
 */
export async function findMatches(
  tx: Db,
  ctx: { actor: Actor; dbSchema: string },
  batch: readonly ImportRow[],
  matchOn: readonly ImportMatchKey[],
): Promise<Map<ImportRow, Person | ValidationError>> {
  const foundByKey = new Map<ImportMatchKey, Person[]>();
  for (const key of matchOn) {
    const values = [...new Set(batch.flatMap((row) => ('input' in row ? matchValues(row.input, key) : [])))];
    if (values.length === 0) continue;
    const found = await tx.person.findMany({
      where: {
        organizationId: ctx.actor.organizationId,
        ...(key === 'ID' ? { id: { in: values } } : key === 'EXTERNAL_ID' ? { externalId: { in: values } } : { emails: { hasSome: values } }),
      },
    });
    foundByKey.set(key, found);
  }
  // The matched people are written like any other write about them (row-locks.ts): locked first,
  // in id order, and read again once locked, so that an API write to one of them meanwhile is
  // neither lost nor interleaved, and one deleted meanwhile is no longer a match.
  const matchedIds = [...new Set([...foundByKey.values()].flat().map((person) => person.id))];
  const locked = new Map(
    matchedIds.length === 0
      ? []
      : (await tx.person.findMany({ where: { id: { in: await lockPeople(tx, ctx, matchedIds) } } })).map((person) => [person.id, person] as const),
  );
  const byKey = new Map<string, Person[]>();
  for (const [key, found] of foundByKey) {
    for (const person of found.flatMap((candidate) => locked.get(candidate.id) ?? [])) {
      for (const value of key === 'ID' ? [person.id] : key === 'EXTERNAL_ID' ? [person.externalId!] : person.emails) {
        const keyed = `${key} ${value}`;
        byKey.set(keyed, [...(byKey.get(keyed) ?? []), person]);
      }
    }
  }
  const matches = new Map<ImportRow, Person | ValidationError>();
  for (const row of batch) {
    if (!('input' in row)) continue;
    for (const key of matchOn) {
      const candidates = new Map<string, Person>();
      for (const value of matchValues(row.input, key)) {
        for (const person of byKey.get(`${key} ${value}`) ?? []) candidates.set(person.id, person);
      }
      if (candidates.size === 0) continue;
      if (candidates.size === 1) matches.set(row, [...candidates.values()][0]!);
      else {
        const [path, what] = key === 'EMAIL' ? ['emails', 'these emails'] : ['externalId', 'this external id'];
        matches.set(row, new ValidationError([{ path: [path], message: `${candidates.size} people have ${what}: the row matches none of them for sure.` }]));
      }
      break;
    }
  }
  return matches;
}

/**
 * A matched row updates the person like updatePerson, except that what it lists is added to what
 * the person has: emails, phones, urls, addresses, companies and groups are united, the person's
 * first (so their primary ones stay primary). Other fields it gives replace theirs.
 */
export async function addedTo(tx: Db, person: Person, input: PersonInput, groupIds: readonly string[]): Promise<PersonInput> {
  const result = withListsAdded(person, input);
  if (input.companies?.length) {
    result.companies = [...(await companyIds(tx, person.id)).map((id) => ({ id })), ...input.companies];
  } else {
    delete result.companies;
  }
  const adding = unite(input.groups ?? [], groupIds);
  if (adding.length > 0) result.groups = unite([...(await groupIdsOf(tx, person.id))], adding);
  else delete result.groups;
  return result;
}

function withListsAdded(person: Person, input: PersonInput): PersonInput {
  const result: PersonInput = { ...input };
  for (const key of ['emails', 'phones', 'urls', 'addresses'] as const) {
    const given = input[key];
    if (given) result[key] = unite(person[key], given, key === 'emails' ? normalizeEmail : (item) => item.trim());
    else delete result[key];
  }
  return result;
}

/**
 * Whether a plain row would leave the person it matches as they are: the same comparison
 * changePerson makes, done in memory. A row that does not validate is not settled here: the
 * one-by-one path reports its problems.
 */
export function changesNothing(person: Person, input: PersonInput): boolean {
  try {
    const { data } = preparePerson(withListsAdded(person, input), 'update');
    return Object.entries(data).every(([key, value]) => sameValue(person[key as keyof Person], value));
  } catch (error) {
    if (error instanceof ValidationError) return false;
    throw error;
  }
}

/** The items of `first`, then those of `second` not already there (compared by `key`). */
export function unite(first: readonly string[], second: readonly string[], key: (item: string) => string = (item) => item): string[] {
  const seen = new Set(first.map(key));
  const result = [...first];
  for (const item of second) {
    if (seen.has(key(item))) continue;
    seen.add(key(item));
    result.push(item);
  }
  return result;
}

