import { quoteIdent } from '../db/migrate.ts';
import { type Db, Prisma } from '../db/prisma.ts';
import { decodeCursor, encodeCursor } from '../db/keyset.ts';
import { lockRows } from '../db/row-locks.ts';
import { requireWriter, type ServiceContext } from '../shared/actor.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';

/*
 * Duplicates: people of one organisation who are probably the same person. Each pair is found
 * by index lookups from one side (never by comparing every pair) through the keys of migration
 * 20261207110000_privacy_duplicates, and scored from its reasons:
 *
 *   EMAIL     an email in common (emails are stored lower-cased)            0.9
 *   LINKEDIN  the same LinkedIn id                                          0.9
 *   PHONE     a phone in common, by its last nine digits                    0.7
 *   NAME      full names with trigram similarity s of at least 0.5          0.6 × s
 *   SHARED_COMPANY  with NAME: a company in common raises it to             0.8 × s
 *
 * combined as independent evidence: score = 1 − Π (1 − weight), between 0 and 1. A pair
 * dismissed (dismissDuplicate) is never listed again; a merge deletes the merged-away person,
 * and their pairs with them.
 */

export const duplicateReasons = ['EMAIL', 'PHONE', 'LINKEDIN', 'NAME', 'SHARED_COMPANY'] as const;
export type DuplicateReason = (typeof duplicateReasons)[number];

/** Names less alike than this are not reasons (pg_trgm's similarity, 0 to 1). */
export const minNameSimilarity = 0.5;

export interface DuplicatePair {
  personId: string;
  otherId: string;
  score: number;
  reasons: DuplicateReason[];
  /** The trigram similarity of the two full names, when it is a reason. */
  nameSimilarity: number | null;
}

interface PairRow {
  a: string;
  b: string;
  email: boolean;
  phone: boolean;
  linkedin: boolean;
  name_similarity: number;
  shared_company: boolean;
  score: number;
}

/**
 * The statement both lists share: `from` picks the people looked up from (one person, or the whole
 * organisation), `pair` which of their matches count (any other person, or only those of a
 * greater id, so that the organisation's pairs are each found once).
 */
function scoredPairs(dbSchema: string, organizationId: string, from: Prisma.Sql, pair: Prisma.Sql): Prisma.Sql {
  const s = (name: string) => Prisma.raw(`${quoteIdent(dbSchema)}.${name}`);
  const person = s('"Person"');
  const nameKey = (alias: string) => Prisma.raw(`${quoteIdent(dbSchema)}.person_name_key(${alias}."givenName", ${alias}."additionalName", ${alias}."familyName", ${alias}."fullName")`);
  return Prisma.sql`
    WITH a AS (
      SELECT p."id", p."emails", p."linkedinId", ${s('person_phone_keys')}(p."phones") AS phone_keys, ${nameKey('p')} AS name_key
      FROM ${person} p WHERE p."organizationId" = ${organizationId} AND ${from}
    ), hits AS (
      SELECT a."id" AS a, b."id" AS b, 'EMAIL' AS reason, 0::float8 AS similarity
      FROM a JOIN ${person} b ON b."emails" && a."emails"
      WHERE b."organizationId" = ${organizationId} AND ${pair}
      UNION ALL
      SELECT a."id", b."id", 'PHONE', 0
      FROM a JOIN ${person} b ON ${s('person_phone_keys')}(b."phones") && a.phone_keys
      WHERE b."organizationId" = ${organizationId} AND ${pair}
      UNION ALL
      SELECT a."id", b."id", 'LINKEDIN', 0
      FROM a JOIN ${person} b ON b."organizationId" = ${organizationId} AND b."linkedinId" = a."linkedinId"
      WHERE ${pair}
      UNION ALL
      SELECT a."id", b."id", 'NAME', public.similarity(${nameKey('b')}, a.name_key)
      FROM a JOIN ${person} b ON ${nameKey('b')} OPERATOR(public.%) a.name_key
      WHERE b."organizationId" = ${organizationId} AND ${pair} AND public.similarity(${nameKey('b')}, a.name_key) >= ${minNameSimilarity}
    ), pairs AS (
      SELECT a, b, bool_or(reason = 'EMAIL') AS email, bool_or(reason = 'PHONE') AS phone, bool_or(reason = 'LINKEDIN') AS linkedin,
        max(similarity) AS name_similarity,
        EXISTS (
          SELECT 1 FROM ${s('"PersonCompany"')} ca JOIN ${s('"PersonCompany"')} cb ON cb."companyId" = ca."companyId"
          WHERE ca."personId" = a AND cb."personId" = b
        ) AS shared_company
      FROM hits
      WHERE NOT EXISTS (SELECT 1 FROM ${s('"DismissedDuplicate"')} d WHERE d."personId" = least(a, b) AND d."otherId" = greatest(a, b))
      GROUP BY a, b
    )
    SELECT a, b, email, phone, linkedin, name_similarity, shared_company,
      round((1 - (1 - CASE WHEN email THEN 0.9 ELSE 0 END) * (1 - CASE WHEN phone THEN 0.7 ELSE 0 END)
        * (1 - CASE WHEN linkedin THEN 0.9 ELSE 0 END)
        * (1 - name_similarity * CASE WHEN shared_company THEN 0.8 ELSE 0.6 END))::numeric, 4)::float8 AS score
    FROM pairs`;
}

function toPair(row: PairRow): DuplicatePair {
  const reasons: DuplicateReason[] = [];
  if (row.email) reasons.push('EMAIL');
  if (row.phone) reasons.push('PHONE');
  if (row.linkedin) reasons.push('LINKEDIN');
  const named = row.name_similarity > 0;
  if (named) reasons.push('NAME');
  if (named && row.shared_company) reasons.push('SHARED_COMPANY');
  return { personId: row.a, otherId: row.b, score: row.score, reasons, nameSimilarity: named ? Math.round(row.name_similarity * 1000) / 1000 : null };
}

/** The people most probably the same as this one, best first (personId is theirs, otherId the other's). */
export async function possibleDuplicates(db: Db, { actor, dbSchema }: Pick<ServiceContext, 'actor' | 'dbSchema'>, personId: string, first: number): Promise<DuplicatePair[]> {
  const rows = await db.$queryRaw<PairRow[]>`
    SELECT * FROM (${scoredPairs(dbSchema, actor.organizationId, Prisma.sql`p."id" = ${personId}`, Prisma.sql`b."id" <> a."id"`)}) AS scored
    ORDER BY score DESC, b LIMIT ${first}`;
  return rows.map(toPair);
}

export interface CandidatePage {
  edges: { cursor: string; node: DuplicatePair }[];
  hasNextPage: boolean;
}

// Ties the cursors to this list and its minScore: a cursor of another minScore is refused.
const cursorSignature = (minScore: number) => `duplicates:${minScore}`;

/**
 * The organisation's likely duplicate pairs, best first (then by ids), a keyset page at a time:
 * each pair once, personId the lower id.
 */
export async function duplicateCandidates(
  { prisma, actor, dbSchema }: ServiceContext,
  { first, after, minScore }: { first: number; after: string | null; minScore: number },
): Promise<CandidatePage> {
  if (minScore < 0 || minScore > 1) throw new ValidationError([{ path: ['minScore'], message: 'Must be between 0 and 1.' }]);
  const position = after ? decodeCursor(after, cursorSignature(minScore), [{ kind: 'rank' }, { kind: 'id' }, { kind: 'id' }], 'after') : null;
  const afterPosition = position
    ? Prisma.sql`AND (score < ${position[0]} OR (score = ${position[0]} AND (a, b) > (${position[1]}::text, ${position[2]}::text)))`
    : Prisma.empty;
  const rows = await prisma.$queryRaw<PairRow[]>`
    SELECT * FROM (${scoredPairs(dbSchema, actor.organizationId, Prisma.sql`TRUE`, Prisma.sql`b."id" > a."id"`)}) AS scored
    WHERE score >= ${minScore} ${afterPosition}
    ORDER BY score DESC, a, b LIMIT ${first + 1}`;
  return {
    edges: rows.slice(0, first).map((row) => ({ cursor: encodeCursor(cursorSignature(minScore), [row.score, row.a, row.b]), node: toPair(row) })),
    hasNextPage: rows.length > first,
  };
}

/** Records that two people are not the same person: the pair is listed no more. Dismissing twice is no error. */
export async function dismissDuplicate(ctx: ServiceContext, personId: string, otherId: string): Promise<void> {
  const { actor } = ctx;
  requireWriter(actor);
  if (personId === otherId) throw new ValidationError([{ path: ['otherId'], message: 'Give two different people.' }]);
  await ctx.prisma.$transaction(async (tx) => {
    // Held, so that neither is deleted or merged away before the row that names them is in.
    const found = await lockRows(tx, ctx, 'Person', [personId, otherId], 'FOR KEY SHARE');
    for (const id of [personId, otherId]) if (!found.includes(id)) throw new NotFoundError('Person', id);
    const [low, high] = personId < otherId ? [personId, otherId] : [otherId, personId];
    await tx.dismissedDuplicate.createMany({
      data: [{ organizationId: actor.organizationId, personId: low, otherId: high, actorId: actor.userId }],
      skipDuplicates: true,
    });
  });
}
