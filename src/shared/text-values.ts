import type { FieldIssue } from './errors.ts';

/**
 * Text the database cannot store, checked once at the boundary rather than in every service:
 * PostgreSQL's text and jsonb refuse U+0000, and a lone surrogate (half of a UTF-16 pair) is not
 * Unicode at all: the driver would store it as U+FFFD (changing the value) or jsonb refuses it.
 */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'Must not contain the NUL character (U+0000).';
  if (!isWellFormed(text)) return 'Must be valid Unicode: it has a lone surrogate (U+D800 to U+DFFF without its pair).';
  return undefined;
}

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isWellFormed(text: string): boolean {
  // String.prototype.isWellFormed is ES2024; the regular expression says the same.
  return !loneSurrogate.test(text);
}

/** A key as it may appear in an issue's path (which is stored and sent as JSON): bad characters escaped. */
export function printableKey(key: string): string {
  if (textProblem(key) === undefined) return key;
  return key.replace(/[\u0000\uD800-\uDFFF]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Stops a walk over a hostile value early: the first issues say enough. */
const maxIssues = 20;

/**
 * Every string in `value` (lists and plain objects, their keys included) that the database cannot
 * store, with its path. The walk keeps its own stack, so a value nested 10,000 deep costs no
 * recursion; other objects (dates, files) are not looked into. `skip` leaves out a subtree that
 * someone else checks (an import's rows, checked row by row).
 */
export function textIssues(value: unknown, path: readonly string[] = [], skip?: (path: readonly string[]) => boolean): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const stack: { value: unknown; path: readonly string[] }[] = [{ value, path }];
  while (stack.length > 0 && issues.length < maxIssues) {
    const next = stack.pop()!;
    if (skip?.(next.path)) continue;
    if (typeof next.value === 'string') {
      const problem = textProblem(next.value);
      if (problem) issues.push({ path: [...next.path], message: problem });
    } else if (Array.isArray(next.value)) {
      for (let index = next.value.length - 1; index >= 0; index--) stack.push({ value: next.value[index], path: [...next.path, String(index)] });
    } else if (isPlainObject(next.value)) {
      const entries = Object.entries(next.value);
      for (let index = entries.length - 1; index >= 0; index--) {
        const [key, item] = entries[index]!;
        const keyProblem = textProblem(key);
        if (keyProblem) issues.push({ path: [...next.path, printableKey(key)], message: `This key: ${keyProblem[0]!.toLowerCase()}${keyProblem.slice(1)}` });
        else stack.push({ value: item, path: [...next.path, key] });
      }
    }
  }
  return issues;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
