import type { Db } from '../db/prisma.ts';
import type { CustomField } from '../generated/prisma/client.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import type { IssueList } from '../shared/errors.ts';
import { decodeGlobalId, encodeGlobalId } from '../shared/global-ids.ts';
import { isWebUrl, normalizeEmail, parseCalendarDate } from '../shared/validation.ts';

/** Seed 003's limits for values: strings up to 5000 characters, lists up to 1000 items. */
export const valueLimits = {
  text: 5000,
  listItems: 1000,
  /** A JSON value as a whole, serialised, and how deep it nests. */
  jsonCharacters: 100_000,
  jsonDepth: 20,
} as const;

export type FieldDefinition = Pick<CustomField, 'id' | 'slug' | 'type' | 'options'>;

type ReferenceType = 'Person' | 'Company' | 'User';

interface Reference {
  path: string[];
  typename: ReferenceType;
  /** The database id; for a user given by email, set once the email is found. */
  id?: string;
  email?: string;
}

/** A value that passed its type's checks; null means "unset the field". */
export interface CheckedValue {
  field: FieldDefinition;
  path: string[];
  /** For CONTACT and USER fields, written by resolveReferences once the references are found. */
  value: InputJsonValue | null;
  references: Reference[];
}

/** null, "", [] and {} (and blank text) mean "no value": setting one unsets the field. */
export function isEmptyValue(raw: unknown): boolean {
  if (raw === null || raw === undefined) return true;
  if (typeof raw === 'string') return raw.trim() === '';
  if (Array.isArray(raw)) return raw.length === 0;
  return isRecord(raw) && Object.keys(raw).length === 0;
}

/**
 * Checks a raw value against its field's type (seed 003's table) and normalises it: numbers are
 * stored as numbers, text trimmed, references as global ids. Problems go to `issues`, each
 * naming the field; the result is undefined when there was one.
 */
export function checkValue(issues: IssueList, path: string[], field: FieldDefinition, raw: unknown): CheckedValue | undefined {
  if (isEmptyValue(raw)) return { field, path, value: null, references: [] };
  const before = issues.issues.length;
  const checked: CheckedValue = { field, path, value: null, references: [] };
  const name = `Field "${field.slug}"`;
  switch (field.type) {
    case 'TEXT':
    case 'MAGIC':
      checked.value = checkText(issues, path, name, raw);
      break;
    case 'NUMBER':
      checked.value = checkNumber(issues, path, name, raw);
      break;
    case 'DATE': {
      const text = typeof raw === 'string' ? raw.trim() : undefined;
      if (text === undefined || !parseCalendarDate(text)) issues.add(path, `${name} takes a real date as YYYY-MM-DD; got ${show(raw)}.`);
      checked.value = text ?? null;
      break;
    }
    case 'URL': {
      const text = typeof raw === 'string' ? raw.trim() : undefined;
      if (text === undefined || !isWebUrl(text)) issues.add(path, `${name} takes an http(s) URL; got ${show(raw)}.`);
      else if (text.length > valueLimits.text) {
        issues.add(path, `${name} takes at most ${valueLimits.text} characters (got ${text.length}).`);
      }
      checked.value = text ?? null;
      break;
    }
    case 'JSON':
      checkJson(issues, path, name, raw as InputJsonValue);
      checked.value = raw as InputJsonValue;
      break;
    case 'SINGLE_SELECT':
      if (typeof raw !== 'string' || !field.options.includes(raw)) {
        issues.add(path, `${name} takes one of its options (${listOptions(field)}); got ${show(raw)}.`);
      }
      checked.value = typeof raw === 'string' ? raw : null;
      break;
    case 'MULTIPLE_SELECT':
      checked.value = checkOptions(issues, path, name, field, raw);
      break;
    case 'CONTACT':
    case 'USER':
      checked.references = checkReferences(issues, path, name, field.type, raw);
      break;
    case 'OBJECT':
      checked.value = checkObjectIds(issues, path, name, raw);
      break;
  }
  return issues.issues.length === before ? checked : undefined;
}

function checkText(issues: IssueList, path: string[], name: string, raw: unknown): string | null {
  if (typeof raw !== 'string') {
    issues.add(path, `${name} takes text; got ${show(raw)}.`);
    return null;
  }
  const text = raw.trim();
  if (text.length > valueLimits.text) {
    issues.add(path, `${name} takes at most ${valueLimits.text} characters (got ${text.length}).`);
  }
  return text;
}

const numericText = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

function checkNumber(issues: IssueList, path: string[], name: string, raw: unknown): number | null {
  const number =
    typeof raw === 'number' ? raw : typeof raw === 'string' && numericText.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isFinite(number)) {
    issues.add(path, `${name} takes a number or a numeric string such as 42 or "42"; got ${show(raw)}.`);
    return null;
  }
  return number;
}

/**
 * Any JSON, within limits on each string and list, on depth and on size. Depth is checked first,
 * by a walk that stops at the limit: serialising a value nested 10,000 deep (a CSV cell can hold
 * one) would run out of stack.
 */
function checkJson(issues: IssueList, path: string[], name: string, raw: InputJsonValue): void {
  const before = issues.issues.length;
  const visit = (value: unknown, at: string[], depth: number): void => {
    if (depth > valueLimits.jsonDepth) {
      issues.add(at, `${name} nests deeper than ${valueLimits.jsonDepth} levels.`);
      return;
    }
    if (typeof value === 'string' && value.length > valueLimits.text) {
      issues.add(at, `${name} takes strings of at most ${valueLimits.text} characters (got ${value.length}).`);
    }
    if (Array.isArray(value)) {
      if (value.length > valueLimits.listItems) {
        issues.add(at, `${name} takes lists of at most ${valueLimits.listItems} items (got ${value.length}).`);
        return;
      }
      value.forEach((item, index) => visit(item, [...at, String(index)], depth + 1));
    } else if (isRecord(value)) {
      const entries = Object.entries(value);
      if (entries.length > valueLimits.listItems) {
        issues.add(at, `${name} takes objects of at most ${valueLimits.listItems} keys (got ${entries.length}).`);
        return;
      }
      for (const [key, item] of entries) visit(item, [...at, key], depth + 1);
    }
  };
  visit(raw, path, 1);
  if (issues.issues.length > before) return;
  const serialised = JSON.stringify(raw);
  if (serialised.length > valueLimits.jsonCharacters) {
    issues.add(path, `${name} takes at most ${valueLimits.jsonCharacters} characters of JSON (got ${serialised.length}).`);
  }
}

function checkList(issues: IssueList, path: string[], name: string, raw: unknown, itemKind: string): unknown[] | undefined {
  if (!Array.isArray(raw)) {
    issues.add(path, `${name} takes a list of ${itemKind}; got ${show(raw)}.`);
    return undefined;
  }
  if (raw.length > valueLimits.listItems) {
    issues.add(path, `${name} takes at most ${valueLimits.listItems} items (got ${raw.length}).`);
    return undefined;
  }
  return raw;
}

function checkOptions(issues: IssueList, path: string[], name: string, field: FieldDefinition, raw: unknown): string[] | null {
  const items = checkList(issues, path, name, raw, `option labels (${listOptions(field)})`);
  if (!items) return null;
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const at = [...path, String(index)];
    if (typeof item !== 'string' || !field.options.includes(item)) {
      issues.add(at, `${name} has no option ${show(item)}; its options are ${listOptions(field)}.`);
    } else if (seen.has(item)) {
      issues.add(at, `${name} lists the option "${item}" twice.`);
    }
    if (typeof item === 'string') seen.add(item);
  });
  return items as string[];
}

/** The longest object id an OBJECT value takes (folk's are "obj_" and a uuid, 40 characters). */
export const maxObjectIdLength = 200;

/**
 * Objects (seed 003's objectField): [{ id }] of records another service holds (folk's objects,
 * here another subgraph's entities), which this API cannot look up: each id is kept as given,
 * trimmed, non-empty, at most 200 characters, none twice. A bare id string is taken too.
 */
function checkObjectIds(issues: IssueList, path: string[], name: string, raw: unknown): string[] | null {
  const items = checkList(issues, path, name, raw, 'objects with an id');
  if (!items) return null;
  const seen = new Set<string>();
  return items.map((item, index) => {
    const at = [...path, String(index)];
    const given = typeof item === 'string' ? item : isRecord(item) && onlyKey(item, 'id') ? item.id : undefined;
    const id = typeof given === 'string' ? given.trim() : '';
    if (id === '') {
      issues.add(at, `${name} takes objects with an id, such as { "id": "obj_2f62…" }; item ${index} is ${show(item)}.`);
    } else if (id.length > maxObjectIdLength) {
      issues.add(at, `${name} takes object ids of at most ${maxObjectIdLength} characters (item ${index} has ${id.length}).`);
    } else if (seen.has(id)) {
      issues.add(at, `${name} names the object "${id}" twice.`);
    }
    seen.add(id);
    return id;
  });
}

/** Contacts: [{ id }] of people or companies. Users: [{ id }] or [{ email }]. A bare id string is taken too. */
function checkReferences(
  issues: IssueList,
  path: string[],
  name: string,
  type: 'CONTACT' | 'USER',
  raw: unknown,
): Reference[] {
  const wanted = type === 'CONTACT' ? 'objects with the id of a person or a company' : 'objects with a user id or email';
  const items = checkList(issues, path, name, raw, wanted);
  if (!items) return [];
  const allowed: ReferenceType[] = type === 'CONTACT' ? ['Person', 'Company'] : ['User'];
  const references: Reference[] = [];
  items.forEach((item, index) => {
    const at = [...path, String(index)];
    const id = typeof item === 'string' ? item : isRecord(item) && onlyKey(item, 'id') ? item.id : undefined;
    const email = type === 'USER' && isRecord(item) && onlyKey(item, 'email') ? item.email : undefined;
    if (typeof email === 'string') {
      references.push({ path: at, typename: 'User', email: normalizeEmail(email) });
      return;
    }
    const decoded = typeof id === 'string' ? decodeGlobalId(id) : undefined;
    if (!decoded || !allowed.includes(decoded.typename as ReferenceType)) {
      issues.add(at, `${name} takes ${wanted}; item ${index} is ${show(item)}.`);
      return;
    }
    references.push({ path: at, typename: decoded.typename as ReferenceType, id: decoded.id });
  });
  return references;
}

/**
 * Finds every reference of these values in the organisation, with one query per kind of record,
 * and writes each reference value as the list of global ids it names.
 */
export async function resolveReferences(
  db: Db,
  organizationId: string,
  issues: IssueList,
  values: readonly CheckedValue[],
): Promise<void> {
  const references = values.flatMap((value) => value.references);
  if (references.length === 0) return;
  const idsOf = (typename: ReferenceType) => [
    ...new Set(references.flatMap((ref) => (ref.typename === typename && ref.id ? [ref.id] : []))),
  ];
  const emails = [...new Set(references.flatMap((ref) => (ref.email ? [ref.email] : [])))];
  const inOrganization = { organizationId };
  const [people, companies, users, usersByEmail] = await Promise.all([
    findIds(idsOf('Person'), (ids) => db.person.findMany({ where: { ...inOrganization, id: { in: ids } }, select: { id: true } })),
    findIds(idsOf('Company'), (ids) => db.company.findMany({ where: { ...inOrganization, id: { in: ids } }, select: { id: true } })),
    findIds(idsOf('User'), (ids) => db.user.findMany({ where: { ...inOrganization, id: { in: ids } }, select: { id: true } })),
    emails.length === 0
      ? []
      : db.user.findMany({
          where: { ...inOrganization, email: { in: emails, mode: 'insensitive' } },
          select: { id: true, email: true },
        }),
  ]);
  const found: Record<ReferenceType, Set<string>> = {
    Person: new Set(people.map((row) => row.id)),
    Company: new Set(companies.map((row) => row.id)),
    User: new Set(users.map((row) => row.id)),
  };
  const userIdByEmail = new Map(usersByEmail.map((user) => [user.email.toLowerCase(), user.id]));

  for (const value of values) {
    if (value.references.length === 0) continue;
    const name = `Field "${value.field.slug}"`;
    const globalIds: string[] = [];
    for (const ref of value.references) {
      const id = ref.email ? userIdByEmail.get(ref.email) : ref.id && found[ref.typename].has(ref.id) ? ref.id : undefined;
      if (!id) {
        const what = ref.email ? `user with email ${ref.email}` : `${ref.typename.toLowerCase()} ${encodeGlobalId(ref.typename, ref.id!)}`;
        issues.add(ref.path, `${name}: there is no ${what} in this organisation.`);
        continue;
      }
      const globalId = encodeGlobalId(ref.typename, id);
      if (globalIds.includes(globalId)) issues.add(ref.path, `${name} names ${globalId} twice.`);
      globalIds.push(globalId);
    }
    value.value = globalIds;
  }
}

async function findIds<Row>(ids: string[], find: (ids: string[]) => Promise<Row[]>): Promise<Row[]> {
  return ids.length === 0 ? [] : find(ids);
}

/** Equal as JSON, whatever the order of object keys (PostgreSQL's jsonb reorders them). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
  }
  if (isRecord(a) || isRecord(b)) {
    if (!isRecord(a) || !isRecord(b)) return false;
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => key in b && sameJson(a[key], b[key]));
  }
  return a === b;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function onlyKey(record: Record<string, unknown>, key: string): boolean {
  const keys = Object.keys(record);
  return keys.length === 1 && keys[0] === key;
}

function listOptions(field: FieldDefinition): string {
  const shown = field.options.slice(0, 20).map((option) => JSON.stringify(option));
  return shown.join(', ') + (field.options.length > shown.length ? ', ...' : '');
}

/** A value as it may be quoted in a message: short, and JSON so its type shows. */
function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
