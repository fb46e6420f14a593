/**
 * Whether an error means the database could not be reached or stopped answering, rather than
 * that a statement was wrong: the client is then told to retry later (503), not that the server
 * has a bug. The same failure surfaces in several shapes depending on where it was caught: a
 * socket error from Node, a message from pg (its pool and client throw plain Errors), a
 * DriverAdapterError from @prisma/adapter-pg, or a Prisma error code. The whole cause chain is
 * searched, so a wrapped error is recognised too.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const pending: unknown[] = [error];
  while (pending.length > 0) {
    const current = pending.pop();
    if (!current || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    if (matches(current as ErrorLike)) return true;
    const { cause, meta, originalError } = current as ErrorLike;
    pending.push(cause, originalError, meta?.driverAdapterError);
  }
  return false;
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  kind?: unknown;
  message?: unknown;
  cause?: unknown;
  originalError?: unknown;
  meta?: { driverAdapterError?: unknown };
}

/** Node's socket errors: the host refused, reset, timed out or could not be found. */
const socketErrors = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Prisma's: P1001 can't reach the server, P1002 it timed out, P1008 operations timed out, P1017
 * the server closed the connection, P2024 no connection from the pool in time.
 */
const prismaCodes = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/** @prisma/adapter-pg's kinds for the same failures. */
const adapterKinds = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/**
 * PostgreSQL's: class 08 (connection exception), 53300 too many connections, 57P01-57P03 the
 * server is shutting down, crashed or is starting.
 */
const sqlStates = /^(08...|53300|57P0[123])$/;

/** pg's own errors carry no code, only these messages (its client, its pool, its connection timeout). */
const pgMessages = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /is not queryable/,
  /Cannot use a pool after calling end/,
  /^Connection ended/,
  // Prisma's own wording when its transaction could not get a connection within maxWait.
  /Unable to start a transaction in the given time/,
];

function matches(error: ErrorLike): boolean {
  if (typeof error.code === 'string') {
    if (socketErrors.has(error.code) || prismaCodes.has(error.code) || sqlStates.test(error.code)) return true;
  }
  // A DriverAdapterError's cause names its kind (or, for kind 'postgres', the SQLSTATE as its code).
  if (typeof error.kind === 'string' && adapterKinds.has(error.kind)) return true;
  return typeof error.message === 'string' && pgMessages.some((pattern) => pattern.test(error.message as string));
}
