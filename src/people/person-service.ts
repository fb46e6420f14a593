import type { Db } from '../db/prisma.ts';
import type { Person } from '../generated/prisma/client.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import { type Actor, requireWriter, type ServiceContext } from '../shared/actor.ts';
import { ConflictError, IssueList, NotFoundError, notInOrganisation, ValidationError } from '../shared/errors.ts';
import { notePersonDeleted } from '../shared/events.ts';
import { writePersonFields } from '../fields/index.ts';
import { type CompanyRef, type PersonInput, type PersonPlan, planPersonWrite, type WriteMode } from './person-input.ts';
import { writePersonTags } from '../tags/index.ts';
import { checkProjectsExist, projectIdsOf } from '../projects/index.ts';
import { holdProjects, lockAndFindPerson } from '../db/row-locks.ts';
import { conflictOnDuplicate } from '../shared/titles.ts';
import { PendingEvents, recordEvent, recordPending } from '../timeline/index.ts';
import { recordPersonDeleted } from '../webhooks/index.ts';
import { sameValue, toJson } from '../shared/changes.ts';
import { refuseSuppressed } from '../privacy/index.ts';
import { bumpPersonVersion, lockPersonAtVersion, nextVersion } from '../db/versions.ts';

/*
 * A person write is three steps, each named here:
 * 1. prepare: planPersonWrite (person-input.ts) checks the whole input and turns it into a plan,
 *    before any SQL;
 * 2. write: insertPerson or changePerson, inside one transaction with the rows it depends on
 *    locked, write the person and every part of the input (companies, projects, groups and field
 *    values through the fields domain, tags through the tags domain); each part adds the timeline
 *    events it implies to a PendingEvents;
 * 3. record: recordPending writes those events in one statement; their live updates go out once
 *    the transaction commits.
 * An import row runs the same write and record steps (imports/import-service.ts).
 */

/** Who writes, as the write step needs it: row locks name the schema (db/row-locks.ts). */
type Writer = Pick<ServiceContext, 'actor' | 'dbSchema'>;

export async function createPerson(ctx: ServiceContext, input: PersonInput): Promise<Person> {
  requireWriter(ctx.actor);
  const plan = planPersonWrite(input, 'create');
  return ctx.prisma.$transaction(async (tx) => {
    await holdProjects(tx, ctx, plan.projectIds!);
    await refuseSuppressedUnlessAllowed(tx, ctx.actor, plan);
    const events = new PendingEvents();
    const person = await insertPerson(tx, ctx, plan, events);
    await recordPending(tx, ctx.actor, events);
    return person;
  });
}

/**
 * PUT: every field is set from the input; fields not given are cleared. With an expected version,
 * a person changed since is a ConflictError (db/versions.ts).
 */
export function replacePerson(ctx: ServiceContext, id: string, input: PersonInput, expectedVersion?: number | null): Promise<Person> {
  return writePerson(ctx, id, input, 'replace', expectedVersion);
}

/** PATCH: absent fields are kept, null clears. The expected version as for replacePerson. */
export function updatePerson(ctx: ServiceContext, id: string, input: PersonInput, expectedVersion?: number | null): Promise<Person> {
  return writePerson(ctx, id, input, 'update', expectedVersion);
}

async function writePerson(
  ctx: ServiceContext,
  id: string,
  input: PersonInput,
  mode: Exclude<WriteMode, 'create'>,
  expectedVersion: number | null | undefined,
): Promise<Person> {
  requireWriter(ctx.actor);
  const plan = planPersonWrite(input, mode);
  // The body's id (a PUT sends back what a GET gave) may only name the person it replaces.
  if (input.id != null && input.id !== id) {
    throw new ValidationError([{ path: ['input', 'id'], message: "A person's id cannot change: give this person's own id, or none." }]);
  }
  return ctx.prisma.$transaction(async (tx) => {
    // changePerson's "before" and the events it writes must not interleave with another write's.
    await lockPersonAtVersion(tx, ctx, id, expectedVersion);
    await holdProjects(tx, ctx, plan.projectIds ?? []);
    await refuseSuppressedUnlessAllowed(tx, ctx.actor, plan);
    const events = new PendingEvents();
    const { person, changed } = await changePerson(tx, ctx, id, plan, events);
    await recordPending(tx, ctx.actor, events);
    return changed ? bumpPersonVersion(tx, id) : person;
  });
}

/** An email or phone the input gives that belongs to someone erased with suppression is refused, unless the input allows it. */
function refuseSuppressedUnlessAllowed(db: Db, actor: Actor, { input, data }: PersonPlan): Promise<void> {
  if (input.allowSuppressed) return Promise.resolve();
  return refuseSuppressed(db, actor, { emails: data.emails as string[] | undefined, phones: data.phones as string[] | undefined });
}

/** The write step of a create, inside the caller's transaction (createPerson's, or an import row's). */
export async function insertPerson(
  tx: Db,
  writer: Writer,
  { input, data, companies, tagIds, projectIds = [] }: PersonPlan,
  events: PendingEvents,
  { importedAt }: { importedAt?: Date } = {},
): Promise<Person> {
  const { actor } = writer;
  await checkReferences(tx, actor, data.ownerId, companies);
  await checkProjectsExist(tx, actor, projectIds, input.projectIds ?? []);
  if (data.id) await assertIdFree(tx, data.id);
  const person = await conflictOnDuplicate(
    tx.person.create({
      data: {
        ...data,
        familyName: data.familyName!,
        organizationId: actor.organizationId,
        createdById: actor.userId,
        importedAt,
        ...(projectIds.length > 0 ? { projects: { connect: projectIds.map((id) => ({ id })) } } : {}),
      },
    }),
    idTakenMessage(data.id),
  );
  if (companies) await linkCompanies(tx, actor, person.id, companies);
  events.add(person.id, 'PERSON_CREATED');
  await writePersonFields(tx, actor, person.id, input, 'create', events);
  // Created already archived (seed 002): the event archivePerson writes.
  if (person.archivedAt) events.add(person.id, 'PERSON_ARCHIVED');
  await writePersonTags(tx, writer, person.id, tagIds, events, { isNew: true });
  return person;
}

/**
 * The write step of a replace or an update, over an existing person inside the caller's
 * transaction (the person locked); `changed` says whether anything differs afterwards (an import
 * counts such a row as unchanged). The caller counts the change in the person's version, once for
 * its whole write.
 */
export async function changePerson(
  tx: Db,
  writer: Writer,
  id: string,
  { input, mode, data, companies, tagIds, projectIds }: PersonPlan,
  events: PendingEvents,
): Promise<{ person: Person; changed: boolean }> {
  if (mode === 'create') throw new Error('changePerson writes over an existing person: use insertPerson.');
  const { actor } = writer;
  const before = await findPersonOrThrow(tx, actor, id);
  await checkReferences(tx, actor, data.ownerId, companies);
  if (projectIds) await checkProjectsExist(tx, actor, projectIds, input.projectIds ?? []);
  // Groups and field values add their own timeline events (GROUP_*, FIELD_*).
  const fieldsChanged = await writePersonFields(tx, actor, id, input, mode, events);
  const changes: Record<string, { before: InputJsonValue | null; after: InputJsonValue | null }> = {};
  const { archivedAt, ...fields } = data;
  for (const [key, after] of Object.entries(fields)) {
    const previous = before[key as keyof Person];
    if (!sameValue(previous, after)) changes[key] = { before: toJson(previous), after: toJson(after) };
  }
  // Archiving and unarchiving add the events archivePerson and unarchivePerson write; moving the
  // date of an archived person is a change like any other.
  const archiving = archivedAt === undefined || sameValue(before.archivedAt, archivedAt) ? undefined : archivedAt;
  if (archiving && before.archivedAt) changes.archivedAt = { before: toJson(before.archivedAt), after: toJson(archiving) };
  if (companies) {
    const beforeIds = await companyIds(tx, id);
    const afterIds = await linkCompanies(tx, actor, id, companies);
    if (!sameValue(beforeIds, afterIds)) changes.companies = { before: beforeIds, after: afterIds };
  }
  let projects: { set: { id: string }[] } | undefined;
  if (projectIds) {
    // Recorded in PERSON_UPDATED like the companies: a list of related records set through the person.
    const beforeIds = await projectIdsOf(tx, id);
    if (!sameValue(beforeIds, projectIds)) {
      changes.projects = { before: beforeIds, after: projectIds };
      projects = { set: projectIds.map((projectId) => ({ id: projectId })) };
    }
  }
  let person = before;
  const personChanged = Object.keys(changes).length > 0 || archiving !== undefined;
  if (personChanged) {
    person = await tx.person.update({ where: { id }, data: projects ? { ...data, projects } : data });
    if (Object.keys(changes).length > 0) events.add(id, 'PERSON_UPDATED', { changes });
    if (archiving && !before.archivedAt) events.add(id, 'PERSON_ARCHIVED');
    if (archiving === null) events.add(id, 'PERSON_UNARCHIVED');
  }
  const tagsChanged = await writePersonTags(tx, writer, id, tagIds, events);
  return { person, changed: personChanged || fieldsChanged || tagsChanged };
}

export async function archivePerson(ctx: ServiceContext, id: string): Promise<Person> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  return prisma.$transaction(async (tx) => {
    // Locked, so that of concurrent archivings the first writes the date and its event, and the
    // others find the person archived.
    const person = await lockAndFindPerson(tx, ctx, id);
    // Archiving twice keeps the first date: the person has been archived since then.
    if (person.archivedAt) return person;
    const archived = await tx.person.update({ where: { id }, data: { archivedAt: new Date(), ...nextVersion } });
    await recordEvent(tx, actor, id, 'PERSON_ARCHIVED');
    return archived;
  });
}

export async function unarchivePerson(ctx: ServiceContext, id: string): Promise<Person> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  return prisma.$transaction(async (tx) => {
    const person = await lockAndFindPerson(tx, ctx, id);
    if (!person.archivedAt) return person;
    const active = await tx.person.update({ where: { id }, data: { archivedAt: null, ...nextVersion } });
    await recordEvent(tx, actor, id, 'PERSON_UNARCHIVED');
    return active;
  });
}

/** Deletes the person and, through the foreign keys, everything that hangs on it. */
export async function deletePerson(ctx: ServiceContext, id: string): Promise<string> {
  const { prisma, actor } = ctx;
  requireWriter(actor);
  return prisma.$transaction(async (tx) => {
    // Before the delete, which takes the person's timeline with it: the webhook outbox's row
    // carries the person as they were, and goes if the delete finds no one.
    await recordPersonDeleted(tx, ctx, id);
    const { count } = await tx.person.deleteMany({ where: { id, organizationId: actor.organizationId } });
    if (count === 0) throw new NotFoundError('Person', id);
    notePersonDeleted(tx, actor, id);
    return id;
  });
}

export async function findPersonOrThrow(db: Db, actor: Actor, id: string): Promise<Person> {
  const person = await db.person.findFirst({ where: { id, organizationId: actor.organizationId } });
  if (!person) throw new NotFoundError('Person', id);
  return person;
}

/**
 * A client's own id (seed 002) must name no one, in any organisation; the message is the same
 * either way, so that it tells nothing of another organisation's people.
 */
async function assertIdFree(db: Db, id: string): Promise<void> {
  if (await db.person.findUnique({ where: { id }, select: { id: true } })) throw new ConflictError(idTakenMessage(id));
}

function idTakenMessage(id: string | undefined): string {
  return `The id ${id} is already taken: choose another.`;
}

/** The owner and companies given by id must be this organisation's. */
async function checkReferences(
  db: Db,
  actor: Actor,
  ownerId: string | null | undefined,
  companies: CompanyRef[] | undefined,
): Promise<void> {
  const issues = new IssueList();
  if (ownerId) {
    const owner = await db.user.findFirst({ where: { id: ownerId, organizationId: actor.organizationId } });
    if (!owner) issues.add(['input', 'ownerId'], notInOrganisation('User', ownerId, 'user'));
  }
  const wantedIds = (companies ?? []).flatMap((ref) => (ref.id ? [ref.id] : []));
  if (wantedIds.length > 0) {
    const found = await db.company.findMany({
      where: { id: { in: wantedIds }, organizationId: actor.organizationId },
      select: { id: true },
    });
    const foundIds = new Set(found.map((company) => company.id));
    companies?.forEach((ref, index) => {
      if (ref.id && !foundIds.has(ref.id)) {
        issues.add(['input', 'companies', String(index), 'id'], notInOrganisation('Company', ref.id, 'company'));
      }
    });
  }
  issues.throwIfAny();
}

/** Replaces the person's companies with these, in this order (the first is primary). */
export async function linkCompanies(db: Db, actor: Actor, personId: string, refs: CompanyRef[]): Promise<string[]> {
  const byName = await companiesByName(db, actor, refs.flatMap((ref) => (ref.id ? [] : [ref.name!])));
  const ids: string[] = [];
  for (const ref of refs) {
    const id = ref.id ?? byName.get(ref.name!.toLowerCase())!;
    if (!ids.includes(id)) ids.push(id);
  }
  await db.personCompany.deleteMany({ where: { personId } });
  await db.personCompany.createMany({
    data: ids.map((companyId, position) => ({ personId, companyId, position, organizationId: actor.organizationId })),
  });
  return ids;
}

/**
 * The companies of these names (whatever their case), created when missing, by name key. An
 * INSERT ... ON CONFLICT DO NOTHING: of concurrent writes naming the same new company, one
 * creates it and the others wait for it and take it (an upsert's unique violation failed them).
 * Inserted in name order, so two writes naming the same companies never wait on each other in a
 * circle.
 */
async function companiesByName(db: Db, actor: Actor, names: string[]): Promise<Map<string, string>> {
  if (names.length === 0) return new Map();
  // The first spelling given names a new company, as when each was created in turn.
  const wanted = new Map<string, string>();
  for (const name of names) if (!wanted.has(name.toLowerCase())) wanted.set(name.toLowerCase(), name);
  const keys = [...wanted.keys()].sort();
  await db.company.createMany({
    data: keys.map((nameKey) => ({ organizationId: actor.organizationId, name: wanted.get(nameKey)!, nameKey })),
    skipDuplicates: true,
  });
  const companies = await db.company.findMany({
    where: { organizationId: actor.organizationId, nameKey: { in: keys } },
    select: { id: true, nameKey: true },
  });
  return new Map(companies.map((company) => [company.nameKey, company.id]));
}

export async function companyIds(db: Db, personId: string): Promise<string[]> {
  const links = await db.personCompany.findMany({ where: { personId }, orderBy: { position: 'asc' } });
  return links.map((link) => link.companyId);
}
