import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import { type CsvRecord, CsvSyntaxError, readCsv } from './csv.ts';
import { type FieldIssue, ValidationError } from '../shared/errors.ts';
import { numberFields, textFields } from '../people/index.ts';
import { textIssues, textProblem } from '../shared/text-values.ts';
import { parseCalendarDate } from '../shared/validation.ts';

/**
 * A CSV row as an import row: the same shape as the GraphQL ImportRowInput (ids still global), so
 * both forms of an import are checked by one path.
 */
export interface CsvPersonRow {
  [text: string]: unknown;
  birthday?: Date;
  isTracked?: boolean;
  suspended?: boolean;
  emails?: string[];
  phones?: string[];
  urls?: string[];
  addresses?: string[];
  companies?: { name: string }[];
  groups?: string[];
  fields?: { field: string; value: InputJsonValue }[];
}

export { maxCsvBytes } from '../graphql/input-limits.ts';

export type CsvRow = { row: number; values: CsvPersonRow; issues: FieldIssue[] };

const textColumns = Object.keys(textFields) as (keyof typeof textFields)[];
const booleanColumns = ['isTracked', 'suspended'] as const;
const integerColumns = numberFields;
/** List columns may repeat (email, email, ...); each non-empty cell is one item. */
const listColumns = { emails: 'email', phones: 'phone', urls: 'url', addresses: 'address', companies: 'company', groups: 'group' } as const;
const fieldPrefix = 'field:';

type Column =
  | { kind: 'text' | 'boolean' | 'integer' | 'date'; name: string }
  | { kind: 'list'; name: keyof typeof listColumns }
  | { kind: 'field'; name: string };

/** "Family name", "family_name" and "familyName" all name the same column. */
function normalise(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]/g, '');
}

const columnsByHeader = new Map<string, Column>([
  ...textColumns.map((name) => [normalise(name), { kind: 'text', name }] as const),
  ...booleanColumns.map((name) => [normalise(name), { kind: 'boolean', name }] as const),
  ...integerColumns.map((name) => [normalise(name), { kind: 'integer', name }] as const),
  ['birthday', { kind: 'date', name: 'birthday' }],
  // The person's id, a UUID or the Person id of one (ImportRowInput.id).
  ['id', { kind: 'text', name: 'id' }],
  ...Object.entries(listColumns).flatMap(([plural, singular]) => [
    [plural, { kind: 'list', name: plural as keyof typeof listColumns }] as const,
    [singular, { kind: 'list', name: plural as keyof typeof listColumns }] as const,
  ]),
]);

/** The column names a header may use, for the README and for error messages. */
export const csvColumnNames = ['id', ...textColumns, ...booleanColumns, ...integerColumns, 'birthday', ...Object.keys(listColumns), `${fieldPrefix}<slug>`];

function readHeader(cells: string[]): Column[] {
  const issues: FieldIssue[] = [];
  const seen = new Set<string>();
  const columns = cells.map((raw, index): Column => {
    const header = raw.trim();
    const path = ['input', 'file', 'columns', String(index)];
    if (header.toLowerCase().startsWith(fieldPrefix)) {
      const slug = header.slice(fieldPrefix.length).trim();
      if (slug === '') issues.push({ path, message: `Column ${index + 1}: "${fieldPrefix}" needs a field id or slug after it.` });
      if (seen.has(`field ${slug}`)) issues.push({ path, message: `Column ${index + 1}: field "${slug}" has two columns.` });
      seen.add(`field ${slug}`);
      return { kind: 'field', name: slug };
    }
    const column = columnsByHeader.get(normalise(header));
    if (!column) {
      issues.push({ path, message: `Column ${index + 1}: unknown column "${header}". Known: ${csvColumnNames.join(', ')}.` });
      return { kind: 'text', name: header };
    }
    if (column.kind !== 'list' && seen.has(column.name)) issues.push({ path, message: `Column ${index + 1}: "${header}" appears twice.` });
    seen.add(column.name);
    return column;
  });
  if (issues.length > 0) throw new ValidationError(issues);
  return columns;
}

function readRecord(columns: Column[], record: CsvRecord, row: number): CsvRow {
  const values: CsvPersonRow = {};
  const issues: FieldIssue[] = [];
  if (record.cells.length !== columns.length) {
    issues.push({ path: [], message: `Line ${record.line} has ${record.cells.length} cells; the header has ${columns.length}.` });
    return { row, values, issues };
  }
  columns.forEach((column, index) => {
    const cell = record.cells[index]!.trim();
    // An empty cell says nothing: a matched person keeps that field.
    if (cell === '') return;
    const fail = (message: string) => issues.push({ path: [column.name], message });
    // Text the database cannot store fails the row (and is never quoted in a message).
    const badText = textProblem(cell);
    if (badText) {
      fail(badText);
      return;
    }
    switch (column.kind) {
      case 'text':
        values[column.name] = cell;
        return;
      case 'boolean': {
        const value = parseBoolean(cell);
        if (value === undefined) fail(`Must be true or false (also yes/no, 1/0), got "${cell}".`);
        else values[column.name] = value;
        return;
      }
      case 'integer':
        if (!/^-?\d+$/.test(cell) || !Number.isSafeInteger(Number(cell))) fail(`Must be a whole number, got "${cell}".`);
        else values[column.name] = Number(cell);
        return;
      case 'date': {
        const date = parseCalendarDate(cell);
        if (!date) fail(`Must be a real date as YYYY-MM-DD, got "${cell}".`);
        else values.birthday = date;
        return;
      }
      case 'list':
        if (column.name === 'companies') (values.companies ??= []).push({ name: cell });
        else (values[column.name] ??= []).push(cell);
        return;
      case 'field': {
        // JSON escapes (\u0000, \ud800) can make what the cell itself does not hold.
        const value = fieldValue(cell);
        const badJson = textIssues(value, [column.name]);
        if (badJson.length > 0) issues.push(...badJson);
        else (values.fields ??= []).push({ field: column.name, value });
      }
    }
  });
  return { row, values, issues };
}

function parseBoolean(cell: string): boolean | undefined {
  const word = cell.toLowerCase();
  if (['true', 'yes', '1'].includes(word)) return true;
  if (['false', 'no', '0'].includes(word)) return false;
  return undefined;
}

/** A cell holding a JSON list or object is that JSON (multiple selects, contacts); any other is text. */
function fieldValue(cell: string): InputJsonValue {
  if (cell.startsWith('[') || cell.startsWith('{')) {
    try {
      return JSON.parse(cell) as InputJsonValue;
    } catch {
      // Not JSON after all: the text itself, which the field's type then accepts or refuses.
    }
  }
  return cell;
}

/**
 * The rows of a CSV import, numbered from 1 after the header, read as the file streams in. A
 * bad header (unknown or repeated columns) or broken CSV is a ValidationError for the whole file.
 */
export async function* readImportCsv(stream: ReadableStream<Uint8Array>, maxRows: number): AsyncGenerator<CsvRow> {
  let columns: Column[] | undefined;
  let row = 0;
  try {
    for await (const record of readCsv(stream)) {
      if (!columns) {
        columns = readHeader(record.cells);
        continue;
      }
      row++;
      if (row > maxRows) throw new ValidationError([{ path: ['input', 'file'], message: `At most ${maxRows} rows in one import.` }]);
      yield readRecord(columns, record, row);
    }
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new ValidationError([{ path: ['input', 'file'], message: error.message }]);
    throw error;
  }
  if (!columns) throw new ValidationError([{ path: ['input', 'file'], message: 'The file is empty: it needs a header line.' }]);
}
