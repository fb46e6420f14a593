import { builder } from '../../graphql/builder.ts';
import { organizationOf, serviceContext } from '../../graphql/context.ts';
import { IssueList, ValidationError } from '../../shared/errors.ts';
import { csvColumnNames, maxCsvBytes, readImportCsv } from '../import-csv.ts';
import { textIssues } from '../../shared/text-values.ts';
import {
  type ImportMatchKey,
  type ImportOptions,
  importPeople,
  type ImportRow,
  type ImportRowError,
  maxImportRows,
} from '../import-service.ts';
import { FieldError, mutationResult, payloadQuery } from '../../graphql/errors.ts';
import { inputId } from '../../graphql/ids.ts';
import { inputLimits } from '../../graphql/input-limits.ts';
import { defaultPageSize } from '../../graphql/pagination.ts';
import { Person, type PersonInputArg, personInputFields, toPersonInput } from '../../people/index.ts';
import { asUserInputError } from '../../graphql/connections.ts';
import { type ImportedPerson, importedPeople } from '../imported-people.ts';

const ImportStatusEnum = builder.enumType('ImportStatus', {
  values: {
    RUNNING: { description: 'Rows are being applied; the counts grow as each batch of rows commits.' },
    COMPLETED: { description: 'Every row was tried; failed rows are in rowErrors.' },
    FAILED: { description: 'Stopped by an unexpected error: the counts say what was applied before it.' },
    INTERRUPTED: {
      description:
        'Stopped by a server shutdown, or left running by a server that died: the counts say what was committed ' +
        '(in batches of 500 rows); the rows after them were not applied.',
    },
  },
});

const importMatchKeyCount = 3;

const ImportMatchKeyEnum = builder.enumType('ImportMatchKey', {
  description: 'How a row finds the person it updates.',
  values: {
    ID: {
      value: 'ID',
      description: "The row's id (a UUID, or the Person id of one) is the person's. A row whose id names no one and matches no one by a later key creates the person with that id.",
    },
    EXTERNAL_ID: { value: 'EXTERNAL_ID', description: 'The same externalId.' },
    EMAIL: { value: 'EMAIL', description: 'Any of the row\'s emails among the person\'s (whatever its case).' },
  } satisfies Record<ImportMatchKey, { value: ImportMatchKey; description: string }>,
});

const ImportRowErrorRef = builder.objectRef<ImportRowError>('ImportRowError').implement({
  description: 'A row that was not applied, and why; nothing of it was written.',
  fields: (t) => ({
    row: t.exposeInt('row', { description: 'The row number, from 1 (in a CSV, the first line after the header).' }),
    errors: t.field({
      type: [FieldError],
      description: 'Paths are inside the row, e.g. ["emails", "1"]; an empty path is about the whole row.',
      resolve: (error) => error.errors,
    }),
  }),
});

const ImportResultEnum = builder.enumType('ImportResult', {
  description: 'What a row of an import did to the person it wrote.',
  values: {
    CREATED: { description: 'The row created the person.' },
    UPDATED: { description: 'The row changed the person it matched.' },
  } satisfies Record<ImportedPerson['result'], { description: string }>,
});

const ImportedPersonRef = builder.objectRef<ImportedPerson>('ImportedPerson').implement({
  description: 'A row of an import that wrote a person; ask the person for possibleDuplicates to review them before they spread.',
  fields: (t) => ({
    row: t.exposeInt('row', { description: 'The row number, from 1 (in a CSV, the first line after the header).' }),
    result: t.field({ type: ImportResultEnum, resolve: (imported) => imported.result }),
    person: t.loadable({
      type: Person,
      nullable: true,
      description: 'The person the row wrote; after a merge, the person they were merged into.',
      load: async (ids: string[], ctx) => {
        const people = await ctx.prisma.person.findMany({ where: { id: { in: ids }, organizationId: organizationOf(ctx) } });
        const byId = new Map(people.map((person) => [person.id, person]));
        return ids.map((id) => byId.get(id) ?? null);
      },
      resolve: (imported) => imported.personId,
    }),
  }),
});

export const Import = builder.prismaNode('Import', {
  description: 'An import of people (seed 000), with what it did to each row.',
  id: { field: 'id' },
  // node(id) answers null, not an error, for an id that is not (or not yours).
  nullable: true,
  findUnique: (id, ctx) => ({ id, organizationId: organizationOf(ctx) }),
  fields: (t) => ({
    status: t.field({ type: ImportStatusEnum, resolve: (record) => record.status }),
    dryRun: t.exposeBoolean('dryRun', { description: 'A dry run wrote no person; only this record remains.' }),
    totalRows: t.exposeInt('totalRows', { description: 'Rows tried so far.' }),
    createdCount: t.exposeInt('createdCount', { description: 'Rows that created a person.' }),
    updatedCount: t.exposeInt('updatedCount', { description: 'Rows that changed the person they matched.' }),
    unchangedCount: t.exposeInt('unchangedCount', { description: 'Rows that matched a person and changed nothing.' }),
    failedCount: t.exposeInt('failedCount', { description: 'Rows not applied; see rowErrors.' }),
    rowErrors: t.field({
      type: [ImportRowErrorRef],
      select: { rowErrors: true },
      resolve: (record) => record.rowErrors as unknown as ImportRowError[],
    }),
    people: t.connection(
      {
        type: ImportedPersonRef,
        description:
          'The rows that created or changed a person, in row order, with the person each wrote (and so their possibleDuplicates). ' +
          'Rows that failed or changed nothing are not here; a dry run has none. Forward pages only (first, after).',
        extensions: { cursorForm: 'keyset' },
        resolve: async (record, args, ctx) => {
          try {
            if (args.last != null || args.before != null) {
              throw new ValidationError([{ path: ['last'], message: 'Read this list forwards: first and after.' }]);
            }
            const page = await importedPeople(serviceContext(ctx), record.id, { first: args.first ?? defaultPageSize, after: args.after ?? null });
            return {
              edges: page.edges,
              pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: args.after != null, startCursor: page.edges[0]?.cursor ?? null, endCursor: page.edges.at(-1)?.cursor ?? null },
            };
          } catch (error) {
            return asUserInputError(error);
          }
        },
      },
    ),
    actor: t.relation('actor', { nullable: true, description: 'Who imported; null once that user is deleted.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
  }),
});

const ImportRowInput = builder.inputType('ImportRowInput', {
  description: [
    'A row of an import. A row that matches no one creates a person (familyName is then required), like createPerson.',
    'A row that matches a person updates them like updatePerson (absent fields are kept), except that emails, phones,',
    'urls, addresses, companies and groups are added to the person\'s, theirs first, rather than replacing them.',
  ].join(' '),
  fields: (t) => ({
    id: t.id({
      description:
        "The person's id, a UUID or the Person id of one: the person the row matches (matchOn ID), or the id of the person it creates (one already taken fails the row). A row matching someone else by a later key fails.",
    }),
    familyName: t.string({ description: 'Required when the row creates a person; at most 500 characters.' }),
    ...personInputFields(t),
  }),
});

const ImportPeopleInput = builder.inputType('ImportPeopleInput', {
  description: `The rows, given either as \`rows\` or as a CSV \`file\`; at most ${maxImportRows} of them.`,
  fields: (t) => ({
    rows: t.field({ type: [ImportRowInput], description: 'The rows as GraphQL input.' }),
    file: t.field({
      type: 'File',
      description:
        'A CSV upload (UTF-8, comma-separated, a header line, at most 20 MB). Columns, named in any case or with spaces or ' +
        `underscores: ${csvColumnNames.join(', ')}. List columns (emails, phones, urls, addresses, companies by name, ` +
        'groups by id) may repeat, one item per cell; the singular names (email, phone...) work too. A field:<slug> cell ' +
        'holding a JSON list or object is that JSON (multiple selects, contacts); any other cell is text. An empty cell ' +
        'gives nothing: a matched person keeps that field.',
    }),
    matchOn: t.field({
      type: [ImportMatchKeyEnum],
      defaultValue: ['ID', 'EXTERNAL_ID', 'EMAIL'],
      description: 'The keys that find an existing person, tried in this order. An empty list creates a person for every row.',
    }),
    tagIds: t.idList({ defaultValue: [], description: `Tags (without a value type) added to every person imported; at most ${inputLimits.listItems}.` }),
    groupIds: t.idList({ defaultValue: [], description: `Groups every person imported joins, as MEMBER when new to them; at most ${inputLimits.listItems}.` }),
    dryRun: t.boolean({
      defaultValue: false,
      description: 'Try every row and count what would happen, writing no person: only the Import record is kept.',
    }),
    allowSuppressed: t.boolean({
      defaultValue: false,
      description: 'Write rows whose email or phone was suppressed when someone was erased (docs/personal-data.md); without it each such row fails.',
    }),
  }),
});

type ImportPeopleArg = typeof ImportPeopleInput.$inferInput;

function toImportOptions(input: ImportPeopleArg): ImportOptions {
  const issues = new IssueList();
  // Bounded before anything is read: 100,000 tag ids would reach SQL as as many parameters.
  const atMost = <T>(list: readonly T[] | null | undefined, name: string, max: number, noun: string): readonly T[] => {
    if (!list || list.length <= max) return list ?? [];
    issues.add(['input', name], `At most ${max} ${noun} (got ${list.length}).`);
    return [];
  };
  const options = {
    matchOn: atMost(input.matchOn, 'matchOn', importMatchKeyCount, 'keys, each once') as ImportMatchKey[],
    tagIds: atMost(input.tagIds, 'tagIds', inputLimits.listItems, 'tags').map((id, index) => inputId(issues, ['input', 'tagIds', String(index)], id, 'Tag')),
    groupIds: atMost(input.groupIds, 'groupIds', inputLimits.listItems, 'groups').map((id, index) =>
      inputId(issues, ['input', 'groupIds', String(index)], id, 'Group'),
    ),
    dryRun: input.dryRun ?? false,
    allowSuppressed: input.allowSuppressed ?? false,
  };
  if ((input.rows == null) === (input.file == null)) issues.add(['input'], 'Give the rows either as `rows` or as a CSV `file`.');
  if (input.rows && input.rows.length > maxImportRows) {
    issues.add(['input', 'rows'], `At most ${maxImportRows} rows in one import (got ${input.rows.length}).`);
  }
  if (input.file && input.file.size > maxCsvBytes) {
    issues.add(['input', 'file'], `The file is ${input.file.size} bytes; at most ${maxCsvBytes}.`);
  }
  issues.throwIfAny();
  return options;
}

/**
 * A row's ids decoded; problems become the row's errors rather than failing the import. Text the
 * database cannot store (U+0000, a lone surrogate) fails the row here, before it is applied.
 */
function toImportRow(row: number, arg: PersonInputArg): ImportRow {
  const badText = textIssues(arg);
  if (badText.length > 0) return { row, issues: badText };
  try {
    return { row, input: toPersonInput(arg) };
  } catch (error) {
    if (error instanceof ValidationError) return { row, issues: error.issues };
    throw error;
  }
}

async function* csvRows(file: File): AsyncGenerator<ImportRow> {
  for await (const { row, values, issues } of readImportCsv(file.stream(), maxImportRows)) {
    yield issues.length > 0 ? { row, issues } : toImportRow(row, values as PersonInputArg);
  }
}

/** Reads the whole file once before anything is written, so broken CSV fails the import whole. */
async function checkCsv(file: File): Promise<void> {
  for await (const _row of readImportCsv(file.stream(), maxImportRows));
}

builder.mutationField('importPeople', (t) =>
  t.prismaField({
    type: 'Import',
    description: [
      'Imports people (seed 000), from `rows` or a CSV `file`. Each row is validated like createPerson and applied on its own:',
      'bad rows are reported in rowErrors with their number while good rows are applied. A row matching a person (matchOn)',
      'updates them (see ImportRowInput); two people matching one row is an error for that row. Every person created or',
      'changed gets an IMPORTED timeline event and importedAt. Rows commit in batches of 500, so `imports` shows progress.',
      'A bad input (unknown tags or groups, no rows, broken CSV or unknown columns) fails the whole import and writes nothing.',
    ].join(' '),
    errors: mutationResult('ImportPeople', 'import'),
    args: { input: t.arg({ type: ImportPeopleInput, required: true }) },
    // Each row's text is checked with the row (toImportRow), so that a bad row fails alone.
    extensions: { textCheckedByResolver: ['input.rows'] },
    resolve: async (query, _root, { input }, ctx) => {
      const options = toImportOptions(input);
      if (input.file) await checkCsv(input.file);
      const rows = input.file ? csvRows(input.file) : input.rows!.map((row, index) => toImportRow(index + 1, row));
      const record = await importPeople(serviceContext(ctx), rows, { ...options, signal: ctx.shutdown });
      return ctx.prisma.import.findUniqueOrThrow({ ...payloadQuery(query), where: { id: record.id } });
    },
  }),
);

builder.queryField('imports', (t) =>
  t.prismaConnection({
    type: 'Import',
    cursor: 'id',
    description: 'The imports made in your organisation, newest first.',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.import.findMany({ ...query, where: { organizationId: organizationOf(ctx) }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
    totalCount: (_root, _args, ctx) => ctx.prisma.import.count({ where: { organizationId: organizationOf(ctx) } }),
  }),
);
