import { createHash } from 'node:crypto';
import { IssueList } from './errors.ts';

/**
 * Keyset pagination over any ordering, with NULLs placed explicitly, and cursors that remember
 * the query they came from: a cursor of another ordering or filter is refused, not misread.
 */
export type Direction = 'ASC' | 'DESC';

export interface SortKey {
  column: string;
  direction: Direction;
  /** Only for nullable columns: where the NULLs go. */
  nulls?: 'FIRST' | 'LAST';
}

export type KeyValue = string | number | null;

/** A Prisma-style where clause: plain objects, so this module needs no Prisma types. */
export type Where = Record<string, unknown>;

export function querySignature(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 12);
}

export function encodeCursor(signature: string, values: KeyValue[]): string {
  return Buffer.from(JSON.stringify({ s: signature, k: values })).toString('base64url');
}

export function decodeCursor(cursor: string, signature: string, keyCount: number, argument: string): KeyValue[] {
  const issues = new IssueList();
  let values: KeyValue[] | undefined;
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { s?: unknown; k?: unknown };
    if (decoded.s === signature && Array.isArray(decoded.k) && decoded.k.length === keyCount) {
      values = decoded.k as KeyValue[];
    } else if (typeof decoded.s === 'string') {
      issues.add([argument], 'This cursor belongs to another query (other filter or order); start again without it.');
    }
  } catch {
    // Not one of ours.
  }
  if (!values && issues.issues.length === 0) issues.add([argument], 'Not a valid cursor.');
  issues.throwIfAny();
  return values!;
}

/** Flips a sort for reading backwards (last/before): direction and NULL placement both turn. */
export function reverse(keys: SortKey[]): SortKey[] {
  return keys.map((key) => ({
    column: key.column,
    direction: key.direction === 'ASC' ? 'DESC' : 'ASC',
    ...(key.nulls ? { nulls: key.nulls === 'FIRST' ? 'LAST' : 'FIRST' } : {}),
  }));
}

/** The rows strictly after `values` in the order of `keys` (the last key must be unique). */
export function afterKeyset(keys: SortKey[], values: KeyValue[], toValue: (column: string, value: KeyValue) => unknown): Where {
  const alternatives: Where[] = [];
  keys.forEach((key, index) => {
    const after = afterOne(key, values[index] ?? null, toValue);
    if (!after) return;
    const equalBefore = keys.slice(0, index).map((previous, j) => ({
      [previous.column]: values[j] === null ? null : toValue(previous.column, values[j] ?? null),
    }));
    alternatives.push({ AND: [...equalBefore, after] });
  });
  // Nothing comes after the very last row.
  return alternatives.length > 0 ? { OR: alternatives } : { id: { in: [] } };
}

function afterOne(key: SortKey, value: KeyValue, toValue: (column: string, value: KeyValue) => unknown): Where | undefined {
  const nullsFirst = key.nulls === 'FIRST';
  if (value === null) {
    // Among NULLs there is no order but the next key's; after them come the values, if NULLs go first.
    return nullsFirst ? { [key.column]: { not: null } } : undefined;
  }
  const beyond = { [key.column]: { [key.direction === 'ASC' ? 'gt' : 'lt']: toValue(key.column, value) } };
  return key.nulls === 'LAST' ? { OR: [beyond, { [key.column]: null }] } : beyond;
}

/** Prisma orderBy for the keys. */
export function orderByOf(keys: SortKey[]): Record<string, unknown>[] {
  return keys.map((key) => ({
    [key.column]: key.nulls
      ? { sort: key.direction === 'ASC' ? 'asc' : 'desc', nulls: key.nulls === 'FIRST' ? 'first' : 'last' }
      : key.direction === 'ASC'
        ? 'asc'
        : 'desc',
  }));
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Page<Row> {
  rows: Row[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

/** Reads one more row than asked for, to know whether another page follows. */
export function pageWindow(args: PageArgs, defaultSize = 20): { size: number; backward: boolean; cursor: string | null } {
  const issues = new IssueList();
  if (args.first != null && args.last != null) issues.add(['last'], 'Give first or last, not both.');
  if (args.after != null && args.before != null) issues.add(['before'], 'Give after or before, not both.');
  issues.throwIfAny();
  const backward = args.last != null || (args.before != null && args.first == null);
  return {
    size: (backward ? args.last : args.first) ?? defaultSize,
    backward,
    cursor: (backward ? args.before : args.after) ?? null,
  };
}

export function toPage<Row>(fetched: Row[], size: number, backward: boolean, hadCursor: boolean): Page<Row> {
  const more = fetched.length > size;
  const rows = fetched.slice(0, size);
  if (backward) rows.reverse();
  return {
    rows,
    hasNextPage: backward ? hadCursor : more,
    hasPreviousPage: backward ? more : hadCursor,
  };
}
