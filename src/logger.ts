import pino from 'pino';
import type { LogLevel } from './config.ts';

export type LogFields = Record<string, unknown>;

/**
 * What the code logs through: a message, then fields. A thin face over pino (which does the
 * levels, the JSON, the error serialising and the redaction), kept so that call sites read
 * message-first and tests can hand in a logger of their own.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/**
 * Never written, whatever a call site passes by mistake: an API key, the Authorization header,
 * a request's variables (they carry personal data). The access log does not pass them anyway.
 */
const redactedPaths = ['apiKey', 'authorization', 'variables', '*.apiKey', '*.authorization', '*.variables', 'headers.authorization'];

/**
 * One JSON object per line, on stderr by default so logs stay apart from command output:
 * `{"level":"info","time":"…","pid":…,"msg":"…",…fields}`. Writes synchronously, so that the
 * lines before a process.exit are not lost.
 */
export function createLogger(level: LogLevel = 'info', destination: pino.DestinationStream = pino.destination({ fd: 2 })): Logger {
  return wrap(
    pino(
      {
        level,
        base: { pid: process.pid },
        timestamp: pino.stdTimeFunctions.isoTime,
        formatters: { level: (label) => ({ level: label }) },
        // Errors have no enumerable fields: without these they would log as {}.
        serializers: {
          error: pino.stdSerializers.errWithCause,
          err: pino.stdSerializers.errWithCause,
          // What yoga hands its logger (see yoga.ts): a list that may hold errors.
          args: (values: unknown) =>
            Array.isArray(values) ? values.map((value) => (value instanceof Error ? pino.stdSerializers.errWithCause(value) : value)) : values,
        },
        redact: { paths: redactedPaths, censor: '[redacted]' },
      },
      destination,
    ),
  );
}

function wrap(logger: pino.Logger): Logger {
  return {
    debug: (message, fields) => logger.debug(fields ?? {}, message),
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
    child: (fields) => wrap(logger.child(fields)),
  };
}
