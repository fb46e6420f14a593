import { quoteIdent } from '../db/migrate.ts';
import { Prisma, type PrismaClient } from '../db/prisma.ts';
import type { WebhookDelivery } from '../generated/prisma/client.ts';
import type { Actor, ServiceContext } from '../shared/actor.ts';
import { NotFoundError } from '../shared/errors.ts';

const deliveryStatuses = ['PENDING', 'DELIVERED', 'DEAD'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

export interface DeliveryFilter {
  status?: DeliveryStatus | null;
  eventId?: string | null;
}

/** An endpoint's deliveries, if it is the organisation's: another's (or none) has none to show. */
export function deliveriesWhere(actor: Actor, endpointId: string, filter: DeliveryFilter = {}): Prisma.WebhookDeliveryWhereInput {
  return {
    endpointId,
    organizationId: actor.organizationId,
    ...(filter.status ? { status: filter.status } : {}),
    ...(filter.eventId ? { eventId: filter.eventId } : {}),
  };
}

/**
 * Sends a delivery's event to its endpoint again, as a new delivery (the first keeps its
 * attempts): due at once, after the person's deliveries still pending before it.
 */
export async function redeliverWebhook({ prisma, actor }: ServiceContext, id: string): Promise<WebhookDelivery> {
  const delivery = await prisma.webhookDelivery.findFirst({ where: { id, organizationId: actor.organizationId } });
  if (!delivery) throw new NotFoundError('WebhookDelivery', id);
  return prisma.webhookDelivery.create({
    data: { eventId: delivery.eventId, endpointId: delivery.endpointId, organizationId: delivery.organizationId, personId: delivery.personId },
  });
}

/** Seconds since the oldest delivery still pending to an enabled endpoint was queued; 0 when none is. */
export async function oldestPendingAgeSeconds(prisma: PrismaClient, dbSchema: string): Promise<number> {
  const table = (name: string) => Prisma.raw(`${quoteIdent(dbSchema)}.${quoteIdent(name)}`);
  const [row] = await prisma.$queryRaw<{ oldest: Date | null }[]>`
    SELECT MIN(d."createdAt") AS oldest FROM ${table('WebhookDelivery')} d
    JOIN ${table('WebhookEndpoint')} e ON e."id" = d."endpointId" AND e."disabledAt" IS NULL
    WHERE d."status" = 'PENDING'`;
  return row?.oldest ? Math.max(0, (Date.now() - row.oldest.getTime()) / 1000) : 0;
}
