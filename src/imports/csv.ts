import { CsvError, type InfoRecord, parse } from 'csv-parse/stream';

/** One record of a CSV file and the line it starts on (1-based, the header being line 1). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    /** Where the problem is, when it is known. */
    readonly line: number | undefined,
    message: string,
  ) {
    super(line === undefined ? message : `Line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Reads RFC 4180 CSV (comma-separated, quotes doubled inside quoted cells, CRLF, LF or CR line
 * ends, an optional UTF-8 BOM) from a byte stream with csv-parse, one record at a time: a large
 * file is never held as one string, so memory stays bounded by the longest record. Blank lines
 * are skipped; a record may hold more or fewer cells than the header (the caller says so per row).
 */
export async function* readCsv(stream: ReadableStream<Uint8Array>): AsyncGenerator<CsvRecord> {
  const records = stream.pipeThrough(strictUtf8WithLfLineEnds()).pipeThrough(
    parse({ bom: true, skip_empty_lines: true, relax_column_count: true, record_delimiter: '\n', info: true }),
  ) as ReadableStream<{ record: string[]; info: InfoRecord }>;
  const reader = records.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      // csv-parse gives the line a record ends on; a quoted cell may span lines.
      const spanned = value.record.reduce((count, cell) => count + countLineBreaks(cell), 0);
      yield { line: value.info.lines - spanned, cells: value.record };
    }
  } catch (error) {
    if (error instanceof CsvError) throw new CsvSyntaxError(typeof error.lines === 'number' ? error.lines : undefined, messageOf(error));
    throw error;
  } finally {
    // A reader that stops early (too many rows) cancels the rest of the upload.
    await reader.cancel().catch(() => undefined);
  }
}

/** Our wording of csv-parse's errors (the client fixes a file, not a parser's state). */
function messageOf(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'A quoted cell is never closed.';
    case 'INVALID_OPENING_QUOTE':
      return 'A quote inside an unquoted cell; quote the whole cell and double the quote.';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'Text after the closing quote of a cell.';
    default:
      return error.message;
  }
}

function countLineBreaks(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

/**
 * Refuses bytes that are not UTF-8 (csv-parse would put U+FFFD in their place) and turns CRLF and
 * CR line ends into LF, so that csv-parse counts every line end once whatever a file mixes (its
 * own detection settles on the first one it sees, and counts a CRLF inside a quoted cell twice).
 * A line break inside a quoted cell is therefore read as LF, as a text field stores it.
 */
function strictUtf8WithLfLineEnds(): TransformStream<Uint8Array, Uint8Array> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const encoder = new TextEncoder();
  let pendingCr = false;
  const convert = (text: string, last: boolean): Uint8Array => {
    let whole = (pendingCr ? '\r' : '') + text;
    // A CR at the end of a chunk may be the first half of a CRLF split across two chunks.
    pendingCr = !last && whole.endsWith('\r');
    if (pendingCr) whole = whole.slice(0, -1);
    return encoder.encode(whole.replace(/\r\n?/g, '\n'));
  };
  const decode = (bytes?: Uint8Array): string => {
    try {
      return bytes ? decoder.decode(bytes, { stream: true }) : decoder.decode();
    } catch {
      throw new CsvSyntaxError(undefined, 'The file is not UTF-8 text.');
    }
  };
  return new TransformStream({
    transform(chunk, controller) {
      controller.enqueue(convert(decode(chunk), false));
    },
    flush(controller) {
      controller.enqueue(convert(decode(), true));
    },
  });
}
