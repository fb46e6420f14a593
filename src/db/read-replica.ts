import { readReplicas } from '@prisma/extension-read-replicas';
import type { PrismaClient } from './prisma.ts';

/**
 * A client whose reads outside a transaction go to the replica (Prisma's read-replicas
 * extension, which takes a replica client built with its own driver adapter, as ours is) and
 * whose writes, transactions and raw SQL go to the primary. Only query operations are given it
 * (http/read-replica.ts): what a mutation reads must see what it wrote.
 */
export function withReadReplica(primary: PrismaClient, replica: PrismaClient): PrismaClient {
  // The extension types its replicas and result with Prisma's generic client; ours is generated
  // (src/generated), with the same API: the extended client is used as the client it extends.
  const replicas = [replica as unknown as Parameters<typeof readReplicas>[0]['replicas'][number]];
  return primary.$extends(readReplicas({ replicas })) as unknown as PrismaClient;
}

/**
 * The client a raw read goes through. The extension sends model reads (findMany, count, …) to the
 * replica but every `$queryRaw` to the primary, since it cannot tell a raw read from a raw write:
 * a raw statement that only reads (the compiled read path's) asks for the replica itself. Inside a
 * transaction, or on a client without a replica, it is the client given.
 */
export function rawReadClient(client: PrismaClient): PrismaClient {
  const extended = client as PrismaClient & { $replica?: () => PrismaClient };
  const inTransaction = typeof client.$transaction !== 'function';
  return typeof extended.$replica === 'function' && !inTransaction ? extended.$replica() : client;
}
