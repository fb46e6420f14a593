import type { IssueList } from './errors.ts';

/** Limits from seed 003 (folk), the strictest of the four products. */
export const limits = {
  name: 500,
  fullName: 1000,
  description: 5000,
  listItems: 20,
  listItem: 500,
} as const;

/**
 * The dates the API takes: years 0001 to 9999, what PostgreSQL's timestamp and date store as
 * they are written (year 0 does not exist there: it counts 1 BC, 1 AD). Built with
 * setUTCFullYear, since Date.UTC and new Date(y, ...) read the years 0 to 99 as 1900 to 1999.
 */
export const earliestInstant = utcDate(1, 1, 1).getTime();
export const latestInstant = utcDate(9999, 12, 31).getTime() + 86_400_000 - 1;

function utcDate(year: number, month: number, day: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date;
}

/** A real calendar date as YYYY-MM-DD (2023-02-30 is not, nor 0000-01-01), at midnight UTC. */
export function parseCalendarDate(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = utcDate(year, month, day);
  const real = year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? date : undefined;
}

/**
 * An ISO 8601 date and time (YYYY-MM-DDThh:mm..., with its zone) from 0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999Z; undefined for anything else.
 */
export function parseInstant(value: string): Date | undefined {
  // The date part must be a real one: V8 reads 2026-02-30T00:00Z as March 2.
  if (value[10] !== 'T' || !parseCalendarDate(value.slice(0, 10))) return undefined;
  const date = new Date(value);
  const time = date.getTime();
  return time >= earliestInstant && time <= latestInstant ? date : undefined;
}

/**
 * Trims a text input. Absent stays absent, and blank means "no value" (null), so a form that
 * sends "" clears the field rather than storing an empty string.
 */
export function cleanText(
  issues: IssueList,
  path: string[],
  value: string | null | undefined,
  max: number,
): string | null | undefined {
  if (value === undefined || value === null) return value;
  const trimmed = value.trim();
  if (trimmed.length > max) issues.add(path, `Must be at most ${max} characters (got ${trimmed.length}).`);
  return trimmed === '' ? null : trimmed;
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const phonePattern = /^\+?[0-9 ().\-/]{3,}(?:\s*(?:x|ext\.?)\s*\d+)?$/i;

export type ListKind = 'email' | 'phone' | 'url' | 'address';

/** An ordered list (emails, phones, ...): each item checked, duplicates refused, at most 20. */
/** Emails are stored so, lower-cased, and compared so: matching one (filters, imports, merges) is exact. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function cleanList(
  issues: IssueList,
  path: string[],
  values: readonly string[] | null | undefined,
  kind: ListKind,
): string[] | undefined {
  if (values === undefined) return undefined;
  if (values === null) return [];
  if (values.length > limits.listItems) {
    issues.add(path, `At most ${limits.listItems} items (got ${values.length}).`);
  }
  const seen = new Set<string>();
  const cleaned: string[] = [];
  values.forEach((raw, index) => {
    const value = kind === 'email' ? normalizeEmail(raw) : raw.trim();
    const itemPath = [...path, String(index)];
    const problem = checkListItem(value, kind);
    if (problem) {
      issues.add(itemPath, problem);
      return;
    }
    if (seen.has(value)) issues.add(itemPath, `Duplicate ${kind}: ${value}.`);
    seen.add(value);
    cleaned.push(value);
  });
  return cleaned;
}

function checkListItem(value: string, kind: ListKind): string | undefined {
  if (value === '') return 'Must not be empty.';
  if (value.length > limits.listItem) return `Must be at most ${limits.listItem} characters.`;
  switch (kind) {
    case 'email':
      return emailPattern.test(value) ? undefined : `Not an email address: ${value}.`;
    case 'phone':
      return phonePattern.test(value) ? undefined : `Not a phone number: ${value}.`;
    case 'url':
      return isWebUrl(value) ? undefined : `Not an http(s) URL: ${value}.`;
    case 'address':
      return undefined;
  }
}

export function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export function checkPattern(
  issues: IssueList,
  path: string[],
  value: string | null | undefined,
  pattern: RegExp,
  message: string,
): void {
  if (value != null && !pattern.test(value)) issues.add(path, message);
}

export function isTimeZone(value: string): boolean {
  if (/^[+-](?:0\d|1[0-4]):[0-5]\d$/.test(value)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export function checkNonNegative(issues: IssueList, path: string[], value: number | null | undefined): void {
  if (value != null && value < 0) issues.add(path, 'Must not be negative.');
}
