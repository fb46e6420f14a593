import { Gauge, type Metric } from 'prom-client';
import type { PrismaClient } from '../db/prisma.ts';
import { oldestPendingAgeSeconds } from './delivery-service.ts';
import { webhookDeliveryOutcomes } from './worker.ts';

/** The webhooks' metrics for /metrics: attempts by outcome (this process's), and the outbox's backlog (the database's, read at each scrape). */
export function webhookMetrics(prisma: PrismaClient, dbSchema = 'public'): Metric[] {
  const oldestPending = new Gauge({
    name: 'webhook_oldest_pending_event_age_seconds',
    help: 'Age of the oldest webhook delivery not yet delivered (to an enabled endpoint), in seconds; 0 when none is pending',
    registers: [],
    async collect() {
      this.set(await oldestPendingAgeSeconds(prisma, dbSchema));
    },
  });
  return [webhookDeliveryOutcomes, oldestPending];
}
