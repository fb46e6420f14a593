import { createHash } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.ts';

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
  /** Called with every SQL statement sent; used to count statements per request. */
  onQuery?: (sql: string) => void;
}

/**
 * Each connection keeps every statement it prepared, and a statement with a list of values has
 * one text per list length; retiring connections after a while bounds what they accumulate.
 */
const connectionLifetimeSeconds = 15 * 60;

export function createPrismaClient(options: PrismaOptions): PrismaClient {
  const adapter = new PrismaPg(
    { connectionString: options.url, max: options.poolSize ?? 10, maxLifetimeSeconds: connectionLifetimeSeconds },
    {
      ...(options.schema ? { schema: options.schema } : {}),
      // pg refuses two texts under one name, so the name is a digest of the text.
      ...(options.preparedStatements ? { statementNameGenerator: ({ sql }) => statementName(sql) } : {}),
    },
  );
  const client = new PrismaClient({
    adapter,
    // Under load a mutation may wait for a pooled connection longer than Prisma's 2 s default;
    // waiting is better than failing a valid write.
    transactionOptions: { maxWait: 10_000, timeout: 20_000 },
    log: options.onQuery ? [{ emit: 'event', level: 'query' }] : [],
  });
  if (options.onQuery) {
    const onQuery = options.onQuery;
    client.$on('query' as never, (event: { query: string }) => onQuery(event.query));
  }
  return client;
}

/** A digest of the text: hashing even a long statement costs microseconds against its milliseconds. */
function statementName(sql: string): string {
  return `p${createHash('sha1').update(sql).digest('hex')}`;
}
