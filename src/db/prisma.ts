import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaClient } from '../generated/prisma/client.ts';
import { trackCommits } from './after-commit.ts';

export { Prisma } from '../generated/prisma/client.ts';
export { PrismaClient };

/** What services work through: the client itself, or the transaction a mutation runs in. */
export type Db = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

export interface PrismaOptions {
  url: string;
  /** A PostgreSQL schema other than public (tests isolate each file in its own). */
  schema?: string;
  poolSize?: number;
  /**
   * Name every statement so that PostgreSQL parses and plans it once per connection (a nested
   * person costs 13.5 ms to plan and 0.6 ms to run). Only for a real PostgreSQL: PGlite serves
   * every connection from one backend session, where a name prepared by one connection would
   * clash with the same name prepared by the next.
   */
  preparedStatements?: boolean;
  /** See connectionTimeoutMs; tests shorten it. */
  connectionTimeoutMs?: number;
  /** Called with every SQL statement sent; used to count statements per request. */
  onQuery?: (sql: string) => void;
}

/** A SQL statement Prisma sent, as its query event reports it (never its values). */
export interface Statement {
  sql: string;
  durationMs: number;
}

/**
 * Each connection keeps every statement it prepared, and a statement with a list of values has
 * one text per list length; retiring connections after a while bounds what they accumulate.
 */
const connectionLifetimeSeconds = 15 * 60;

/**
 * How long a statement waits for a pooled connection, or for a new one to be opened, before it
 * fails (as SERVICE_UNAVAILABLE): without it, a request waits forever when the database stops
 * answering, and pg waits for ever by default.
 */
export const connectionTimeoutMs = 10_000;

/** The connections each client's pool has open, so that a shutdown can cut them (see closeConnections). */
const openConnections = new WeakMap<PrismaClient, Set<pg.PoolClient>>();
/** Each client's pool, for the metrics of its connections. */
const pools = new WeakMap<PrismaClient, pg.Pool>();
/** Who listens to each client's statements (the metrics, a test's statement count). */
const statementListeners = new WeakMap<PrismaClient, Set<(statement: Statement) => void>>();

export function createPrismaClient(options: PrismaOptions): PrismaClient {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    maxLifetimeSeconds: connectionLifetimeSeconds,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? connectionTimeoutMs,
  });
  const connections = new Set<pg.PoolClient>();
  pool.on('connect', (connection) => connections.add(connection));
  pool.on('remove', (connection) => connections.delete(connection));
  const adapter = new PrismaPg(pool, {
    // The pool is made here, but the client owns it: $disconnect ends it.
    disposeExternalPool: true,
    ...(options.schema ? { schema: options.schema } : {}),
    // pg refuses two texts under one name, so the name is a digest of the text. No name (the
    // adapter's type says string, but it hands the name to pg as it is, and pg sends a statement
    // without one unnamed) is how a statement is planned with its values each time.
    ...(options.preparedStatements ? { statementNameGenerator: ({ sql }) => statementName(sql) as string } : {}),
  });
  const client = new PrismaClient({
    adapter,
    // Under load a mutation may wait for a pooled connection longer than Prisma's 2 s default;
    // waiting is better than failing a valid write.
    transactionOptions: { maxWait: 10_000, timeout: 20_000 },
    // Every statement is an event, for the metrics (prisma_statements_total) and the tests.
    log: [{ emit: 'event', level: 'query' }],
  });
  const listeners = new Set<(statement: Statement) => void>();
  client.$on('query' as never, (event: { query: string; duration: number }) => {
    const statement = { sql: event.query, durationMs: event.duration };
    for (const listener of listeners) listener(statement);
  });
  if (options.onQuery) {
    const onQuery = options.onQuery;
    listeners.add(({ sql }) => onQuery(sql));
  }
  statementListeners.set(client, listeners);
  openConnections.set(client, connections);
  pools.set(client, pool);
  trackCommits(client);
  return client;
}

/** Calls `listener` with every SQL statement the client sends from now on. */
export function onStatement(client: PrismaClient, listener: (statement: Statement) => void): void {
  statementListeners.get(client)?.add(listener);
}

/**
 * The pg pool under a client made by createPrismaClient; undefined for one derived from it by
 * `$extends` (tests wrap the client so), whose pool is its base client's.
 */
export function poolOf(client: PrismaClient): pg.Pool | undefined {
  return pools.get(client);
}

/**
 * Closes every connection of the client's pool at once, those in use included: the database
 * rolls back whatever transaction each had open, and whatever was waiting on one fails. For the
 * end of a shutdown, when waiting has run out: $disconnect alone waits for connections in use
 * to be released, which a transaction left open never does.
 */
export function closeConnections(client: PrismaClient): void {
  for (const connection of openConnections.get(client) ?? []) {
    (connection as pg.PoolClient & { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  }
}

/** A digest of the text: hashing even a long statement costs microseconds against its milliseconds. */
function statementName(sql: string): string | undefined {
  if (plannedWithItsValues(sql)) return undefined;
  return `p${createHash('sha1').update(sql).digest('hex')}`;
}

/**
 * A page filtered through a relation (people with a tag, in a group: `EXISTS (…)`) goes unnamed,
 * planned with its values each time. Named, PostgreSQL soon plans it once for any values, sized
 * for the average organisation; for one of a million people beside thousands of small ones that
 * plan reads every person (981 ms a page against 5.7 ms; docs/performance.md, Running at scale).
 * Every other statement keeps its name: its plan does not depend on how big the organisation is.
 */
function plannedWithItsValues(sql: string): boolean {
  return /\bLIMIT\b/.test(sql) && /\bEXISTS\s*\(/.test(sql);
}
