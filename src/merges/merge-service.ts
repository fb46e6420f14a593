import type { Db, Prisma } from '../db/prisma.ts';
import type { Person } from '../generated/prisma/client.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import { type Actor, requireWriter, type ServiceContext } from '../shared/actor.ts';
import { IssueList, notInOrganisation } from '../shared/errors.ts';
import { mergeAvatar } from '../avatars/index.ts';
import { mergePersonFieldValues } from '../fields/index.ts';
import { mergeMemberships } from '../groups/index.ts';
import { mergeNotes } from '../notes/index.ts';
import { linkCompanies } from '../people/index.ts';
import { mergePersonTags } from '../tags/index.ts';
import { mergeTimelines, recordEvent } from '../timeline/index.ts';
import { limits } from '../shared/validation.ts';
import { sameValue, toJson } from '../shared/changes.ts';
import { nextVersion } from '../db/versions.ts';
import { maxProjectsPerPerson } from '../projects/index.ts';

/** The person fields a merge chooses one value for; the lists (emails, companies, ...) are united instead. */
export const personMergeFields = [
  'givenName',
  'familyName',
  'additionalName',
  'honorificPrefix',
  'initials',
  'fullName',
  'jobTitle',
  'description',
  'birthday',
  'gender',
  'language',
  'timezone',
  'profileColor',
  'externalId',
  'customerId',
  'linkedinId',
  'externalSource',
  'isTracked',
  'role',
  'suspended',
  'ownerId',
  'dealSize',
  'totalDeals',
  'totalWonDeals',
  'totalLostDeals',
  'invitedAt',
  'importedAt',
  'lastActiveAt',
  'avatar',
] as const;

export type PersonMergeField = (typeof personMergeFields)[number];
type ScalarMergeField = Exclude<PersonMergeField, 'avatar'>;

/**
 * Stored only when set and derived from the names otherwise: a null here is not "empty", so the
 * primary's derived value is kept unless an override picks another person's.
 */
const derivedFields: ReadonlySet<PersonMergeField> = new Set(['initials', 'fullName']);

export const minMergeSize = 2;
export const maxMergeSize = 10;

/** Take this field's value from this person, as it is (empty included). */
export interface MergeOverride {
  field: PersonMergeField;
  fromPersonId: string;
}

export interface MergeInput {
  /** Every person to merge, the primary among them; ids already local. */
  personIds: readonly string[];
  primaryId: string;
  overrides: readonly MergeOverride[];
  /** Compute and return the merged person, then roll everything back. */
  dryRun: boolean;
}

/** What the caller wants loaded on the merged person (a Prisma include or select). */
export type PersonQuery = Pick<Prisma.PersonFindUniqueArgs, 'include' | 'select'>;

/** Thrown to roll a dry run's transaction back, carrying the person as the merge would leave them. */
class DryRunRollback extends Error {
  constructor(readonly person: Person) {
    super('Dry run: rolled back.');
  }
}

const listFields = ['emails', 'phones', 'urls', 'addresses'] as const;

type Change = { before: InputJsonValue | null; after: InputJsonValue | null };

/**
 * Merges several people into the primary, which keeps its id (seed 000's merges). A dry run runs
 * the very same transaction and rolls it back by throwing a private sentinel, so what it returns
 * is exactly what the merge would write.
 */
export async function mergePeople(
  { prisma, actor }: ServiceContext,
  input: MergeInput,
  personQuery: PersonQuery = {},
  /** Runs inside a dry run's transaction, before its rollback: for what is read of the person beyond personQuery. */
  beforeRollback?: (tx: Db, person: Person) => Promise<void>,
): Promise<Person> {
  requireWriter(actor);
  checkMergeInput(input);
  try {
    return await prisma.$transaction(
      async (tx) => {
        const person = await mergeInTransaction(tx, actor, input, personQuery);
        if (input.dryRun) {
          await beforeRollback?.(tx, person);
          throw new DryRunRollback(person);
        }
        return person;
      },
      // A merge touches many tables; the default 5 s is tight on a busy machine.
      { timeout: 30_000 },
    );
  } catch (error) {
    if (error instanceof DryRunRollback) return error.person;
    throw error;
  }
}

/** The rules that need no database: 2 to 10 distinct ids, the primary and override sources among them. */
function checkMergeInput({ personIds, primaryId, overrides }: MergeInput): void {
  const issues = new IssueList();
  if (personIds.length < minMergeSize || personIds.length > maxMergeSize) {
    issues.add(['input', 'personIds'], `Give ${minMergeSize} to ${maxMergeSize} people to merge (got ${personIds.length}).`);
  }
  personIds.forEach((id, index) => {
    if (personIds.indexOf(id) !== index) issues.add(['input', 'personIds', index], 'This person is already in the list.');
  });
  if (!personIds.includes(primaryId)) issues.add(['input', 'primaryId'], 'The primary must be one of personIds.');
  const overridden = new Set<PersonMergeField>();
  overrides.forEach((override, index) => {
    if (overridden.has(override.field)) issues.add(['input', 'overrides', index, 'field'], 'This field is already overridden.');
    overridden.add(override.field);
    if (!personIds.includes(override.fromPersonId)) {
      issues.add(['input', 'overrides', index, 'fromPersonId'], 'The person must be one of personIds.');
    }
  });
  issues.throwIfAny();
}

async function mergeInTransaction(db: Db, actor: Actor, input: MergeInput, personQuery: PersonQuery): Promise<Person> {
  const { primary, others, byId } = await lockPeople(db, actor, input);
  const otherIds = others.map((person) => person.id);
  const ordered = [primary, ...others];

  const changes: Record<string, Change> = {};
  const data: Prisma.PersonUncheckedUpdateInput = {};
  for (const field of personMergeFields) {
    if (field === 'avatar') continue;
    const value = chooseValue(field, ordered, input.overrides, byId);
    if (!sameValue(value, primary[field])) {
      (data as Record<string, unknown>)[field] = value;
      changes[field] = { before: toJson(primary[field]), after: toJson(value) };
    }
  }
  const issues = new IssueList();
  for (const field of listFields) {
    const united = unite(ordered.flatMap((person) => person[field]), field === 'emails' ? (email) => email.toLowerCase() : (item) => item);
    if (united.length > limits.listItems) {
      issues.add(['input', 'personIds'], `The merged person would have ${united.length} ${field}; at most ${limits.listItems}.`);
    }
    if (!sameValue(united, primary[field])) {
      data[field] = united;
      changes[field] = { before: primary[field], after: united };
    }
  }
  const companyIds = await uniteCompanies(db, ordered.map((person) => person.id));
  if (companyIds.united.length > limits.listItems) {
    issues.add(['input', 'personIds'], `The merged person would have ${companyIds.united.length} companies; at most ${limits.listItems}.`);
  }
  // Projects (seed 001) are united too; the others' links go with them when they are deleted.
  const projectIds = await uniteProjects(db, primary.id, otherIds);
  if (projectIds.united.length > maxProjectsPerPerson) {
    issues.add(['input', 'personIds'], `The merged person would be on ${projectIds.united.length} projects; at most ${maxProjectsPerPerson}.`);
  }
  if (!sameValue(projectIds.united, projectIds.primary)) {
    data.projects = { connect: projectIds.united.map((id) => ({ id })) };
    changes.projects = { before: projectIds.primary, after: projectIds.united };
  }
  issues.throwIfAny();

  // A merge always changes the primary: the others' notes, events and the rest move to them.
  await db.person.update({ where: { id: primary.id }, data: { ...data, ...nextVersion } });
  if (!sameValue(companyIds.united, companyIds.primary)) {
    await linkCompanies(db, actor, primary.id, companyIds.united.map((id) => ({ id })));
    changes.companies = { before: companyIds.primary, after: companyIds.united };
  }
  const avatarSource = chooseAvatarSource(ordered, input.overrides, byId);
  if (avatarSource !== primary) {
    await mergeAvatar(db, primary.id, avatarSource?.id ?? null);
    changes.avatar = { before: toJson(primary.avatar !== null), after: toJson(avatarSource !== null) };
  }

  // What hangs on the others moves to the primary, each by the rule of the domain it belongs to.
  const moved = {
    tags: await mergePersonTags(db, primary.id, otherIds),
    memberships: await mergeMemberships(db, primary.id, otherIds),
    fieldValues: await mergePersonFieldValues(db, primary.id, otherIds),
    notes: await mergeNotes(db, primary.id, otherIds),
    timelineEvents: await mergeTimelines(db, primary.id, otherIds),
  };
  const merge = await db.merge.create({
    data: {
      organizationId: actor.organizationId,
      primaryId: primary.id,
      mergedIds: otherIds,
      actorId: actor.userId,
      overrides: input.overrides.map(({ field, fromPersonId }) => ({ field, fromPersonId })),
    },
  });
  // What was not moved (a tag or membership the primary already had, ...) goes with the people.
  await db.person.deleteMany({ where: { id: { in: otherIds } } });
  await recordEvent(db, actor, primary.id, 'MERGED', { mergeId: merge.id, mergedPersonIds: otherIds, changes, moved });
  return db.person.findUniqueOrThrow({ ...personQuery, where: { id: primary.id } });
}

type PersonWithAvatar = Person & { avatar: { personId: string } | null };

/**
 * Reads every person of the merge after locking their rows, so two merges of the same people
 * run one after the other and the second finds the merged-away people gone. The lock is a no-op
 * update because Prisma has no SELECT ... FOR UPDATE, and raw SQL would not see the tenant's schema.
 */
async function lockPeople(db: Db, actor: Actor, input: MergeInput) {
  const where = { id: { in: [...input.personIds] }, organizationId: actor.organizationId };
  await db.person.updateMany({ where, data: { updatedAt: new Date() } });
  const found: PersonWithAvatar[] = await db.person.findMany({ where, include: { avatar: { select: { personId: true } } } });
  const byId = new Map(found.map((person) => [person.id, person]));
  const issues = new IssueList();
  input.personIds.forEach((id, index) => {
    if (!byId.has(id)) issues.add(['input', 'personIds', index], notInOrganisation('Person', id, 'person'));
  });
  issues.throwIfAny();
  const primary = byId.get(input.primaryId)!;
  const others = input.personIds.filter((id) => id !== input.primaryId).map((id) => byId.get(id)!);
  return { primary, others, byId };
}

/** The override's person's value; else the primary's unless empty; else the first other's that is not. */
function chooseValue(
  field: ScalarMergeField,
  ordered: PersonWithAvatar[],
  overrides: readonly MergeOverride[],
  byId: Map<string, PersonWithAvatar>,
): Person[ScalarMergeField] {
  const override = overrides.find((candidate) => candidate.field === field);
  if (override) return byId.get(override.fromPersonId)![field];
  if (derivedFields.has(field)) return ordered[0]![field];
  return ordered.find((person) => person[field] !== null)?.[field] ?? ordered[0]![field];
}

function chooseAvatarSource(
  ordered: PersonWithAvatar[],
  overrides: readonly MergeOverride[],
  byId: Map<string, PersonWithAvatar>,
): PersonWithAvatar | null {
  const override = overrides.find((candidate) => candidate.field === 'avatar');
  if (override) {
    const chosen = byId.get(override.fromPersonId)!;
    return chosen.avatar ? chosen : null;
  }
  return ordered.find((person) => person.avatar !== null) ?? null;
}

/** Each item once, in first-seen order; `key` says which items are the same. */
function unite(items: string[], key: (item: string) => string): string[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const itemKey = key(item);
    if (seen.has(itemKey)) return false;
    seen.add(itemKey);
    return true;
  });
}

async function uniteCompanies(db: Db, orderedIds: string[]): Promise<{ primary: string[]; united: string[] }> {
  const links = await db.personCompany.findMany({ where: { personId: { in: orderedIds } }, orderBy: { position: 'asc' } });
  const ofPerson = (personId: string) => links.filter((link) => link.personId === personId).map((link) => link.companyId);
  return { primary: ofPerson(orderedIds[0]!), united: unite(orderedIds.flatMap(ofPerson), (id) => id) };
}

/** The primary's projects and everyone's together, each sorted (a person's projects have no order). */
async function uniteProjects(db: Db, primaryId: string, otherIds: string[]): Promise<{ primary: string[]; united: string[] }> {
  const people = await db.person.findMany({
    where: { id: { in: [primaryId, ...otherIds] } },
    select: { id: true, projects: { select: { id: true } } },
  });
  const idsOf = (rows: typeof people) => [...new Set(rows.flatMap((person) => person.projects.map((project) => project.id)))].sort();
  return { primary: idsOf(people.filter((person) => person.id === primaryId)), united: idsOf(people) };
}
