import { Prisma } from '../generated/prisma/client.ts';
import { ConflictError, type IssueList } from './errors.ts';
import { likeLiteral } from '../db/like-pattern.ts';
import { limits } from './validation.ts';

/** Limits of the organising records (notes, categories, tags, groups), folk's as everywhere. */
export const titleLimits = { title: limits.name, description: limits.description } as const;

/**
 * A title that must exist: trimmed, not blank, at most 500 characters. Absent (undefined, in an
 * update) stays absent; null or blank is an issue at `path`.
 */
export function requiredTitle(issues: IssueList, path: string[], value: string | null | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value?.trim() ?? '';
  if (trimmed === '') {
    issues.add(path, 'A title is required.');
    return undefined;
  }
  if (trimmed.length > titleLimits.title) {
    issues.add(path, `Must be at most ${titleLimits.title} characters (got ${trimmed.length}).`);
  }
  return trimmed;
}

/** Another row of the organisation with this title, whatever its case; `exceptId` is the row being renamed. */
export function sameTitleWhere(organizationId: string, title: string, exceptId?: string) {
  return {
    organizationId,
    // An insensitive equals is an ILIKE: without escaping, "%" would clash with every title.
    title: { equals: likeLiteral(title), mode: 'insensitive' as const },
    ...(exceptId ? { id: { not: exceptId } } : {}),
  };
}

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

export function isForeignKeyViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2003';
}

/**
 * Runs a write whose duplicate the service has already looked for; a concurrent writer can still
 * win the race, and the unique index then has the last word, as the same ConflictError.
 */
export async function conflictOnDuplicate<T>(write: Promise<T>, message: string): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (isUniqueViolation(error)) throw new ConflictError(message);
    throw error;
  }
}
