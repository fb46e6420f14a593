import type { Db, Prisma } from '../db/prisma.ts';
import type { Actor } from '../shared/actor.ts';
import { type FieldRef, fieldWhere } from '../fields/index.ts';
import { IssueList, notInOrganisation } from '../shared/errors.ts';
import { jsonStringLikeLiteral, likeLiteral } from '../db/like-pattern.ts';
import { emptyAfterBeforeRange } from '../shared/time-range.ts';
import { normalizeEmail } from '../shared/validation.ts';

/** Which people a list shows; every condition given must hold (and/or/not combine filters). */
export interface PersonFilter {
  /** Words to find in names, emails, phones, job title, description, LinkedIn id and company names. */
  q?: string | null;
  /** Exact emails, phones or LinkedIn ids (seed 002's identifiers). */
  identifiers?: readonly string[] | null;
  ownerIds?: readonly string[] | null;
  emails?: readonly string[] | null;
  tagIds?: readonly string[] | null;
  groupIds?: readonly string[] | null;
  companyIds?: readonly string[] | null;
  archived?: ArchivedFilter | null;
  createdAt?: DateRange | null;
  updatedAt?: DateRange | null;
  customFields?: readonly CustomFieldCondition[] | null;
  and?: readonly PersonFilter[] | null;
  or?: readonly PersonFilter[] | null;
  not?: PersonFilter | null;
}

export type ArchivedFilter = 'ACTIVE' | 'ARCHIVED' | 'ALL';

/** Seed 002's date filters: after/before include the instant, strictlyAfter/strictlyBefore do not. */
export interface DateRange {
  after?: Date | null;
  strictlyAfter?: Date | null;
  before?: Date | null;
  strictlyBefore?: Date | null;
}

export interface CustomFieldCondition {
  field: FieldRef;
  eq?: unknown;
  in?: readonly unknown[] | null;
  contains?: string | null;
  isSet?: boolean | null;
}

type Where = Prisma.PersonWhereInput;

/**
 * Turns a filter into a Prisma where clause for the actor's organisation. Archived people are
 * left out unless the top-level filter asks for them. Search words are normalised by
 * PostgreSQL (lower case, unaccent) and matched as word prefixes against Person.searchText,
 * which its trigram index serves.
 */
export async function personWhere(db: Db, actor: Actor, filter: PersonFilter | null | undefined): Promise<Where> {
  const issues = new IssueList();
  const conditions = await filterConditions(db, actor, filter ?? {}, ['filter'], issues);
  issues.throwIfAny();
  const archived = filter?.archived ?? 'ACTIVE';
  return {
    organizationId: actor.organizationId,
    ...(archived === 'ACTIVE' ? { archivedAt: null } : archived === 'ARCHIVED' ? { archivedAt: { not: null } } : {}),
    AND: conditions,
  };
}

async function filterConditions(
  db: Db,
  actor: Actor,
  filter: PersonFilter,
  path: string[],
  issues: IssueList,
): Promise<Where[]> {
  const where: Where[] = [];
  if (filter.q != null) {
    const words = await searchWords(db, filter.q);
    if (words.length === 0) issues.add([...path, 'q'], 'Give at least one word to search for.');
    // Each word must begin a word of the person's search text (see the search migration).
    for (const word of words) where.push({ searchText: { contains: likeLiteral(` ${word}`) } });
  }
  if (filter.identifiers) {
    const values = filter.identifiers.map((value) => value.trim());
    where.push({
      OR: [
        { emails: { hasSome: values.map((value) => value.toLowerCase()) } },
        { phones: { hasSome: values } },
        { linkedinId: { in: values } },
      ],
    });
  }
  if (filter.emails) where.push({ emails: { hasSome: filter.emails.map(normalizeEmail) } });
  if (filter.ownerIds) where.push({ ownerId: { in: [...filter.ownerIds] } });
  if (filter.tagIds) where.push({ tags: { some: { tagId: { in: [...filter.tagIds] } } } });
  if (filter.groupIds) where.push({ memberships: { some: { groupId: { in: [...filter.groupIds] } } } });
  if (filter.companyIds) where.push({ companies: { some: { companyId: { in: [...filter.companyIds] } } } });
  if (filter.createdAt) where.push({ createdAt: dateRange(filter.createdAt, [...path, 'createdAt'], issues) });
  if (filter.updatedAt) where.push({ updatedAt: dateRange(filter.updatedAt, [...path, 'updatedAt'], issues) });
  if (filter.archived != null && path.length > 1) {
    // Nested filters may ask about archiving too; only the top level sets the default.
    if (filter.archived === 'ACTIVE') where.push({ archivedAt: null });
    if (filter.archived === 'ARCHIVED') where.push({ archivedAt: { not: null } });
  }
  for (const [index, condition] of (filter.customFields ?? []).entries()) {
    where.push(await customFieldCondition(db, actor, condition, [...path, 'customFields', String(index)], issues));
  }
  for (const [index, nested] of (filter.and ?? []).entries()) {
    where.push({ AND: await filterConditions(db, actor, nested, [...path, 'and', String(index)], issues) });
  }
  if (filter.or) {
    const alternatives = await Promise.all(
      filter.or.map(async (nested, index) => ({
        AND: await filterConditions(db, actor, nested, [...path, 'or', String(index)], issues),
      })),
    );
    where.push({ OR: alternatives });
  }
  if (filter.not) where.push({ NOT: { AND: await filterConditions(db, actor, filter.not, [...path, 'not'], issues) } });
  return where;
}

/** The words of a query as Person.searchText holds them: lower case and unaccented by PostgreSQL. */
export async function searchWords(db: Db, query: string): Promise<string[]> {
  const trimmed = query.trim();
  if (trimmed === '') return [];
  const [row] = await db.$queryRaw<{ normalized: string }[]>`
    SELECT lower(public.unaccent('public.unaccent'::regdictionary, ${trimmed})) AS normalized`;
  return (row?.normalized ?? '').split(/\s+/).filter(Boolean).slice(0, 10);
}

function dateRange(range: DateRange, path: string[], issues: IssueList): Prisma.DateTimeFilter {
  const filter: Prisma.DateTimeFilter = {};
  if (range.after) filter.gte = range.after;
  if (range.strictlyAfter) filter.gt = range.strictlyAfter;
  if (range.before) filter.lte = range.before;
  if (range.strictlyBefore) filter.lt = range.strictlyBefore;
  if (Object.keys(filter).length === 0) issues.add(path, 'Give at least one of after, strictlyAfter, before, strictlyBefore.');
  const empty = emptyAfterBeforeRange(range);
  // A range no instant fits in is a mistake, not a question whose answer is nobody.
  if (empty) issues.add(path, empty);
  return filter;
}

async function customFieldCondition(
  db: Db,
  actor: Actor,
  condition: CustomFieldCondition,
  path: string[],
  issues: IssueList,
): Promise<Where> {
  const field = await db.customField.findFirst({
    where: fieldWhere(actor.organizationId, condition.field),
    select: { id: true, type: true },
  });
  if (!field) {
    const message =
      'id' in condition.field
        ? notInOrganisation('CustomField', condition.field.id, 'custom field')
        : `No custom field ${condition.field.slug} in this organisation.`;
    issues.add([...path, 'field'], message);
    return {};
  }
  const tests = [condition.eq !== undefined, condition.in != null, condition.contains != null, condition.isSet != null];
  if (tests.filter(Boolean).length !== 1) {
    issues.add(path, 'Give exactly one of eq, in, contains, isSet.');
    return {};
  }
  const fieldId = field.id;
  if (condition.isSet != null) {
    return condition.isSet ? { fieldValues: { some: { fieldId } } } : { fieldValues: { none: { fieldId } } };
  }
  if (condition.contains != null) {
    // Lists (multiple select, contacts, users, objects) contain an item; text contains a substring.
    const listTypes = ['MULTIPLE_SELECT', 'CONTACT', 'USER', 'OBJECT', 'JSON'];
    const value = listTypes.includes(field.type)
      ? { array_contains: [condition.contains] }
      : { string_contains: jsonStringLikeLiteral(condition.contains) };
    return { fieldValues: { some: { fieldId, value } } };
  }
  const candidates = condition.in ?? [condition.eq];
  return {
    fieldValues: {
      some: { fieldId, OR: candidates.map((candidate) => ({ value: { equals: candidate as Prisma.InputJsonValue } })) },
    },
  };
}
