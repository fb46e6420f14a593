import type { Db } from '../db/prisma.ts';
import { type CustomField, type CustomFieldType, Prisma } from '../generated/prisma/client.ts';
import { type Actor, requireWriter, type ServiceContext } from '../shared/actor.ts';
import { ConflictError, IssueList, NotFoundError } from '../shared/errors.ts';
import { type CheckedValue, checkValue, resolveReferences, sameJson } from './field-validation.ts';
import { encodeGlobalId } from '../shared/global-ids.ts';
import { cleanText, limits } from '../shared/validation.ts';

/** A custom field as the API addresses it: by id, or by slug (seed 000). */
export type FieldRef = { id: string } | { slug: string };

/** A definition as the API takes it (ids already local). Update: absent keeps, null clears. */
export interface CustomFieldInput {
  title?: string | null;
  slug?: string | null;
  description?: string | null;
  type?: CustomFieldType | null;
  options?: readonly string[] | null;
  groupId?: string | null;
}

type Definition = Pick<CustomField, 'title' | 'slug' | 'description' | 'type' | 'options' | 'groupId'>;

const selectTypes: readonly CustomFieldType[] = ['SINGLE_SELECT', 'MULTIPLE_SELECT'];
const slugPattern = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const maxSlugLength = 100;
const maxOptions = 1000;

export function fieldWhere(organizationId: string, ref: FieldRef): Prisma.CustomFieldWhereInput {
  return 'id' in ref ? { organizationId, id: ref.id } : { organizationId, slug: ref.slug };
}

export function fieldNotFound(ref: FieldRef): NotFoundError {
  return 'id' in ref ? new NotFoundError('CustomField', ref.id) : new NotFoundError('CustomField', ref.slug, true);
}

export async function findFieldOrThrow(db: Db, actor: Actor, ref: FieldRef): Promise<CustomField> {
  const field = await db.customField.findFirst({ where: fieldWhere(actor.organizationId, ref) });
  if (!field) throw fieldNotFound(ref);
  return field;
}

/** Lower-case ascii words joined by dashes: "Join date" gives "join-date", "Café" gives "cafe". */
export function slugify(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, maxSlugLength)
    .replace(/^-+|-+$/g, '');
}

export async function createCustomField({ prisma, actor }: ServiceContext, input: CustomFieldInput): Promise<CustomField> {
  requireWriter(actor);
  const definition = prepareDefinition(input, undefined);
  return refuseDuplicateSlug(definition.slug, () =>
    prisma.$transaction(async (tx) => {
      await checkGroup(tx, actor, definition.groupId);
      await checkSlugFree(tx, actor, definition.slug, undefined);
      return tx.customField.create({ data: { ...definition, organizationId: actor.organizationId } });
    }),
  );
}

/**
 * PATCH a definition. A new type or new options must still fit every value already set: there
 * is no silent conversion, so a change that would leave a value its field refuses (a removed or
 * renamed option in use, a type the stored values are not) is a ConflictError.
 */
export async function updateCustomField(
  { prisma, actor }: ServiceContext,
  ref: FieldRef,
  input: CustomFieldInput,
): Promise<CustomField> {
  requireWriter(actor);
  return refuseDuplicateSlug(input.slug ?? undefined, () =>
    prisma.$transaction(async (tx) => {
      const current = await findFieldOrThrow(tx, actor, ref);
      const definition = prepareDefinition(input, current);
      if (definition.groupId !== current.groupId) await checkGroup(tx, actor, definition.groupId);
      if (definition.slug !== current.slug) await checkSlugFree(tx, actor, definition.slug, current.id);
      // Updating the row first locks it: a value written meanwhile waits, then sees the new definition.
      const updated = await tx.customField.update({ where: { id: current.id }, data: definition });
      if (updated.type !== current.type || !sameJson(updated.options, current.options)) {
        await checkValuesStillFit(tx, actor, updated);
      }
      return updated;
    }),
  );
}

/** Deletes the definition; its values go with it (the foreign key cascades). */
export async function deleteCustomField({ prisma, actor }: ServiceContext, ref: FieldRef): Promise<string> {
  requireWriter(actor);
  return prisma.$transaction(async (tx) => {
    const field = await findFieldOrThrow(tx, actor, ref);
    await tx.customField.delete({ where: { id: field.id } });
    return field.id;
  });
}

/** The whole definition after this input: a new one, or `current` with the input's changes. */
function prepareDefinition(input: CustomFieldInput, current: CustomField | undefined): Definition {
  const issues = new IssueList();
  const keep = <K extends keyof CustomFieldInput>(key: K) => current !== undefined && input[key] === undefined;

  const title = keep('title') ? current!.title : cleanText(issues, ['input', 'title'], input.title, limits.name);
  if (!title) issues.add(['input', 'title'], 'A title is required.');

  let slug: string;
  if (keep('slug')) {
    slug = current!.slug;
  } else {
    const given = cleanText(issues, ['input', 'slug'], input.slug, maxSlugLength);
    slug = given ?? slugify(title ?? '');
    if (given && !slugPattern.test(given)) {
      issues.add(['input', 'slug'], 'A slug is lower-case ascii letters and digits with single dashes between, e.g. "join-date".');
    } else if (!given && title && !slug) {
      issues.add(['input', 'slug'], 'The title has no ascii letters or digits to make a slug from: give a slug.');
    }
  }

  const description = keep('description')
    ? current!.description
    : (cleanText(issues, ['input', 'description'], input.description, limits.description) ?? null);

  const type = keep('type') ? current!.type : input.type;
  if (!type) issues.add(['input', 'type'], 'A type is required.');

  const isSelect = type != null && selectTypes.includes(type);
  // Absent options are kept only while the field stays a select field.
  const options = keep('options') && isSelect ? current!.options : cleanOptions(issues, input.options ?? []);
  if (isSelect && options.length === 0) issues.add(['input', 'options'], `A ${type} field needs at least one option.`);
  if (!isSelect && options.length > 0) {
    issues.add(['input', 'options'], 'Only SINGLE_SELECT and MULTIPLE_SELECT fields have options.');
  }

  const groupId = keep('groupId') ? current!.groupId : (input.groupId ?? null);
  issues.throwIfAny();
  return { title: title!, slug, description, type: type!, options, groupId };
}

/** Option labels: trimmed, non-empty, unique whatever their case, at most 1000. */
function cleanOptions(issues: IssueList, options: readonly string[]): string[] {
  const path = ['input', 'options'];
  if (options.length > maxOptions) issues.add(path, `At most ${maxOptions} options (got ${options.length}).`);
  const seen = new Set<string>();
  return options.map((raw, index) => {
    const label = raw.trim();
    const at = [...path, String(index)];
    if (label === '') issues.add(at, 'An option label must not be empty.');
    if (label.length > limits.name) issues.add(at, `An option label is at most ${limits.name} characters.`);
    if (seen.has(label.toLowerCase())) issues.add(at, `The option "${label}" is listed twice.`);
    seen.add(label.toLowerCase());
    return label;
  });
}

async function checkGroup(db: Db, actor: Actor, groupId: string | null): Promise<void> {
  if (!groupId) return;
  const group = await db.group.findFirst({ where: { id: groupId, organizationId: actor.organizationId }, select: { id: true } });
  if (!group) {
    const issues = new IssueList();
    issues.add(['input', 'groupId'], `There is no group ${encodeGlobalId('Group', groupId)} in this organisation.`);
    issues.throwIfAny();
  }
}

async function checkSlugFree(db: Db, actor: Actor, slug: string, exceptId: string | undefined): Promise<void> {
  const taken = await db.customField.findFirst({
    where: { organizationId: actor.organizationId, slug, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (taken) throw duplicateSlug(slug);
}

/** Two writers can pass checkSlugFree at once; the unique index then decides, and says so as a conflict. */
async function refuseDuplicateSlug<T>(slug: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') throw duplicateSlug(slug);
    throw error;
  }
}

function duplicateSlug(slug: string | undefined): ConflictError {
  return new ConflictError(`Another custom field already has the slug ${slug ? `"${slug}"` : 'asked for'}.`);
}

/** Every stored value must pass the new definition's checks unchanged, or the change is refused. */
async function checkValuesStillFit(db: Db, actor: Actor, field: CustomField): Promise<void> {
  const stored = await db.personFieldValue.findMany({ where: { fieldId: field.id }, select: { value: true } });
  const issues = new IssueList();
  const checked = stored.map((row, index) => checkValue(issues, [String(index)], field, row.value));
  await resolveReferences(db, actor.organizationId, issues, checked.filter((value): value is CheckedValue => !!value));
  const refused = new Set(issues.issues.map((issue) => issue.path[0]));
  checked.forEach((value, index) => {
    if (value && !sameJson(value.value, stored[index]!.value)) refused.add(String(index));
  });
  if (refused.size === 0) return;
  const example = issues.issues[0]?.message ?? `a value would change from ${JSON.stringify(stored[Number([...refused][0])]!.value)}`;
  throw new ConflictError(
    `${refused.size === 1 ? 'One person has a value' : `${refused.size} people have values`} of field "${field.slug}" ` +
      `that the new definition refuses (${example}). Change or unset them first.`,
  );
}
