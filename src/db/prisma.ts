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
  /** Called with every SQL statement sent; used to count statements per request. */
  onQuery?: (sql: string) => void;
}

export function createPrismaClient(options: PrismaOptions): PrismaClient {
  const adapter = new PrismaPg(
    { connectionString: options.url, max: options.poolSize ?? 10 },
    options.schema ? { schema: options.schema } : undefined,
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
