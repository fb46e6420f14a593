import type { Db } from '../db/prisma.ts';
import { quoteIdent } from '../db/migrate.ts';
import { Prisma } from '../db/prisma.ts';
import { jsonStringLikeLiteral } from '../db/like-pattern.ts';
import { lockRow } from '../db/row-locks.ts';
import type { Person, PersonErasure } from '../generated/prisma/client.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import { requireAdmin, type ServiceContext } from '../shared/actor.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { notePersonDeleted } from '../shared/events.ts';
import { encodeGlobalId } from '../shared/global-ids.ts';
import { recordPersonErased } from '../webhooks/index.ts';
import { suppressContacts } from './suppression.ts';

export const maxErasureReasonLength = 500;

/** What a redacted string reads as, where a value cannot simply be dropped. */
export const erasedText = '[erased]';

/** What a replay of an idempotent request whose saved answer held the person gets instead of it. */
const erasedResponse = JSON.stringify({
  data: null,
  errors: [{ message: 'This request\'s saved answer held data of a person since erased, and was removed.', extensions: { code: 'ERASED' } }],
});

// Other people's events and values are searched as text, the organisation's whole timeline among
// them: in a large organisation, longer than a transaction's default 5 seconds.
const erasureTimeoutMs = 5 * 60_000;

export interface ErasureInput {
  reason: string;
  /** Keep the digests of the person's emails and phones, so that they are not added again (suppression.ts). */
  suppress: boolean;
}

/**
 * Erases a person (GDPR article 17), in one transaction: the person and what hangs on them (notes,
 * values, memberships, tags, projects, company links, avatar, timeline, dismissed duplicates: the
 * foreign keys' cascades), the merges into them, and what names them elsewhere: other people's
 * timeline events and custom-field values, import row errors, saved idempotent answers, and the
 * webhook outbox (their events go; other people's are scrubbed; PERSON_ERASED is queued).
 * What stays is a PersonErasure record (the id, who, when, why) and, with suppress, the digests.
 *
 * The person is locked FOR UPDATE first: every other write of the person (which locks it FOR NO
 * KEY UPDATE, or references it FOR KEY SHARE) either ended before, and its data is found and
 * erased, or waits and then finds no person; none can leave data half-erased.
 */
export async function erasePerson(ctx: ServiceContext, personId: string, { reason, suppress }: ErasureInput): Promise<PersonErasure> {
  const { actor } = ctx;
  requireAdmin(actor);
  const why = reason.trim();
  if (why.length === 0 || why.length > maxErasureReasonLength) {
    throw new ValidationError([{ path: ['reason'], message: `Give a reason of 1 to ${maxErasureReasonLength} characters (it is kept; write no personal data in it).` }]);
  }
  return ctx.prisma.$transaction(async (tx) => {
    if (!(await lockRow(tx, ctx, 'Person', personId, 'FOR UPDATE'))) throw new NotFoundError('Person', personId);
    const person = await tx.person.findUniqueOrThrow({ where: { id: personId } });
    const scrubber = new Scrubber(identifyingValues(person));
    const table = (name: string) => Prisma.raw(`${quoteIdent(ctx.dbSchema)}.${quoteIdent(name)}`);
    const patterns = scrubber.likePatterns();

    // Other people's timeline events and values that name the person (a CONTACT value, a merge's ids).
    const events = await tx.$queryRaw<{ id: string; data: unknown }[]>`
      SELECT "id", "data" FROM ${table('TimelineEvent')}
      WHERE "organizationId" = ${actor.organizationId} AND "personId" <> ${personId} AND "data"::text ILIKE ANY(${patterns})`;
    for (const event of events) {
      await tx.timelineEvent.update({ where: { id: event.id }, data: { data: scrubber.scrub(event.data) as InputJsonValue } });
    }
    const values = await tx.$queryRaw<{ personId: string; fieldId: string; value: unknown }[]>`
      SELECT "personId", "fieldId", "value" FROM ${table('PersonFieldValue')}
      WHERE "organizationId" = ${actor.organizationId} AND "personId" <> ${personId} AND "value"::text ILIKE ANY(${patterns})`;
    for (const value of values) {
      const where = { personId_fieldId: { personId: value.personId, fieldId: value.fieldId } };
      const scrubbed = scrubber.scrub(value.value);
      // A list that named only this person (a CONTACT value) is no value any more.
      if (Array.isArray(scrubbed) && scrubbed.length === 0) await tx.personFieldValue.delete({ where });
      else await tx.personFieldValue.update({ where, data: { value: scrubbed as InputJsonValue } });
    }
    const imports = await tx.$queryRaw<{ id: string; rowErrors: unknown }[]>`
      SELECT "id", "rowErrors" FROM ${table('Import')}
      WHERE "organizationId" = ${actor.organizationId} AND "rowErrors"::text ILIKE ANY(${patterns})`;
    for (const record of imports) {
      await tx.import.update({ where: { id: record.id }, data: { rowErrors: scrubber.scrub(record.rowErrors) as InputJsonValue } });
    }
    // Other people's webhook events, queued or delivered, hold copies of their timeline events' data.
    const webhookEvents = await tx.$queryRaw<{ id: string; data: unknown }[]>`
      SELECT "id", "data" FROM ${table('WebhookEvent')}
      WHERE "organizationId" = ${actor.organizationId} AND "personId" <> ${personId} AND "data"::text ILIKE ANY(${patterns})`;
    for (const event of webhookEvents) {
      await tx.webhookEvent.update({ where: { id: event.id }, data: { data: scrubber.scrub(event.data) as InputJsonValue } });
    }
    await recordPersonErased(tx, ctx, personId);
    // A merge into the person holds the merged-away people's ids and choices: the person's own story.
    await tx.merge.deleteMany({ where: { organizationId: actor.organizationId, OR: [{ primaryId: personId }, { mergedIds: { has: personId } }] } });
    // Replaced, not deleted: a retry with the key gets this answer and is not run a second time.
    await tx.$executeRaw`
      UPDATE ${table('IdempotencyKey')} SET "response" = ${erasedResponse}
      WHERE "organizationId" = ${actor.organizationId} AND "response" ILIKE ANY(${patterns})`;
    if (suppress) await suppressContacts(tx, actor, person);
    await tx.person.delete({ where: { id: personId } });
    const erasure = await tx.personErasure.create({
      data: { organizationId: actor.organizationId, personId, actorId: actor.userId, reason: why, suppressed: suppress },
    });
    notePersonDeleted(tx, actor, personId);
    return erasure;
  }, { timeout: erasureTimeoutMs });
}

/**
 * The values by which data elsewhere names the person: their ids (database and global), emails,
 * phones, identifiers from other systems, and full name. Free text (a note on someone else) is
 * not searched: see docs/personal-data.md.
 */
function identifyingValues(person: Person): string[] {
  const fullName = person.fullName ?? [person.givenName, person.additionalName, person.familyName].filter(Boolean).join(' ');
  const values = [
    person.id,
    encodeGlobalId('Person', person.id),
    ...person.emails,
    ...person.phones,
    person.linkedinId,
    person.externalId,
    person.customerId,
    fullName,
  ];
  // Very short values (an id of "7", initials) would match far more than this person.
  return [...new Set(values.filter((value): value is string => value != null && value.trim().length >= 4).map((value) => value.toLowerCase()))];
}

/** Removes the person's values from JSON: a list drops the items that hold one, any other string holding one reads erasedText. */
class Scrubber {
  constructor(private readonly values: readonly string[]) {}

  likePatterns(): string[] {
    return this.values.map((value) => `%${jsonStringLikeLiteral(value)}%`);
  }

  private names(text: string): boolean {
    const lower = text.toLowerCase();
    return this.values.some((value) => lower.includes(value));
  }

  scrub(value: unknown): unknown {
    if (typeof value === 'string') return this.names(value) ? erasedText : value;
    if (Array.isArray(value)) return value.filter((item) => typeof item !== 'string' || !this.names(item)).map((item) => this.scrub(item));
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.scrub(item)]));
    }
    return value;
  }
}
