import type { PrismaClient } from '../db/prisma.ts';
import type { Logger } from '../logger.ts';
import type { Actor, ServiceContext } from '../shared/actor.ts';
import type { EventBus } from '../shared/events.ts';

export interface GraphQLContext {
  prisma: PrismaClient;
  /** The PostgreSQL schema the tables are in, for the few raw SQL statements (search ranking). */
  dbSchema: string;
  /** The API key's user; null only for the anonymous introspection a browser's GraphiQL makes. */
  actor: Actor | null;
  requestId: string;
  log: Logger;
  /** Aborted when the server shuts down and in-flight work must stop (a running import). */
  shutdown: AbortSignal;
  /** Live updates: what subscriptions listen to (shared/events.ts). */
  events: EventBus;
  /** Whether webhook URLs may point at loopback (WEBHOOKS_ALLOW_LOOPBACK, development and tests). */
  webhookUrls: { allowLoopback: boolean };
}

/** The service view of a request. The auth plugin lets no anonymous operation reach a resolver. */
export function serviceContext(ctx: GraphQLContext): ServiceContext {
  if (!ctx.actor) throw new Error('An anonymous request reached a resolver.');
  return { prisma: ctx.prisma, actor: ctx.actor, dbSchema: ctx.dbSchema };
}

export function organizationOf(ctx: GraphQLContext): string {
  return serviceContext(ctx).actor.organizationId;
}
