import type { IssueList } from './errors.ts';

/** Limits from seed 003 (folk), the strictest of the four products. */
export const limits = {
  name: 500,
  fullName: 1000,
  description: 5000,
  listItems: 20,
  listItem: 500,
} as const;

/** A real calendar date as YYYY-MM-DD (2023-02-30 is not), at midnight UTC. */
export function parseCalendarDate(value: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  const real = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return real ? date : undefined;
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
