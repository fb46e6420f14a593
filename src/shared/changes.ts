import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';

/** A column value as the timeline stores it: dates as ISO strings, absent as null. */
export function toJson(value: unknown): InputJsonValue | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return value as InputJsonValue;
}

/** Whether two column values are the same once stored as JSON (so dates compare by instant). */
export function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(toJson(a)) === JSON.stringify(toJson(b));
}
