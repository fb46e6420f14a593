import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { startTracing, type Tracing } from '../../src/telemetry/tracing.ts';
import { startWebhookWorker } from '../../src/webhooks/index.ts';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { createPersonId } from '../support/organising.ts';
import { type OtlpCollector, type OtlpSpan, startOtlpCollector } from '../support/otlp-collector.ts';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/** Each delivery attempt is a span (in a file of its own: tracing registers a global provider). */
const TracedCreateEndpoint = graphql(`
  mutation TracedCreateEndpoint($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) { __typename }
  }
`);

let test: TestApp;
let acme: TestClient;
let collector: OtlpCollector;
let tracing: Tracing;
let receiver: WebhookReceiver;

beforeAll(async () => {
  test = await createTestApp({ allowLoopbackWebhooks: true });
  acme = await createOrgClient(test);
  collector = await startOtlpCollector();
  tracing = startTracing({ endpoint: collector.endpoint });
  receiver = await startReceiver();
});

afterAll(async () => {
  await tracing?.shutdown();
  collector?.server.close();
  await receiver?.close();
  await test?.close();
});

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((entry) => entry.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
};

it('traces each delivery attempt, failed or not, with the SQL that records it beneath', async () => {
  receiver.respond = (_payload, index) => (index === 0 ? 500 : 200);
  await acme.request(TracedCreateEndpoint, { input: { url: receiver.url, events: ['PERSON_CREATED'] } });
  const worker = startWebhookWorker({
    prisma: test.prisma,
    dbSchema: test.schema,
    log: createLogger('error'),
    settings: { allowLoopback: true, retryBaseMs: 20, retryWindowMs: 60_000, pollIntervalMs: 20, timeoutMs: 2_000 },
  });
  try {
    await createPersonId(acme, 'Traced');
    await receiver.waitFor((all) => all.some(({ status }) => status === 200));
    await expect
      .poll(async () => {
        await tracing.flush();
        return collector.spans.filter((span) => span.name === 'webhook.deliver').length;
      })
      .toBe(2);
  } finally {
    await worker.stop();
  }
  const [failed, delivered] = collector.spans.filter((span) => span.name === 'webhook.deliver');
  expect([attribute(failed!, 'webhook.outcome'), attribute(failed!, 'http.response.status_code'), attribute(failed!, 'webhook.attempt')]).toEqual(['failed', 500, 1]);
  expect(failed!.status?.code).toBe(2);
  expect([attribute(delivered!, 'webhook.outcome'), attribute(delivered!, 'http.response.status_code'), attribute(delivered!, 'webhook.attempt')]).toEqual(['delivered', 200, 2]);
  expect(attribute(delivered!, 'webhook.event_id')).toBe(receiver.received[1]!.payload.id);
  // The recording's statements are children of the attempt's span.
  expect(collector.spans.some((span) => span.parentSpanId === delivered!.spanId && span.name.startsWith('prisma:'))).toBe(true);
});
