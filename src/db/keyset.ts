import { createHash } from 'node:crypto';
import { IssueList } from '../shared/errors.ts';
import { textProblem } from '../shared/text-values.ts';
import { parseInstant } from '../shared/validation.ts';

/**
 * Keyset pagination over any ordering, with NULLs placed explicitly, and cursors that remember
 * the query they came from: a cursor of another ordering or filter is refused, not misread.
 */
export type Direction = 'ASC' | 'DESC';

/** A page read by keyset (people, notes): its edges, whether there is more, and its count when asked. */
export interface KeysetPage<Row> {
  edges: { cursor: string; node: Row }[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: () => Promise<number>;
}

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

/**
 * What each value of a cursor must be. A cursor is not secret (its signature only ties it to its
 * query), so a client can send any values: each is checked before it reaches a query, where a
 * wrong type, an impossible date or a NUL would be a database error.
 */
export type KeyKind = 'text' | 'instant' | 'id' | 'rank' | 'flag' | 'position';

export interface CursorKey {
  kind: KeyKind;
  nullable?: boolean;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function isKeyValue(value: unknown, key: CursorKey): value is KeyValue {
  if (value === null) return key.nullable === true;
  switch (key.kind) {
    case 'text':
      return typeof value === 'string' && value.length <= 10_000 && textProblem(value) === undefined;
    case 'instant':
      return typeof value === 'string' && parseInstant(value) !== undefined;
    case 'id':
      return typeof value === 'string' && uuidPattern.test(value);
    case 'rank':
      // pg_trgm's word similarity, between 0 and 1.
      return typeof value === 'number' && value >= 0 && value <= 1;
    case 'flag':
      // A boolean column, as 0 or 1.
      return value === 0 || value === 1;
    case 'position':
      // A row number, from 1; bounded so that it stays a PostgreSQL integer.
      return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 2_147_483_647;
  }
}

export function decodeCursor(cursor: string, signature: string, keys: readonly CursorKey[], argument: string): KeyValue[] {
  const issues = new IssueList();
  let values: KeyValue[] | undefined;
  try {
    const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (isRecord(decoded) && Object.keys(decoded).length === 2 && typeof decoded.s === 'string' && Array.isArray(decoded.k)) {
      const k = decoded.k as unknown[];
      if (decoded.s !== signature) {
        issues.add([argument], 'This cursor belongs to another query (other filter or order); start again without it.');
      } else if (k.length === keys.length && k.every((value, index) => isKeyValue(value, keys[index]!))) {
        values = k as KeyValue[];
      }
    }
  } catch {
    // Not one of ours.
  }
  if (!values && issues.issues.length === 0) issues.add([argument], 'Not a valid cursor: give one this connection returned.');
  issues.throwIfAny();
  return values!;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
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
  if (alternatives.length === 0) return { id: { in: [] } };
  // The same rows, with the first key's bound said on its own as well: PostgreSQL cannot start an
  // index scan from an OR, so without it a page read backwards from deep in a large list walks
  // the index from the far end to the cursor (184 ms at 100,000 people; issue 20).
  const [first] = keys;
  const firstValue = values[0] ?? null;
  if (!first || first.nulls || firstValue === null) return { OR: alternatives };
  const bound = { [first.column]: { [first.direction === 'ASC' ? 'gte' : 'lte']: toValue(first.column, firstValue) } };
  return { AND: [bound, { OR: alternatives }] };
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
