import type { Db } from '../db/prisma.ts';
import { discardNotedSince, notedSoFar } from '../db/after-commit.ts';
import type { Import, Person, Tag } from '../generated/prisma/client.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import { type Actor, requireWriter, type ServiceContext } from '../shared/actor.ts';
import { DomainError, type FieldIssue, IssueList, notInOrganisation, ShuttingDownError, ValidationError } from '../shared/errors.ts';
import { checkGroupsExist } from '../fields/index.ts';
import { bulkFields, insertPlainPeople, isPlain, type PlainPerson, preparePlain, refKey } from './import-bulk.ts';
import { changePerson, insertPerson, type PersonInput, planPersonWrite } from '../people/index.ts';
import { writePersonTags } from '../tags/index.ts';
import { PendingEvents, recordPending } from '../timeline/index.ts';
import { nextVersion } from '../db/versions.ts';
import { findSuppressed, suppressedRowMessage } from '../privacy/index.ts';
import { addedTo, batchesOf, changesNothing, findMatches, type ImportMatchKey, type ImportRow, unite } from './row-matching.ts';

export type { ImportMatchKey, ImportRow } from './row-matching.ts';

/** Far above the 10,000 rows an import must take, and still a bound on one request's work. */
export const maxImportRows = 50_000;

/** A dry run is one transaction over every row, rolled back; this bounds how long it may hold it. */
const dryRunTimeoutMs = 10 * 60_000;

/**
 * How often a running import refreshes its heartbeatAt, so that other instances can tell it from
 * one whose process died (see markAbandonedImports); well under IMPORT_STALE_AFTER_MS.
 */
export const importHeartbeatMs = 10_000;

/** The imports this process is running: never abandoned, whatever their heartbeat says. */
const runningHere = new Set<string>();

export interface ImportOptions {
  /** Keys tried in this order; the first a row has that finds a person decides. Empty: every row creates. */
  matchOn: readonly ImportMatchKey[];
  tagIds: readonly string[];
  groupIds: readonly string[];
  dryRun: boolean;
  /** Write rows with an email or phone suppressed by an erasure (src/privacy); otherwise each fails. */
  allowSuppressed?: boolean;
  /**
   * Aborted when the server shuts down: the import stops before its next batch and is marked
   * INTERRUPTED with the rows it committed.
   */
  signal?: AbortSignal;
}

export interface ImportRowError {
  row: number;
  errors: FieldIssue[];
}

type RowOutcome = 'CREATED' | 'UPDATED' | 'UNCHANGED' | ImportRowError;

interface Tally {
  totalRows: number;
  createdCount: number;
  updatedCount: number;
  unchangedCount: number;
  failedCount: number;
  rowErrors: ImportRowError[];
}

/** Rolls a dry run's transaction back once every row has been tried. */
class DryRunRollback extends Error {}

/**
 * Imports people (seed 000's imports): a row that matches a person updates them, any other
 * creates one. Rows are read from `rows` as they come (a CSV streams) and applied in batches, each
 * row atomic: a bad row is reported with its number and problems while good rows are applied. The
 * Import record keeps the counts and row errors, saved with each batch. A dry run applies every
 * batch inside one transaction and rolls it back: the counts are exact, people are untouched, and
 * only the Import record (dryRun: true) remains.
 */
export async function importPeople(
  { prisma, actor, dbSchema }: ServiceContext,
  rows: AsyncIterable<ImportRow> | Iterable<ImportRow>,
  options: ImportOptions,
): Promise<Import> {
  requireWriter(actor);
  const tags = await checkOptions(prisma, actor, options);
  const record = await prisma.import.create({
    data: { organizationId: actor.organizationId, actorId: actor.userId, dryRun: options.dryRun },
  });
  let tally: Tally = { totalRows: 0, createdCount: 0, updatedCount: 0, unchangedCount: 0, failedCount: 0, rowErrors: [] };
  const context: BatchContext = { actor, dbSchema, options, tags, importId: record.id };
  const batches = batchesOf(rows, options.matchOn);
  const stopIfShuttingDown = () => {
    if (options.signal?.aborted) {
      throw new ShuttingDownError(
        `The server is shutting down: the import stopped after ${tally.totalRows} rows, which are committed; it is INTERRUPTED (see imports).`,
      );
    }
  };
  // Errors are ignored: a heartbeat that fails now and then only makes the import look older.
  const heartbeat = setInterval(() => {
    prisma.import.update({ where: { id: record.id }, data: { heartbeatAt: new Date() } }).catch(() => {});
  }, importHeartbeatMs);
  heartbeat.unref();
  runningHere.add(record.id);
  try {
    if (options.dryRun) {
      await prisma
        .$transaction(
          async (tx) => {
            for await (const batch of batches) {
              stopIfShuttingDown();
              tally = countBatch(tally, await applyBatch(tx, batch, context));
            }
            throw new DryRunRollback();
          },
          { timeout: dryRunTimeoutMs },
        )
        .catch((error: unknown) => {
          if (!(error instanceof DryRunRollback)) throw error;
        });
    } else {
      for await (const batch of batches) {
        // Between batches: what is committed stays, and the next batch does not begin.
        stopIfShuttingDown();
        // Counted once the batch is applied and saved with it: the record never counts rows that
        // a failed batch rolled back.
        tally = await prisma.$transaction(async (tx) => {
          const next = countBatch(tally, await applyBatch(tx, batch, context));
          await tx.import.update({ where: { id: record.id }, data: { ...tallyData(next), heartbeatAt: new Date() } });
          return next;
        });
      }
    }
  } catch (error) {
    const status = options.signal?.aborted ? 'INTERRUPTED' : 'FAILED';
    await prisma.import.update({ where: { id: record.id }, data: { ...tallyData(tally), status, finishedAt: new Date() } });
    throw error;
  } finally {
    clearInterval(heartbeat);
    runningHere.delete(record.id);
  }
  return prisma.import.update({
    where: { id: record.id },
    data: { ...tallyData(tally), status: 'COMPLETED', finishedAt: new Date() },
  });
}

/**
 * Marks INTERRUPTED the imports this process is still running, at the end of a shutdown, once
 * their connections are cut (the batch in flight rolled back): an import that could not record
 * itself is not left RUNNING. The counts are those of the last batch committed.
 */
export async function interruptImportsRunningHere(db: Db): Promise<number> {
  if (runningHere.size === 0) return 0;
  const { count } = await db.import.updateMany({
    where: { status: 'RUNNING', id: { in: [...runningHere] } },
    data: { status: 'INTERRUPTED', finishedAt: new Date() },
  });
  return count;
}

/**
 * Marks INTERRUPTED the imports left RUNNING by a process that died (killed, crashed, its host
 * gone): those whose heartbeat is older than `staleBefore`. A live import refreshes its heartbeat
 * every importHeartbeatMs, so with several instances on one database each may run this without
 * touching another's imports. The counts are those of the last batch committed.
 */
export async function markAbandonedImports(db: Db, staleBefore: Date): Promise<number> {
  const { count } = await db.import.updateMany({
    where: { status: 'RUNNING', heartbeatAt: { lt: staleBefore }, id: { notIn: [...runningHere] } },
    data: { status: 'INTERRUPTED', finishedAt: new Date() },
  });
  return count;
}

interface BatchContext {
  actor: Actor;
  dbSchema: string;
  options: ImportOptions;
  tags: readonly Tag[];
  importId: string;
}


/**
 * Applies one batch inside the caller's transaction. Rows that create a person from plain fields
 * and plain custom-field values (the bulk of a large import) are checked in memory and inserted
 * together, a handful of statements for the whole batch; the others are applied one by one, each
 * in a savepoint.
 */
async function applyBatch(tx: Db, batch: readonly ImportRow[], context: BatchContext): Promise<RowOutcome[]> {
  const matches = await findMatches(tx, context, batch, context.options.matchOn);
  const fields = await bulkFields(tx, context.actor, batch);
  const suppressed = await suppressedRows(tx, batch, context);
  const outcomes: RowOutcome[] = [];
  const plain: PlainPerson[] = [];
  for (const row of batch) {
    if ('issues' in row) {
      outcomes.push({ row: row.row, errors: withinRow(row.issues) });
      continue;
    }
    const suppressedAt = suppressed.get(row);
    if (suppressedAt) {
      outcomes.push({ row: row.row, errors: [{ path: suppressedAt, message: suppressedRowMessage }] });
      continue;
    }
    const match = matches.get(row) ?? null;
    if (match instanceof ValidationError) {
      outcomes.push(rowError(row.row, match));
    } else if (match && isPlain(row.input) && !row.input.fields?.length && !context.tags.length && !context.options.groupIds.length && changesNothing(match, row.input)) {
      // The common case of importing a file again, settled without a statement.
      outcomes.push('UNCHANGED');
    } else if (!match && isPlain(row.input) && (row.input.fields ?? []).every((entry) => fields.has(refKey(entry.field)))) {
      try {
        plain.push({ ...preparePlain(row.input, fields), row: row.row });
        outcomes.push('CREATED');
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        outcomes.push(rowError(row.row, error));
      }
    } else {
      outcomes.push(await applyRow(tx, row.row, row.input, match, context));
    }
  }
  await insertPlainPeople(tx, plain, { actor: context.actor, groupIds: context.options.groupIds, tags: context.tags, importId: context.importId });
  return outcomes;
}

/** The batch's rows that carry an email or phone suppressed by an erasure, with where: one lookup for the batch. */
async function suppressedRows(tx: Db, batch: readonly ImportRow[], { actor, options }: BatchContext): Promise<Map<ImportRow, string[]>> {
  if (options.allowSuppressed) return new Map();
  const valid = batch.filter((row): row is Extract<ImportRow, { input: PersonInput }> => 'input' in row);
  const paths = await findSuppressed(tx, actor, valid.map((row) => row.input));
  return new Map(valid.flatMap((row, index) => (paths[index] ? [[row, paths[index]] as const] : [])));
}

/** One row, atomic: a savepoint undoes everything it wrote when it fails. */
async function applyRow(tx: Db, row: number, input: PersonInput, match: Person | null, context: BatchContext): Promise<RowOutcome> {
  await tx.$executeRawUnsafe('SAVEPOINT import_row');
  const noted = notedSoFar(tx);
  try {
    const outcome = await writeRow(tx, row, input, match, context);
    await tx.$executeRawUnsafe('RELEASE SAVEPOINT import_row');
    return outcome;
  } catch (error) {
    // Only expected failures make a row error; anything else stops the import.
    if (!(error instanceof DomainError)) throw error;
    await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT import_row');
    discardNotedSince(tx, noted);
    return error instanceof ValidationError ? rowError(row, error) : { row, errors: [{ path: [], message: error.message }] };
  }
}

/**
 * A row runs the write and record steps of a person write (people/person-service.ts): a match is
 * changed as updatePerson would (with what the row lists added to what the person has), any other
 * row creates a person; the import's tags are added through the tags domain, and IMPORTED closes
 * the row's events.
 */
async function writeRow(tx: Db, row: number, input: PersonInput, match: Person | null, context: BatchContext): Promise<RowOutcome> {
  const { actor, options, tags, importId } = context;
  // A row's id is the person's id: it names the person the row creates, or the one it matches.
  if (input.id && match && match.id !== input.id) {
    throw new ValidationError([{ path: ['id'], message: 'The row matches another person than its id names (by a later key of matchOn).' }]);
  }
  const importedAt = new Date();
  const events = new PendingEvents();
  let personId: string;
  let outcome: 'CREATED' | 'UPDATED' | 'UNCHANGED';
  if (match) {
    const plan = planPersonWrite(await addedTo(tx, match, input, options.groupIds), 'update');
    const { changed } = await changePerson(tx, context, match.id, plan, events);
    personId = match.id;
    outcome = changed ? 'UPDATED' : 'UNCHANGED';
  } else {
    const plan = planPersonWrite({ ...input, groups: unite(input.groups ?? [], options.groupIds) }, 'create');
    personId = (await insertPerson(tx, context, plan, events, { importedAt })).id;
    outcome = 'CREATED';
  }
  // The import's tags are added to those the person has, without a value (checkOptions made sure none needs one).
  const tagIds = tags.map((tag) => tag.id);
  if ((await writePersonTags(tx, context, personId, tagIds, events, { keepOthers: true })) && outcome === 'UNCHANGED') outcome = 'UPDATED';
  if (outcome === 'UNCHANGED') return outcome;
  if (outcome === 'UPDATED') await tx.person.update({ where: { id: personId }, data: { importedAt, ...nextVersion } });
  // The row number lets Import.people list the import's people in row order (imported-people.ts).
  events.add(personId, 'IMPORTED', { importId, row, result: outcome });
  await recordPending(tx, actor, events);
  return outcome;
}

function rowError(row: number, error: ValidationError): ImportRowError {
  return { row, errors: withinRow(error.issues) };
}

/** A row's problems with paths inside the row: ["emails", "1"], not ["input", "emails", "1"]. */
function withinRow(issues: readonly FieldIssue[]): FieldIssue[] {
  return issues.map((issue) => ({ ...issue, path: issue.path[0] === 'input' ? issue.path.slice(1) : issue.path }));
}

/** The tally with a batch's outcomes added. */
function countBatch(tally: Tally, outcomes: readonly RowOutcome[]): Tally {
  const next = { ...tally, rowErrors: [...tally.rowErrors] };
  for (const outcome of outcomes) count(next, outcome);
  return next;
}

function count(tally: Tally, outcome: RowOutcome): void {
  tally.totalRows++;
  if (outcome === 'CREATED') tally.createdCount++;
  else if (outcome === 'UPDATED') tally.updatedCount++;
  else if (outcome === 'UNCHANGED') tally.unchangedCount++;
  else {
    tally.failedCount++;
    tally.rowErrors.push(outcome);
  }
}

function tallyData({ rowErrors, ...counts }: Tally) {
  return { ...counts, rowErrors: rowErrors as unknown as InputJsonValue };
}

/** The tags and groups every row gets must be this organisation's; tags are added without a value. */
async function checkOptions(db: Db, actor: Actor, options: ImportOptions): Promise<Tag[]> {
  const issues = new IssueList();
  options.matchOn.forEach((key, index) => {
    if (options.matchOn.indexOf(key) !== index) issues.add(['input', 'matchOn', String(index)], `${key} is listed twice.`);
  });
  const tags = await db.tag.findMany({ where: { id: { in: [...options.tagIds] }, organizationId: actor.organizationId } });
  options.tagIds.forEach((tagId, index) => {
    const tag = tags.find((candidate) => candidate.id === tagId);
    const path = ['input', 'tagIds', String(index)];
    if (!tag) issues.add(path, notInOrganisation('Tag', tagId, 'tag'));
    else if (tag.valueType !== null) issues.add(path, `The tag "${tag.title}" needs a ${tag.valueType} value; an import adds tags without one.`);
    if (options.tagIds.indexOf(tagId) !== index) issues.add(path, 'This tag is listed twice.');
  });
  await checkGroupsExist(db, actor, issues, ['input', 'groupIds'], options.groupIds);
  issues.throwIfAny();
  return tags;
}
