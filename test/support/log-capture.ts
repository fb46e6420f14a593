import type { LogLevel } from '../../src/config.ts';
import { createLogger, type LogFields, type Logger } from '../../src/logger.ts';

export interface LogEntry {
  level: LogLevel;
  msg: string;
  /** Everything else on the line, child bindings included (errors as pino serialises them). */
  fields: LogFields;
  /** The line exactly as it was written. */
  line: string;
}

/**
 * The real logger (pino, with its serialisers and redaction), writing into memory instead of
 * stderr: a test reads what production would have written.
 */
export function captureLogs(level: LogLevel = 'debug'): { log: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const destination = {
    write(chunk: string) {
      for (const line of chunk.split('\n')) {
        if (!line) continue;
        const { level, msg, time: _time, pid: _pid, ...fields } = JSON.parse(line) as { level: LogLevel; msg: string } & LogFields;
        entries.push({ level, msg, fields, line });
      }
    },
  };
  return { log: createLogger(level, destination), entries };
}

/** The error-level lines that mention a request id, in any field. */
export function errorLinesFor(entries: readonly LogEntry[], requestId: string): LogEntry[] {
  return entries.filter((entry) => entry.level === 'error' && JSON.stringify(entry.fields).includes(requestId));
}
