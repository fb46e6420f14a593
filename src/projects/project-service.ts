import type { Db } from '../db/prisma.ts';
import type { Project } from '../generated/prisma/client.ts';
import { type Actor, requireWriter, type ServiceContext } from '../shared/actor.ts';
import { ConflictError, IssueList, NotFoundError } from '../shared/errors.ts';
import { encodeGlobalId } from '../shared/global-ids.ts';
import { conflictOnDuplicate, requiredTitle } from '../shared/titles.ts';

/**
 * Seed 001 (ProofHub) assigns people to projects: a person's `projects` is a list of project ids.
 * The smallest faithful model: a project of the organisation with a title, unique whatever its
 * case (as tags'), and the people on it.
 */
export interface ProjectInput {
  title?: string | null;
}

/** The most projects one person may be on, as for their groups. */
export const maxProjectsPerPerson = 100;

export async function createProject({ prisma, actor }: ServiceContext, input: ProjectInput): Promise<Project> {
  requireWriter(actor);
  const title = prepareTitle(input.title ?? null)!;
  return conflictOnDuplicate(
    prisma.$transaction(async (tx) => {
      await assertTitleFree(tx, actor, title);
      return tx.project.create({ data: { title, titleKey: title.toLowerCase(), organizationId: actor.organizationId } });
    }),
    duplicateMessage(title),
  );
}

/** PATCH: an absent title is kept; a title cannot be cleared. */
export async function updateProject({ prisma, actor }: ServiceContext, id: string, input: ProjectInput): Promise<Project> {
  requireWriter(actor);
  const title = prepareTitle(input.title);
  return conflictOnDuplicate(
    prisma.$transaction(async (tx) => {
      const project = await findProjectOrThrow(tx, actor, id);
      if (title === undefined || title === project.title) return project;
      if (title.toLowerCase() !== project.titleKey) await assertTitleFree(tx, actor, title, id);
      return tx.project.update({ where: { id }, data: { title, titleKey: title.toLowerCase() } });
    }),
    duplicateMessage(title),
  );
}

/** Deletes the project; through the foreign key, it is no longer on anyone's list. */
export async function deleteProject({ prisma, actor }: ServiceContext, id: string): Promise<string> {
  requireWriter(actor);
  const { count } = await prisma.project.deleteMany({ where: { id, organizationId: actor.organizationId } });
  if (count === 0) throw new NotFoundError('Project', id);
  return id;
}

async function findProjectOrThrow(db: Db, actor: Actor, id: string): Promise<Project> {
  const project = await db.project.findFirst({ where: { id, organizationId: actor.organizationId } });
  if (!project) throw new NotFoundError('Project', id);
  return project;
}

function prepareTitle(value: string | null | undefined): string | undefined {
  const issues = new IssueList();
  const title = requiredTitle(issues, ['input', 'title'], value);
  issues.throwIfAny();
  return title;
}

async function assertTitleFree(db: Db, actor: Actor, title: string, exceptId?: string): Promise<void> {
  const clash = await db.project.findFirst({
    where: { organizationId: actor.organizationId, titleKey: title.toLowerCase(), ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (clash) throw new ConflictError(duplicateMessage(title));
}

function duplicateMessage(title: string | undefined): string {
  return `A project titled "${title}" already exists (titles are unique whatever their case).`;
}

/**
 * The project ids of a person input (ids already local), as they will be after this write:
 * undefined keeps the person's projects (PATCH, absent); create and replace clear what is not
 * given, and null clears. Repeated ids count once. A list over the bound is a ValidationError
 * before anything is read.
 */
export function projectIdsToWrite(
  { projectIds }: { projectIds?: readonly string[] | null },
  mode: 'create' | 'replace' | 'update',
): string[] | undefined {
  if (projectIds === undefined && mode === 'update') return undefined;
  if ((projectIds?.length ?? 0) > maxProjectsPerPerson) {
    const issues = new IssueList();
    issues.add(['input', 'projectIds'], `At most ${maxProjectsPerPerson} projects (got ${projectIds!.length}).`);
    issues.throwIfAny();
  }
  return [...new Set(projectIds ?? [])].sort();
}

/**
 * Every project must be one of this organisation's: another organisation's id is answered as any
 * unknown id in an input, a ValidationError at its path. `given` is the list as the client sent
 * it, for the paths.
 */
export async function checkProjectsExist(db: Db, actor: Actor, ids: readonly string[], given: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const found = await db.project.findMany({
    where: { organizationId: actor.organizationId, id: { in: [...ids] } },
    select: { id: true },
  });
  const foundIds = new Set(found.map((project) => project.id));
  const issues = new IssueList();
  given.forEach((id, index) => {
    if (!foundIds.has(id)) {
      issues.add(['input', 'projectIds', String(index)], `There is no project ${encodeGlobalId('Project', id)} in this organisation.`);
    }
  });
  issues.throwIfAny();
}

/** The ids of the person's projects, sorted (a person's projects have no order). */
export async function projectIdsOf(db: Db, personId: string): Promise<string[]> {
  const projects = await db.project.findMany({ where: { people: { some: { id: personId } } }, select: { id: true } });
  return projects.map((project) => project.id).sort();
}
