import type { Prisma } from '../db/prisma.ts';
import { IssueList } from '../shared/errors.ts';
import type { PersonFieldsInput } from '../fields/index.ts';
import { projectIdsToWrite } from '../projects/index.ts';
import { checkNonNegative, checkPattern, cleanList, cleanText, isTimeZone, limits } from '../shared/validation.ts';

/** A company given by id or by name (created when missing); exactly one of the two. */
export interface CompanyRef {
  id?: string | null;
  name?: string | null;
}

/**
 * The writable fields of a person, as the API takes them (ids already local). Groups and
 * custom-field values are checked and written by person-fields.ts.
 */
export interface PersonInput extends PersonFieldsInput {
  /** createPerson and import rows: the id the client chose (a lower-case UUID); replace: must be the person's own. */
  id?: string | null;
  givenName?: string | null;
  familyName?: string | null;
  additionalName?: string | null;
  honorificPrefix?: string | null;
  initials?: string | null;
  fullName?: string | null;
  jobTitle?: string | null;
  description?: string | null;
  birthday?: Date | null;
  gender?: string | null;
  language?: string | null;
  timezone?: string | null;
  profileColor?: string | null;
  externalId?: string | null;
  customerId?: string | null;
  linkedinId?: string | null;
  externalSource?: string | null;
  isTracked?: boolean | null;
  role?: string | null;
  suspended?: boolean | null;
  sendInvite?: boolean | null;
  ownerId?: string | null;
  emails?: readonly string[] | null;
  phones?: readonly string[] | null;
  urls?: readonly string[] | null;
  addresses?: readonly string[] | null;
  companies?: readonly CompanyRef[] | null;
  /** Seed 001's projects the person is on (ids local); see project-service.ts. */
  projectIds?: readonly string[] | null;
  dealSize?: number | null;
  totalDeals?: number | null;
  totalWonDeals?: number | null;
  totalLostDeals?: number | null;
  /** Seed 002: archived at this instant (never in the future); null: not archived. */
  archivedAt?: Date | null;
  /** Seed 002's tags (local ids): exactly the person's tags once written; see person-tags.ts. */
  tagIds?: readonly string[] | null;
  /** Write the person even if an email or phone of theirs is suppressed (src/privacy). */
  allowSuppressed?: boolean | null;
}

import type { WriteMode } from '../shared/write-mode.ts';

export type { WriteMode };

export type PersonScalars = Omit<Prisma.PersonUncheckedCreateInput, 'organizationId'>;

export interface PreparedPerson {
  data: Partial<PersonScalars>;
  /** undefined: leave the companies as they are. */
  companies: CompanyRef[] | undefined;
  /** undefined: leave the tags as they are; otherwise exactly these (no duplicates, at most 100). */
  tagIds: string[] | undefined;
}

/** Tags a person input may list; a tag list is bounded like the others of a mutation. */
export const maxTagIds = 100;

/** The text fields and their length limits. */
export const textFields = {
  givenName: limits.name,
  familyName: limits.name,
  additionalName: limits.name,
  honorificPrefix: limits.name,
  initials: 10,
  fullName: limits.fullName,
  jobTitle: limits.name,
  description: limits.description,
  gender: limits.name,
  language: 35,
  timezone: 64,
  profileColor: 7,
  externalId: limits.name,
  customerId: limits.name,
  linkedinId: limits.name,
  externalSource: limits.name,
  role: limits.name,
} as const satisfies Partial<Record<keyof PersonInput, number>>;

export const numberFields = ['dealSize', 'totalDeals', 'totalWonDeals', 'totalLostDeals'] as const;
const listFields = { emails: 'email', phones: 'phone', urls: 'url', addresses: 'address' } as const;

/** Checks a person input and turns it into column values; throws one ValidationError listing every problem. */
export function preparePerson(input: PersonInput, mode: WriteMode, basePath: string[] = ['input']): PreparedPerson {
  const issues = new IssueList();
  const at = (...path: string[]) => [...basePath, ...path];
  // In create and replace an absent field means "no value".
  const given = <K extends keyof PersonInput>(key: K): PersonInput[K] | undefined =>
    mode === 'update' ? input[key] : (input[key] ?? null);
  const data: Partial<PersonScalars> = {};

  for (const [key, max] of Object.entries(textFields) as [keyof typeof textFields, number][]) {
    const value = cleanText(issues, at(key), given(key), max);
    // familyName is the one non-null text column; a null for it is refused just below.
    if (value !== undefined) (data as Record<string, string | null>)[key] = value;
  }
  if (mode !== 'update' || 'familyName' in input) {
    if (data.familyName == null) issues.add(at('familyName'), 'A family name is required.');
  }
  checkPattern(issues, at('language'), data.language, /^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'Must be a language tag such as "en" or "pt-BR".');
  checkPattern(issues, at('profileColor'), data.profileColor, /^#[0-9a-fA-F]{6}$/, 'Must be a colour as #rrggbb.');
  if (data.timezone != null && !isTimeZone(data.timezone)) {
    issues.add(at('timezone'), 'Must be an IANA time zone such as "Europe/Stockholm" or an offset such as "+08:00".');
  }

  for (const key of numberFields) {
    const value = given(key);
    checkNonNegative(issues, at(key), value);
    if (value !== undefined) data[key] = value;
  }
  const birthday = given('birthday');
  if (birthday !== undefined) data.birthday = birthday;
  const isTracked = given('isTracked');
  if (isTracked !== undefined) data.isTracked = isTracked;
  const suspended = given('suspended');
  if (suspended !== undefined) data.suspended = suspended ?? false;
  if (input.sendInvite) data.invitedAt = new Date();
  const ownerId = given('ownerId');
  if (ownerId !== undefined) data.ownerId = ownerId;
  const archivedAt = given('archivedAt');
  // Seed 002's archivedAt is the instant the person was archived: a past one, like a backdated note.
  if (archivedAt && archivedAt.getTime() > Date.now()) issues.add(at('archivedAt'), 'Must not be in the future.');
  if (archivedAt !== undefined) data.archivedAt = archivedAt;
  if (mode === 'create' && input.id != null) data.id = input.id;

  for (const [key, kind] of Object.entries(listFields) as [keyof typeof listFields, (typeof listFields)[keyof typeof listFields]][]) {
    const list = cleanList(issues, at(key), given(key), kind);
    if (list !== undefined) data[key] = list;
  }

  const companies = prepareCompanies(issues, at('companies'), given('companies'));
  const tagIds = prepareTagIds(issues, at('tagIds'), given('tagIds'));
  issues.throwIfAny();
  return { data, companies, tagIds };
}

function prepareCompanies(
  issues: IssueList,
  path: string[],
  refs: readonly CompanyRef[] | null | undefined,
): CompanyRef[] | undefined {
  if (refs === undefined) return undefined;
  if (refs === null) return [];
  if (refs.length > limits.listItems) issues.add(path, `At most ${limits.listItems} companies (got ${refs.length}).`);
  return refs.map((ref, index) => {
    const name = cleanText(issues, [...path, String(index), 'name'], ref.name, limits.name);
    if ((ref.id == null) === (name == null)) {
      issues.add([...path, String(index)], 'Give a company either by id or by name.');
    }
    return ref.id != null ? { id: ref.id } : { name: name ?? null };
  });
}

/** null (a PATCH clearing them) is no tags; a tag listed twice is a mistake, as a group is. */
function prepareTagIds(issues: IssueList, path: string[], tagIds: readonly string[] | null | undefined): string[] | undefined {
  if (tagIds === undefined) return undefined;
  if (tagIds === null) return [];
  if (tagIds.length > maxTagIds) issues.add(path, `At most ${maxTagIds} tags (got ${tagIds.length}).`);
  tagIds.forEach((tagId, index) => {
    if (tagIds.indexOf(tagId) !== index) issues.add([...path, String(index)], 'This tag is listed twice.');
  });
  return [...tagIds];
}

/**
 * Step one of a person write (person-service.ts): the whole input checked and turned into what
 * to write, before any SQL. Whatever needs the database (the owner, companies, projects and tags
 * being this organisation's) is checked by the write step, with the rows it depends on locked.
 */
export interface PersonPlan extends PreparedPerson {
  input: PersonInput;
  mode: WriteMode;
  /** undefined: leave the projects as they are; otherwise exactly these, sorted. */
  projectIds: string[] | undefined;
}

export function planPersonWrite(input: PersonInput, mode: WriteMode): PersonPlan {
  return { ...preparePerson(input, mode), input, mode, projectIds: projectIdsToWrite(input, mode) };
}
