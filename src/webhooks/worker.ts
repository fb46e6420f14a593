import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Counter } from 'prom-client';
import type { WebhookSettings } from '../config.ts';
import { quoteIdent } from '../db/migrate.ts';
import { Prisma, type PrismaClient } from '../db/prisma.ts';
import type { Logger } from '../logger.ts';
import { encodeGlobalId } from '../shared/global-ids.ts';
import { eventDataWithGlobalIds } from '../timeline/index.ts';
import { checkWebhookUrl, type CheckedUrl, WebhookUrlRefusedError } from './addresses.ts';
import { signatureHeaders } from './signature.ts';

export interface WebhookWorkerOptions {
  prisma: PrismaClient;
  /** The PostgreSQL schema of the tables (tests give each file its own). */
  dbSchema?: string;
  log: Logger;
  settings: WebhookSettings;
  /** How many deliveries one round claims. */
  batchSize?: number;
}

export interface WebhookWorker {
  /**
   * Stops claiming; lets the deliveries in flight finish within the grace (their timeout by default), then gives back
   * the claims of those it abandons, so that they are due again at once (for any instance).
   */
  stop(graceMs?: number): Promise<void>;
}

/** Attempts by outcome, for /metrics: delivered, failed (to be retried), dead (retries given up). */
export const webhookDeliveryOutcomes = new Counter({
  name: 'webhook_delivery_attempts_total',
  help: 'Webhook delivery attempts, by outcome: delivered, failed (to be retried) or dead (the last, after which it is dead-lettered)',
  labelNames: ['outcome'],
  registers: [],
});

const maxRetryDelayMs = 60 * 60_000;

const tracer = trace.getTracer('people-gateway-webhooks');

/** The delay before retry number `attempt` (1 for the first): doubling from the base, capped at an hour, with jitter (a random point of its upper half). */
function retryDelayMs(attempt: number, baseMs: number): number {
  const delay = Math.min(maxRetryDelayMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(delay / 2 + Math.random() * (delay / 2));
}

/**
 * Delivers the outbox, in this process, until stopped. Each round claims due deliveries with
 * `FOR UPDATE SKIP LOCKED`, so that instances sharing a database never take the same one, and
 * moves each claimed delivery's next attempt twice the request's timeout ahead: a claim is a lease,
 * and one whose instance died is due again once it runs out (at least once, never lost).
 */
export function startWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { log, settings } = options;
  const stopping = new AbortController();
  // Aborted after the grace a stop gives the deliveries in flight.
  const abandon = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      let claimed = 0;
      try {
        claimed = await deliverDue(options, abandon.signal);
      } catch (error) {
        if (!stopping.signal.aborted) log.warn('webhook delivery round failed', { error });
      }
      // A round that found work may have left more due (a burst): the next one starts at once.
      if (claimed === 0) await sleep(settings.pollIntervalMs, undefined, { signal: stopping.signal }).catch(() => {});
    }
  })();
  return {
    async stop(graceMs = settings.timeoutMs) {
      stopping.abort();
      const timer = setTimeout(() => abandon.abort(), graceMs);
      await loop;
      clearTimeout(timer);
    },
  };
}

interface ClaimedDelivery {
  id: string;
}

/** One round: claims, delivers and records; answers how many it claimed. */
async function deliverDue(options: WebhookWorkerOptions, abandon: AbortSignal): Promise<number> {
  const { prisma, dbSchema = 'public', settings, batchSize = 20 } = options;
  const table = (name: string) => Prisma.raw(`${quoteIdent(dbSchema)}.${quoteIdent(name)}`);
  const deliveries = table('WebhookDelivery');
  const now = new Date();
  // The request's timeout, and as much again for recording its outcome: a claim that outlives
  // this lost its instance (killed, crashed), and is due again.
  const leaseUntil = new Date(now.getTime() + 2 * settings.timeoutMs);
  // A delivery waits while an earlier one of the same person to the same endpoint is pending
  // (retries included): each person's events arrive in order.
  const claimed = await prisma.$queryRaw<ClaimedDelivery[]>`
    WITH due AS (
      SELECT d."id" FROM ${deliveries} d
      JOIN ${table('WebhookEndpoint')} e ON e."id" = d."endpointId"
      WHERE d."status" = 'PENDING' AND d."nextAttemptAt" <= ${now} AND e."disabledAt" IS NULL
        AND NOT EXISTS (
          SELECT 1 FROM ${deliveries} earlier
          WHERE earlier."endpointId" = d."endpointId" AND earlier."personId" = d."personId"
            AND earlier."status" = 'PENDING' AND earlier."sequence" < d."sequence")
      ORDER BY d."sequence"
      LIMIT ${batchSize}
      FOR UPDATE OF d SKIP LOCKED
    )
    UPDATE ${deliveries} d SET "nextAttemptAt" = ${leaseUntil} FROM due WHERE d."id" = due."id"
    RETURNING d."id"`;
  if (claimed.length === 0) return 0;
  const rows = await prisma.webhookDelivery.findMany({
    where: { id: { in: claimed.map(({ id }) => id) } },
    include: { event: true, endpoint: true },
  });
  await Promise.all(rows.map((row) => deliverOne(options, row, abandon)));
  return claimed.length;
}

type DeliveryRow = Prisma.WebhookDeliveryGetPayload<{ include: { event: true; endpoint: true } }>;

interface Outcome {
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  succeeded: boolean;
}

/**
 * One delivery, in a span of its own when tracing is on (`webhook.deliver`; without a registered
 * tracer provider the API's no-op tracer costs nothing), its recording's SQL spans beneath it.
 */
function deliverOne(options: WebhookWorkerOptions, delivery: DeliveryRow, abandon: AbortSignal): Promise<void> {
  const attributes = {
    'webhook.delivery_id': delivery.id,
    'webhook.event_id': delivery.event.id,
    'webhook.event_type': delivery.event.type,
    'webhook.endpoint_id': delivery.endpoint.id,
    'webhook.attempt': delivery.attemptCount + 1,
  };
  return tracer.startActiveSpan('webhook.deliver', { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      const outcome = await attempt(options, delivery, abandon);
      span.setAttribute('webhook.outcome', outcome?.result ?? 'abandoned');
      if (outcome?.statusCode != null) span.setAttribute('http.response.status_code', outcome.statusCode);
      if (outcome && !outcome.succeeded) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.error ?? undefined });
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: describe(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Sends, records and logs one attempt; undefined when a shutdown abandoned it. */
async function attempt(
  options: WebhookWorkerOptions,
  delivery: DeliveryRow,
  abandon: AbortSignal,
): Promise<(Outcome & { result: 'delivered' | 'failed' | 'dead' }) | undefined> {
  const { prisma, log, settings } = options;
  const { event, endpoint } = delivery;
  const body = JSON.stringify(payloadOf(event));
  const startedAt = new Date();
  const headers = { 'content-type': 'application/json', 'user-agent': 'people-gateway-webhooks', ...signatureHeaders(endpoint.secret, event.id, startedAt, body) };
  let outcome: Outcome;
  try {
    // Checked again now: the host may resolve elsewhere than when the endpoint was saved.
    const target = await checkWebhookUrl(endpoint.url, { allowLoopback: settings.allowLoopback });
    const statusCode = await post(target, headers, body, AbortSignal.any([AbortSignal.timeout(settings.timeoutMs), abandon]));
    const succeeded = statusCode >= 200 && statusCode < 300;
    outcome = { startedAt, durationMs: Date.now() - startedAt.getTime(), statusCode, error: succeeded ? null : `HTTP ${statusCode}`, succeeded };
  } catch (error) {
    if (abandon.aborted) {
      // Shutting down: not the receiver's failure. Due again at once, for whichever instance is up.
      await prisma.webhookDelivery.updateMany({ where: { id: delivery.id, status: 'PENDING' }, data: { nextAttemptAt: new Date() } }).catch(() => {});
      return undefined;
    }
    const message = error instanceof WebhookUrlRefusedError ? error.message : describe(error);
    outcome = { startedAt, durationMs: Date.now() - startedAt.getTime(), statusCode: null, error: message, succeeded: false };
  }
  const result = await recordOutcome(options, delivery, outcome);
  webhookDeliveryOutcomes.inc({ outcome: result });
  log[outcome.succeeded ? 'info' : 'warn']('webhook delivery', {
    deliveryId: delivery.id,
    eventId: event.id,
    eventType: event.type,
    endpointId: endpoint.id,
    attempt: delivery.attemptCount + 1,
    outcome: result,
    statusCode: outcome.statusCode,
    error: outcome.error,
    durationMs: outcome.durationMs,
  });
  return { ...outcome, result };
}

/** What a receiver gets: the event, and the person as an admin reads them, with global ids. */
function payloadOf(event: DeliveryRow['event']): Record<string, unknown> {
  const { person, details } = event.data as { person: Record<string, unknown> | null; details: unknown };
  return {
    type: event.type,
    id: event.id,
    organization: encodeGlobalId('Organization', event.organizationId),
    occurredAt: event.occurredAt.toISOString(),
    data: { ...person, id: encodeGlobalId('Person', event.personId), details: eventDataWithGlobalIds(details) },
  };
}

/** Records the attempt and what follows from it: delivered, a retry, or the end (dead), and the endpoint's health. */
async function recordOutcome(options: WebhookWorkerOptions, delivery: DeliveryRow, outcome: Outcome): Promise<'delivered' | 'failed' | 'dead'> {
  const { prisma, log, settings } = options;
  const now = new Date();
  return prisma.$transaction(async (tx) => {
    // The endpoint (and its deliveries) may have been deleted meanwhile: then there is nothing to record.
    const endpoint = await tx.webhookEndpoint.findUnique({ where: { id: delivery.endpointId } });
    if (!endpoint) return outcome.succeeded ? 'delivered' : 'failed';
    await tx.webhookAttempt.create({ data: { deliveryId: delivery.id, ...outcome } });
    if (outcome.succeeded) {
      await tx.webhookDelivery.update({ where: { id: delivery.id }, data: { status: 'DELIVERED', attemptCount: { increment: 1 }, finishedAt: now } });
      if (endpoint.failingSince) await tx.webhookEndpoint.update({ where: { id: endpoint.id }, data: { failingSince: null } });
      return 'delivered';
    }
    const deadline = delivery.createdAt.getTime() + settings.retryWindowMs;
    const dead = now.getTime() >= deadline;
    const nextAttemptAt = new Date(Math.min(deadline, now.getTime() + retryDelayMs(delivery.attemptCount + 1, settings.retryBaseMs)));
    await tx.webhookDelivery.update({
      where: { id: delivery.id },
      data: { attemptCount: { increment: 1 }, ...(dead ? { status: 'DEAD', finishedAt: now } : { nextAttemptAt }) },
    });
    // Failing since the oldest event it has failed to take: one that has failed for the whole
    // window, without a success between, is disabled until an admin enables it again.
    const failingSince = endpoint.failingSince ?? delivery.createdAt;
    const disable = !endpoint.disabledAt && now.getTime() - failingSince.getTime() >= settings.retryWindowMs;
    await tx.webhookEndpoint.update({
      where: { id: endpoint.id },
      data: {
        failingSince,
        ...(disable ? { disabledAt: now, disabledReason: `Every delivery failed for ${Math.round(settings.retryWindowMs / 1000)} s; the last: ${outcome.error}` } : {}),
      },
    });
    if (disable) log.warn('webhook endpoint disabled after failing for the whole retry window', { endpointId: endpoint.id, failingSince, lastError: outcome.error });
    return dead ? 'dead' : 'failed';
  });
}

/** POSTs to the checked address (the host name still gives the Host header and TLS's name); answers the status. */
function post(target: CheckedUrl, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<number> {
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if (lookupOptions.all) (callback as unknown as (error: null, addresses: { address: string; family: number }[]) => void)(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(target.url, { method: 'POST', headers: { ...headers, 'content-length': Buffer.byteLength(body).toString() }, lookup, signal }, (response) => {
      // The answer's body is not read: only its status counts.
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timed out';
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
