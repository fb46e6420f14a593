import type { LogFields, Logger } from '../../src/logger.ts';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  msg: string;
  fields: LogFields;
}

/** A logger that keeps its lines, with their child bindings, for a test to read. */
export function captureLogs(): { log: Logger; entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const make = (bindings: LogFields): Logger => {
    const write = (level: LogEntry['level']) => (msg: string, fields?: LogFields) =>
      void entries.push({ level, msg, fields: { ...bindings, ...fields } });
    return {
      debug: write('debug'),
      info: write('info'),
      warn: write('warn'),
      error: write('error'),
      child: (fields) => make({ ...bindings, ...fields }),
    };
  };
  return { log: make({}), entries };
}

/** The error-level lines that mention a request id, in any field. */
export function errorLinesFor(entries: readonly LogEntry[], requestId: string): LogEntry[] {
  return entries.filter((entry) => entry.level === 'error' && JSON.stringify(entry.fields).includes(requestId));
}
