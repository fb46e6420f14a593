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
 * and their pairs with them. possibleDuplicates looks one person up on each request;
 * duplicateCandidates pages through the pairs stored by the last scan (DuplicateCandidate),
 * each scan looking up only the people changed since the one before.
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
  score: number;
  reasons: DuplicateReason[];
  name_similarity: number | null;
}

/**
 * The pairs found from the people `from` picks (one person, those changed since a scan, or the
 * whole organisation), each with its score and reasons. Each reason is an index lookup from those
 * people; the other side is any other person (`<>`, which no index serves: a range on the id would
 * make the planner intersect every lookup with half the primary key). `ordered` gives each pair as
 * (lower id, higher id), so that a pair found from both sides is one row.
 */
function scoredPairs(dbSchema: string, organizationId: string, from: Prisma.Sql, ordered: boolean): Prisma.Sql {
  const s = (name: string) => Prisma.raw(`${quoteIdent(dbSchema)}.${name}`);
  const person = s('"Person"');
  const nameKey = (alias: string) => Prisma.raw(`${quoteIdent(dbSchema)}.person_name_key(${alias}."givenName", ${alias}."additionalName", ${alias}."familyName", ${alias}."fullName")`);
  const ids = ordered ? Prisma.sql`least(a."id", b."id") AS a, greatest(a."id", b."id") AS b` : Prisma.sql`a."id" AS a, b."id" AS b`;
  const other = Prisma.sql`b."organizationId" = ${organizationId} AND b."id" <> a."id"`;
  return Prisma.sql`
    WITH a AS (
      SELECT p."id", p."emails", p."linkedinId", ${s('person_phone_keys')}(p."phones") AS phone_keys, ${nameKey('p')} AS name_key
      FROM ${person} p WHERE p."organizationId" = ${organizationId} AND ${from}
    ), hits AS (
      SELECT ${ids}, 'EMAIL' AS reason, 0::float8 AS similarity
      FROM a JOIN ${person} b ON b."emails" && a."emails" WHERE ${other}
      UNION ALL
      SELECT ${ids}, 'PHONE', 0
      FROM a JOIN ${person} b ON ${s('person_phone_keys')}(b."phones") && a.phone_keys WHERE ${other}
      UNION ALL
      SELECT ${ids}, 'LINKEDIN', 0
      FROM a JOIN ${person} b ON b."organizationId" = ${organizationId} AND b."linkedinId" = a."linkedinId" WHERE ${other}
      UNION ALL
      SELECT ${ids}, 'NAME', public.similarity(${nameKey('b')}, a.name_key)
      FROM a JOIN ${person} b ON ${nameKey('b')} OPERATOR(public.%) a.name_key WHERE ${other}
    ), pairs AS (
      SELECT a, b, bool_or(reason = 'EMAIL') AS email, bool_or(reason = 'PHONE') AS phone, bool_or(reason = 'LINKEDIN') AS linkedin,
        nullif(max(similarity), 0) AS name_similarity,
        EXISTS (
          SELECT 1 FROM ${s('"PersonCompany"')} ca JOIN ${s('"PersonCompany"')} cb ON cb."companyId" = ca."companyId"
          WHERE ca."personId" = a AND cb."personId" = b
        ) AS shared_company
      FROM hits
      WHERE NOT EXISTS (SELECT 1 FROM ${s('"DismissedDuplicate"')} d WHERE d."personId" = least(a, b) AND d."otherId" = greatest(a, b))
      GROUP BY a, b
    )
    SELECT a, b,
      round((1 - (1 - CASE WHEN email THEN 0.9 ELSE 0 END) * (1 - CASE WHEN phone THEN 0.7 ELSE 0 END)
        * (1 - CASE WHEN linkedin THEN 0.9 ELSE 0 END)
        * (1 - coalesce(name_similarity, 0) * CASE WHEN shared_company THEN 0.8 ELSE 0.6 END))::numeric, 4)::float8 AS score,
      array_remove(ARRAY[
        CASE WHEN email THEN 'EMAIL' END, CASE WHEN phone THEN 'PHONE' END, CASE WHEN linkedin THEN 'LINKEDIN' END,
        CASE WHEN name_similarity IS NOT NULL THEN 'NAME' END, CASE WHEN name_similarity IS NOT NULL AND shared_company THEN 'SHARED_COMPANY' END
      ], NULL) AS reasons,
      round(name_similarity::numeric, 3)::float8 AS name_similarity
    FROM pairs`;
}

/**
 * Names are looked up through the trigram index with `%`, whose threshold is this setting: at
 * minNameSimilarity the index itself leaves out the names less alike, rather than the statement
 * reading them to drop them. For the caller's transaction only.
 */
async function lookUpNamesAtMinSimilarity(tx: Db): Promise<void> {
  await tx.$queryRaw`SELECT set_config('pg_trgm.similarity_threshold', ${String(minNameSimilarity)}, true)`;
}

function toPair(row: PairRow): DuplicatePair {
  return { personId: row.a, otherId: row.b, score: row.score, reasons: row.reasons, nameSimilarity: row.name_similarity };
}

/** The people most probably the same as this one, best first (personId is theirs, otherId the other's). */
export function possibleDuplicates({ prisma, actor, dbSchema }: ServiceContext, personId: string, first: number): Promise<DuplicatePair[]> {
  return prisma.$transaction(async (tx) => {
    await lookUpNamesAtMinSimilarity(tx);
    const rows = await tx.$queryRaw<PairRow[]>`
      SELECT * FROM (${scoredPairs(dbSchema, actor.organizationId, Prisma.sql`p."id" = ${personId}`, false)}) AS scored
      ORDER BY score DESC, b LIMIT ${first}`;
    return rows.map(toPair);
  });
}

/**
 * How far back a scan looks again for people changed (scanCandidates below): a write that was
 * still committing as the last scan read may carry an updatedAt a little before that scan.
 */
const rescanMarginMs = 60_000;

/**
 * Brings the organisation's stored pairs (DuplicateCandidate) up to date: the first time, every
 * person is looked up; after that only the people changed since the last scan (by updatedAt, which
 * every write of a person, their companies included, moves). A deleted or merged-away person's
 * pairs went with them (foreign keys). One scan at a time per organisation.
 */
async function scanCandidates({ prisma, actor, dbSchema }: ServiceContext): Promise<void> {
  const { organizationId } = actor;
  await prisma.$transaction(
    async (tx) => {
      await tx.$queryRaw`SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(${`duplicates:${organizationId}`}))) AS locked`;
      await lookUpNamesAtMinSimilarity(tx);
      const [{ now }] = await tx.$queryRaw<[{ now: Date }]>`SELECT now() AS now`;
      const scan = await tx.duplicateScan.findUnique({ where: { organizationId } });
      const candidates = Prisma.raw(`${quoteIdent(dbSchema)}."DuplicateCandidate"`);
      let from = Prisma.sql`TRUE`;
      if (scan) {
        const since = new Date(scan.scannedAt.getTime() - rescanMarginMs);
        from = Prisma.sql`p."updatedAt" >= ${since}`;
        const changed = Prisma.sql`SELECT p."id" FROM ${Prisma.raw(`${quoteIdent(dbSchema)}."Person"`)} p WHERE p."organizationId" = ${organizationId} AND ${from}`;
        await tx.$executeRaw`DELETE FROM ${candidates} WHERE "organizationId" = ${organizationId} AND ("personId" IN (${changed}) OR "otherId" IN (${changed}))`;
      } else {
        await tx.$executeRaw`DELETE FROM ${candidates} WHERE "organizationId" = ${organizationId}`;
      }
      await tx.$executeRaw`
        INSERT INTO ${candidates} ("organizationId", "personId", "otherId", "score", "reasons", "nameSimilarity")
        SELECT ${organizationId}, a, b, score, reasons, name_similarity FROM (${scoredPairs(dbSchema, organizationId, from, true)}) AS scored
        ON CONFLICT ("personId", "otherId") DO NOTHING`;
      await tx.duplicateScan.upsert({ where: { organizationId }, create: { organizationId, scannedAt: now }, update: { scannedAt: now } });
    },
    // The first scan of a large organisation looks every person up.
    { timeout: 10 * 60_000, maxWait: 60_000 },
  );
}

export interface CandidatePage {
  edges: { cursor: string; node: DuplicatePair }[];
  hasNextPage: boolean;
}

// Ties the cursors to this list and its minScore: a cursor of another minScore is refused.
const cursorSignature = (minScore: number) => `duplicates:${minScore}`;

/**
 * The organisation's likely duplicate pairs, best first (then by ids), a keyset page at a time:
 * each pair once, personId the lower id. The stored pairs are brought up to date first, so a page
 * costs the lookups of the people changed since the last page, not of every person.
 */
export async function duplicateCandidates(
  ctx: ServiceContext,
  { first, after, minScore }: { first: number; after: string | null; minScore: number },
): Promise<CandidatePage> {
  const { prisma, actor, dbSchema } = ctx;
  if (minScore < 0 || minScore > 1) throw new ValidationError([{ path: ['minScore'], message: 'Must be between 0 and 1.' }]);
  const position = after ? decodeCursor(after, cursorSignature(minScore), [{ kind: 'rank' }, { kind: 'id' }, { kind: 'id' }], 'after') : null;
  await scanCandidates(ctx);
  const afterPosition = position
    ? Prisma.sql`AND ("score" < ${position[0]} OR ("score" = ${position[0]} AND ("personId", "otherId") > (${position[1]}::text, ${position[2]}::text)))`
    : Prisma.empty;
  const rows = await prisma.$queryRaw<PairRow[]>`
    SELECT "personId" AS a, "otherId" AS b, "score" AS score, "reasons" AS reasons, "nameSimilarity" AS name_similarity
    FROM ${Prisma.raw(`${quoteIdent(dbSchema)}."DuplicateCandidate"`)} c
    WHERE "organizationId" = ${actor.organizationId} AND "score" >= ${minScore} ${afterPosition}
      AND NOT EXISTS (SELECT 1 FROM ${Prisma.raw(`${quoteIdent(dbSchema)}."DismissedDuplicate"`)} d WHERE d."personId" = c."personId" AND d."otherId" = c."otherId")
    ORDER BY "score" DESC, "personId", "otherId" LIMIT ${first + 1}`;
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
