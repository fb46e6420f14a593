/** One record of a CSV file and the line it starts on (1-based, the header being line 1). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(`Line ${line}: ${message}`);
    this.name = 'CsvSyntaxError';
  }
}

/**
 * Reads RFC 4180 CSV (comma-separated, quotes doubled inside quoted cells, CRLF or LF, an
 * optional UTF-8 BOM) from a byte stream, one record at a time: a large file is never held as
 * one string, so memory stays bounded by the longest record. Blank lines are skipped.
 */
export async function* readCsv(stream: ReadableStream<Uint8Array>): AsyncGenerator<CsvRecord> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  // After a closing quote only a comma, a line end or another quote (an escaped one) may follow.
  let afterQuote = false;
  let line = 1;
  let recordLine = 1;
  let first = true;
  let pendingCr = false;

  const endRecord = (): CsvRecord | undefined => {
    cells.push(cell);
    const record = { line: recordLine, cells };
    cells = [];
    cell = '';
    afterQuote = false;
    const blank = record.cells.length === 1 && record.cells[0] === '';
    return blank ? undefined : record;
  };

  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      let text: string;
      try {
        text = done ? decoder.decode() : decoder.decode(value, { stream: true });
      } catch {
        throw new CsvSyntaxError(line, 'The file is not UTF-8 text.');
      }
      if (first && text.length > 0) {
        if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        first = false;
      }
      for (let index = 0; index < text.length; index++) {
        const char = text[index]!;
        if (pendingCr) {
          pendingCr = false;
          if (char === '\n') continue;
        }
        if (quoted) {
          if (char === '"') {
            quoted = false;
            afterQuote = true;
          } else {
            if (char === '\n') line++;
            cell += char;
          }
          continue;
        }
        if (char === '"') {
          if (afterQuote) {
            // "" inside a quoted cell: one literal quote, and the cell goes on.
            cell += '"';
            quoted = true;
            afterQuote = false;
          } else if (cell === '') {
            quoted = true;
          } else {
            throw new CsvSyntaxError(line, 'A quote inside an unquoted cell; quote the whole cell and double the quote.');
          }
        } else if (char === ',') {
          cells.push(cell);
          cell = '';
          afterQuote = false;
        } else if (char === '\n' || char === '\r') {
          pendingCr = char === '\r';
          const record = endRecord();
          line++;
          recordLine = line;
          if (record) yield record;
        } else if (afterQuote) {
          throw new CsvSyntaxError(line, 'Text after the closing quote of a cell.');
        } else {
          cell += char;
        }
      }
      if (done) break;
    }
    if (quoted) throw new CsvSyntaxError(recordLine, 'A quoted cell is never closed.');
    const last = endRecord();
    if (last) yield last;
  } finally {
    reader.releaseLock();
  }
}
