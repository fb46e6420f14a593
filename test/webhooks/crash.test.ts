import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import { type FreshDatabase, freshDatabase, runBash, type ServerProcess, startServerProcess } from '../support/server-process.ts';
import { startReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/**
 * kill -9 in the middle of a burst of writes: once a server runs again, every committed event is
 * delivered (at least once), none goes missing. SIGTERM with a delivery in flight: it finishes
 * and is recorded, and is not sent again. A real server process (src/index.ts), on a database of
 * its own (PostgreSQL beside TEST_DATABASE_URL's, or PGlite in a fresh directory).
 */
const CrashCreateEndpoint = graphql(`
  mutation CrashCreateEndpoint($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) { __typename ... on CreateWebhookEndpointSuccess { webhookEndpoint { id } } }
  }
`);

const CrashCreatePerson = graphql(`
  mutation CrashCreatePerson($input: PersonInput!) {
    createPerson(input: $input) { __typename ... on CreatePersonSuccess { person { id } } }
  }
`);

const CrashDeliveries = graphql(`
  query CrashDeliveries($endpointId: ID!, $after: String) {
    webhookDeliveries(endpointId: $endpointId, first: 100, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes { eventId status attemptCount }
    }
  }
`);

const CrashEndpoints = graphql(`
  query CrashEndpoints { webhookEndpoints { id } }
`);

const CrashDeliveriesOfEvent = graphql(`
  query CrashDeliveriesOfEvent($endpointId: ID!, $eventId: String!) {
    webhookDeliveries(endpointId: $endpointId, filter: { eventId: $eventId }, first: 10) { nodes { eventId status attemptCount } }
  }
`);

const writes = 1_000;
const killAfter = 400;

let database: FreshDatabase;
let server: ServerProcess | undefined;
let receiver: WebhookReceiver;
let env: NodeJS.ProcessEnv;
let apiKey: string;

async function request<Result, Variables>(document: TypedDocumentNode<Result, Variables>, variables: Variables): Promise<Result> {
  const response = await fetch(`${server!.origin}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: unknown[] };
  if (!body.data || body.errors) throw new Error(JSON.stringify(body));
  return body.data;
}

beforeAll(async () => {
  database = await freshDatabase();
  receiver = await startReceiver();
  env = {
    ...database.env,
    WEBHOOKS_ALLOW_LOOPBACK: 'true',
    WEBHOOKS_RETRY_BASE_MS: '100',
    WEBHOOKS_POLL_MS: '20',
    // A claim lasts twice this: the killed server's claims are due again 2 s after it took them.
    WEBHOOKS_TIMEOUT_MS: '1000',
    RATE_LIMIT_CAPACITY: '0',
  };
  server = await startServerProcess(env);
  const created = await runBash('npm run -s org:create -- --name Crash', env);
  apiKey = (JSON.parse(created.stdout.trim().split('\n').pop()!) as { apiKey: string }).apiKey;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  await database?.drop();
});

it(`delivers every committed event after kill -9 in the middle of ${writes} writes`, { timeout: 300_000 }, async () => {
  const { createWebhookEndpoint } = await request(CrashCreateEndpoint, { input: { url: receiver.url, events: ['PERSON_CREATED'] } });
  if (createWebhookEndpoint.__typename !== 'CreateWebhookEndpointSuccess') throw new Error(createWebhookEndpoint.__typename);
  const endpointId = createWebhookEndpoint.webhookEndpoint.id;

  // Slow answers: when the server dies, it has deliveries in flight, claimed and not recorded.
  receiver.delayMs = 100;
  // Ten clients write; the server is killed once 400 writes are answered, with others in flight.
  const acknowledged: string[] = [];
  let next = 0;
  let killed: Promise<void> | undefined;
  const client = async () => {
    while (next < writes) {
      const index = next++;
      try {
        const { createPerson } = await request(CrashCreatePerson, { input: { familyName: `Burst ${index}` } });
        if (createPerson.__typename === 'CreatePersonSuccess') acknowledged.push(createPerson.person.id);
      } catch {
        // Cut by the kill (committed or not): the writes left are made after the restart.
        return;
      }
      if (acknowledged.length === killAfter) killed ??= server!.kill();
    }
  };
  await Promise.all(Array.from({ length: 10 }, client));
  await killed;
  const receivedBeforeRestart = receiver.received.length;
  expect(acknowledged.length).toBeGreaterThanOrEqual(killAfter);

  server = await startServerProcess(env);
  while (acknowledged.length < writes) {
    const { createPerson } = await request(CrashCreatePerson, { input: { familyName: `After ${acknowledged.length}` } });
    if (createPerson.__typename === 'CreatePersonSuccess') acknowledged.push(createPerson.person.id);
  }

  // Every answered write's event arrives.
  const heard = () => new Set(receiver.received.filter(({ status }) => status === 200).map(({ payload }) => payload.data.id));
  await receiver.waitFor(() => acknowledged.every((id) => heard().has(id)), 180_000);
  // And every event in the outbox (those of writes committed as the server died included) is delivered.
  const deliveries: { eventId: string; status: string; attemptCount: number }[] = [];
  let after: string | null | undefined;
  do {
    const { webhookDeliveries } = await request(CrashDeliveries, { endpointId, after });
    deliveries.push(...webhookDeliveries.nodes);
    after = webhookDeliveries.pageInfo.hasNextPage ? webhookDeliveries.pageInfo.endCursor : undefined;
  } while (after);
  expect(deliveries.length).toBeGreaterThanOrEqual(writes);
  const receivedIds = new Set(receiver.received.map(({ payload }) => payload.id));
  expect(deliveries.filter(({ eventId }) => !receivedIds.has(eventId))).toEqual([]);
  expect(receivedBeforeRestart).toBeGreaterThan(0);
});

it('lets a delivery in flight finish on SIGTERM, recorded once', { timeout: 120_000 }, async () => {
  const { webhookEndpoints } = await request(CrashEndpoints, {});
  const endpointId = webhookEndpoints[0]!.id;
  // Within WEBHOOKS_TIMEOUT_MS (1 s): slow, not failing.
  receiver.delayMs = 500;
  const before = receiver.received.length;
  await request(CrashCreatePerson, { input: { familyName: 'Terminated' } });
  await receiver.waitFor((all) => all.length > before);
  // The receiver holds its answer: SIGTERM comes while the delivery waits for it.
  await server!.stop();
  server = await startServerProcess(env);
  const eventId = receiver.received[before]!.payload.id;
  // Past the lease a killed claim would have had: a delivery left unrecorded would be sent again by now.
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  const { webhookDeliveries } = await request(CrashDeliveriesOfEvent, { endpointId, eventId });
  expect(webhookDeliveries.nodes).toEqual([{ eventId, status: 'DELIVERED', attemptCount: 1 }]);
  expect(receiver.received.filter(({ payload }) => payload.id === eventId)).toHaveLength(1);
});
