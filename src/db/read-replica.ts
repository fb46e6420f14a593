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
