import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import type { PrismaClient } from '../db/prisma.ts';

/**
 * Chooses the database client per operation, once its type is known: a query reads through
 * `reading` (the read replica, see db/read-replica.ts); a mutation keeps the primary for all it
 * reads, its payload included, which is resolved after its commit, so that replica lag never
 * makes a mutation's answer stale. Subscriptions do not pass here (they keep the primary too):
 * their events announce writes just made.
 */
export function useReadReplica(reading: PrismaClient): Plugin<GraphQLContext> {
  return {
    onExecute({ args, extendContext }) {
      if (getOperationAST(args.document, args.operationName)?.operation === 'query') extendContext({ prisma: reading });
    },
  };
}
