import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { WebhookSettings } from '../../src/config.ts';
import { createPrismaClient } from '../../src/db/prisma.ts';
import { createLogger } from '../../src/logger.ts';
import { startWebhookWorker, type WebhookWorker } from '../../src/webhooks/index.ts';
import { createApp } from '../../src/yoga.ts';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, createUserClient, postTyped, type TestApp, type TestClient } from '../support/app.ts';
import { captureLogs } from '../support/log-capture.ts';
import { createPersonId, localIdOf } from '../support/organising.ts';
import { readFileSync } from 'node:fs';
import { codeBlocks, documentSection } from '../support/readme.ts';
import { startReceiver, verifyWebhook, type WebhookReceiver } from '../support/webhook-receiver.ts';

const CreateEndpoint = graphql(`
  mutation CreateWebhookEndpoint($input: CreateWebhookEndpointInput!) {
    createWebhookEndpoint(input: $input) {
      __typename
      ... on CreateWebhookEndpointSuccess { secret webhookEndpoint { id url events enabled } }
      ... on WebhookUrlRefusedError { reason message }
      ... on ValidationError { fieldErrors { path message } }
      ... on ForbiddenError { message }
    }
  }
`);

const UpdateEndpoint = graphql(`
  mutation UpdateWebhookEndpoint($id: ID!, $input: UpdateWebhookEndpointInput!) {
    updateWebhookEndpoint(id: $id, input: $input) {
      __typename
      ... on UpdateWebhookEndpointSuccess { webhookEndpoint { id enabled disabledAt events } }
      ... on WebhookUrlRefusedError { reason }
    }
  }
`);

const RotateSecret = graphql(`
  mutation RotateWebhookSecret($id: ID!) {
    rotateWebhookSecret(id: $id) {
      __typename
      ... on RotateWebhookSecretSuccess { secret }
    }
  }
`);

const DeleteEndpoint = graphql(`
  mutation DeleteWebhookEndpoint($id: ID!) {
    deleteWebhookEndpoint(id: $id) { __typename ... on DeleteWebhookEndpointSuccess { deletedId } }
  }
`);

const Endpoints = graphql(`
  query WebhookEndpoints {
    webhookEndpoints { id url events enabled disabledAt disabledReason failingSince }
  }
`);

const Deliveries = graphql(`
  query WebhookDeliveries($endpointId: ID!, $filter: WebhookDeliveryFilter) {
    webhookDeliveries(endpointId: $endpointId, filter: $filter, first: 100) {
      totalCount
      nodes { id eventId eventType status attemptCount nextAttemptAt finishedAt attempts { statusCode succeeded error durationMs startedAt } }
    }
  }
`);

const Redeliver = graphql(`
  mutation RedeliverWebhook($id: ID!) {
    redeliverWebhook(id: $id) { __typename ... on RedeliverWebhookSuccess { delivery { id eventId status } } }
  }
`);

const UpdatePerson = graphql(`
  mutation WebhookUpdatePerson($id: ID!, $input: UpdatePersonInput!, $expectedVersion: Int) {
    updatePerson(id: $id, input: $input, expectedVersion: $expectedVersion) { __typename }
  }
`);

const ArchivePerson = graphql(`mutation WebhookArchivePerson($id: ID!) { archivePerson(id: $id) { __typename } }`);
const UnarchivePerson = graphql(`mutation WebhookUnarchivePerson($id: ID!) { unarchivePerson(id: $id) { __typename } }`);
const DeletePerson = graphql(`mutation WebhookDeletePerson($id: ID!) { deletePerson(id: $id) { __typename } }`);
const CreateTag = graphql(`
  mutation WebhookCreateTag($input: TagInput!) { createTag(input: $input) { __typename ... on CreateTagSuccess { tag { id } } } }
`);
const TagPerson = graphql(`mutation WebhookTagPerson($personId: ID!, $tagId: ID!) { tagPerson(personId: $personId, tagId: $tagId) { __typename } }`);
const UntagPerson = graphql(`mutation WebhookUntagPerson($personId: ID!, $tagId: ID!) { untagPerson(personId: $personId, tagId: $tagId) { __typename } }`);
const MergePeople = graphql(`
  mutation WebhookMergePeople($input: MergePeopleInput!) { mergePeople(input: $input) { __typename } }
`);
const ErasePerson = graphql(`
  mutation WebhookErasePerson($id: ID!, $reason: String!) { erasePerson(id: $id, reason: $reason) { __typename } }
`);
const ImportPeople = graphql(`
  mutation WebhookImportPeople($input: ImportPeopleInput!) { importPeople(input: $input) { __typename } }
`);

const fast: WebhookSettings = { allowLoopback: true, retryBaseMs: 20, retryWindowMs: 60_000, pollIntervalMs: 20, timeoutMs: 2_000 };

let test: TestApp;
let acme: TestClient;
let globex: TestClient;
let receiver: WebhookReceiver;
const workers: WebhookWorker[] = [];

function startWorker(settings: Partial<WebhookSettings> = {}, log = createLogger('error'), prisma = test.prisma): WebhookWorker {
  const worker = startWebhookWorker({ prisma, dbSchema: test.schema, log, settings: { ...fast, ...settings } });
  workers.push(worker);
  return worker;
}

async function createEndpoint(client: TestClient, url: string, events: string[] = ['*']) {
  const { createWebhookEndpoint: result } = await client.request(CreateEndpoint, { input: { url, events, description: 'test' } });
  if (result.__typename !== 'CreateWebhookEndpointSuccess') throw new Error(`createWebhookEndpoint failed: ${JSON.stringify(result)}`);
  return { id: result.webhookEndpoint.id, secret: result.secret };
}

async function deliveriesOf(client: TestClient, endpointId: string) {
  return (await client.request(Deliveries, { endpointId })).webhookDeliveries;
}

beforeAll(async () => {
  test = await createTestApp({ allowLoopbackWebhooks: true });
  acme = await createOrgClient(test, 'Acme');
  globex = await createOrgClient(test, 'Globex');
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.stop(0)));
  await receiver?.close();
  // Each test starts with no endpoint, so that none hears another test's events.
  await test.prisma.webhookEndpoint.deleteMany({});
});

afterAll(async () => {
  await test?.close();
});

describe('endpoints', () => {
  it('are managed by admins: the secret is answered once, by create and by rotate', async () => {
    receiver = await startReceiver();
    const { id, secret } = await createEndpoint(acme, receiver.url, ['PERSON_CREATED', 'PERSON_DELETED']);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect((await acme.request(Endpoints)).webhookEndpoints).toEqual([
      expect.objectContaining({ id, url: receiver.url, events: ['PERSON_CREATED', 'PERSON_DELETED'], enabled: true }),
    ]);
    const { rotateWebhookSecret } = await acme.request(RotateSecret, { id });
    expect(rotateWebhookSecret.__typename === 'RotateWebhookSecretSuccess' && rotateWebhookSecret.secret).not.toBe(secret);
    const { updateWebhookEndpoint } = await acme.request(UpdateEndpoint, { id, input: { events: ['*'], enabled: false } });
    expect(updateWebhookEndpoint).toMatchObject({ webhookEndpoint: { events: ['*'], enabled: false } });
    // Another organisation's admin does not see it, nor can touch it.
    expect((await globex.request(Endpoints)).webhookEndpoints).toEqual([]);
    expect((await globex.request(DeleteEndpoint, { id })).deleteWebhookEndpoint.__typename).toBe('NotFoundError');
    expect((await acme.request(DeleteEndpoint, { id })).deleteWebhookEndpoint).toEqual({ __typename: 'DeleteWebhookEndpointSuccess', deletedId: id });
  });

  it('refuses an editor, and unknown event types', async () => {
    const editor = await createUserClient(test, acme.organizationId, 'EDITOR');
    const asEditor = await editor.request(CreateEndpoint, { input: { url: 'https://example.org/hook', events: ['*'] } });
    expect(asEditor.createWebhookEndpoint.__typename).toBe('ForbiddenError');
    const unknown = await acme.request(CreateEndpoint, { input: { url: 'https://127.0.0.1/hook', events: ['PERSON_CREATED', 'PERSON_EXPLODED'] } });
    expect(unknown.createWebhookEndpoint).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'events', '1'] }] });
  });

  it('refuses private, link-local, metadata and (unless allowed) loopback addresses, and http but to loopback', async () => {
    const strict = createApp({ prisma: test.prisma, dbSchema: test.schema, log: createLogger('error') });
    const refusal = async (url: string, app = strict) => {
      const answer = await postTyped(app, acme.apiKey, CreateEndpoint, { input: { url, events: ['*'] } });
      const result = answer.data?.createWebhookEndpoint;
      return result?.__typename === 'WebhookUrlRefusedError' ? result.reason : result?.__typename;
    };
    expect(await refusal('https://10.1.2.3/hook')).toBe('PRIVATE');
    expect(await refusal('https://192.168.0.10/hook')).toBe('PRIVATE');
    expect(await refusal('https://[fd12::1]/hook')).toBe('PRIVATE');
    expect(await refusal('https://[::ffff:10.0.0.1]/hook')).toBe('PRIVATE');
    expect(await refusal('https://169.254.10.1/hook')).toBe('LINK_LOCAL');
    expect(await refusal('https://169.254.169.254/latest/meta-data')).toBe('METADATA');
    expect(await refusal('https://metadata.google.internal/computeMetadata/v1')).toBe('METADATA');
    expect(await refusal('https://127.0.0.1/hook')).toBe('LOOPBACK');
    expect(await refusal('http://localhost:8080/hook')).toBe('LOOPBACK');
    expect(await refusal('https://[::1]/hook')).toBe('LOOPBACK');
    // 2130706433 is 127.0.0.1 written as one number.
    expect(await refusal('https://2130706433/hook')).toBe('LOOPBACK');
    expect(await refusal('ftp://example.org/hook')).toBe('SCHEME_NOT_ALLOWED');
    expect(await refusal('not a url')).toBe('INVALID_URL');
    expect(await refusal('https://no-such-host.invalid/hook')).toBe('UNRESOLVABLE');
    // With loopback allowed (this file's app): loopback over http, but http nowhere else.
    expect(await refusal('http://127.0.0.1:9/hook', test.app)).toBe('CreateWebhookEndpointSuccess');
    expect(await refusal('http://93.184.216.34/hook', test.app)).toBe('SCHEME_NOT_ALLOWED');
    expect(await refusal('https://10.1.2.3/hook', test.app)).toBe('PRIVATE');
  });

  it('are checked again at delivery: a loopback endpoint gets nothing from a worker that does not allow loopback', async () => {
    receiver = await startReceiver();
    const { id } = await createEndpoint(acme, receiver.url);
    startWorker({ allowLoopback: false });
    await createPersonId(acme, 'Refused');
    await expect.poll(async () => (await deliveriesOf(acme, id)).nodes[0]?.attempts.length ?? 0).toBeGreaterThan(0);
    const [delivery] = (await deliveriesOf(acme, id)).nodes;
    expect(delivery!.attempts[0]).toMatchObject({ succeeded: false, statusCode: null, error: expect.stringContaining('loopback') });
    expect(receiver.received).toEqual([]);
  });
});

describe('docs/webhooks.md', () => {
  it('shows, in ten lines, the verifier the tests check every delivery with', () => {
    const [code] = codeBlocks(documentSection('docs/webhooks.md', 'What a receiver gets'), 'ts');
    const verifier = code!.slice(code!.indexOf('export function verifyWebhook')).trim();
    expect(verifier.split('\n')).toHaveLength(10);
    expect(readFileSync(new URL('../support/webhook-receiver.ts', import.meta.url), 'utf8')).toContain(verifier);
  });
});

describe('deliveries', () => {
  it('carry every kind of event, signed as Standard Webhooks has it, each with a stable id', async () => {
    receiver = await startReceiver();
    const { secret } = await createEndpoint(acme, receiver.url);
    const ada = await createPersonId(acme, 'Lovelace');
    const grace = await createPersonId(acme, 'Hopper');
    await acme.request(UpdatePerson, { id: ada, input: { jobTitle: 'Analyst' } });
    await acme.request(ArchivePerson, { id: ada });
    await acme.request(UnarchivePerson, { id: ada });
    const { createTag } = await acme.request(CreateTag, { input: { title: 'VIP' } });
    const tagId = createTag.__typename === 'CreateTagSuccess' ? createTag.tag.id : '';
    await acme.request(TagPerson, { personId: ada, tagId });
    await acme.request(UntagPerson, { personId: ada, tagId });
    await acme.request(MergePeople, { input: { personIds: [ada, grace], primaryId: ada } });
    await acme.request(ImportPeople, { input: { rows: [{ familyName: 'Imported' }] } });
    await acme.request(DeletePerson, { id: ada });
    const expected = ['PERSON_CREATED', 'PERSON_UPDATED', 'PERSON_ARCHIVED', 'PERSON_UNARCHIVED', 'TAG_ADDED', 'TAG_REMOVED', 'MERGED', 'IMPORTED', 'PERSON_DELETED'];
    startWorker();
    const received = await receiver.waitFor((all) => expected.every((type) => all.some(({ payload }) => payload.type === type)) && all.length >= 11);
    for (const { headers, body, payload } of received) {
      expect(verifyWebhook(secret, headers, body), body).toBe(true);
      expect(headers['webhook-id']).toBe(payload.id);
      expect(payload.organization).toBe(Buffer.from(`Organization:${acme.organizationId}`).toString('base64'));
      expect(Number.isNaN(Date.parse(payload.occurredAt))).toBe(false);
    }
    // A signature made with another secret does not verify.
    expect(verifyWebhook('whsec_' + Buffer.from('x'.repeat(24)).toString('base64'), received[0]!.headers, received[0]!.body)).toBe(false);
    // Every event once (Ada's and Grace's creation, the imported person's creation and IMPORTED, and Ada's eight more).
    expect(new Set(received.map(({ payload }) => payload.id)).size).toBe(11);
    expect(received).toHaveLength(11);
    // A timeline event's id is its webhook id (the imported person's two, Ada's and Grace's having gone with Ada).
    const timelineIds = (
      await test.prisma.timelineEvent.findMany({ where: { organizationId: acme.organizationId, person: { familyName: 'Imported' } }, select: { id: true } })
    ).map(({ id }) => id);
    expect(timelineIds).toHaveLength(2);
    expect(received.map(({ payload }) => payload.id)).toEqual(expect.arrayContaining(timelineIds));
    const updated = received.find(({ payload }) => payload.type === 'PERSON_UPDATED')!.payload;
    expect(updated.data).toMatchObject({ id: ada, familyName: 'Lovelace', jobTitle: 'Analyst', details: { changes: { jobTitle: { before: null, after: 'Analyst' } } } });
    expect(updated.data.updatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const deleted = received.find(({ payload }) => payload.type === 'PERSON_DELETED')!.payload;
    expect(deleted.data).toMatchObject({ id: ada, familyName: 'Lovelace' });
    const merged = received.find(({ payload }) => payload.type === 'MERGED')!.payload;
    expect((merged.data.details as { mergedPersonIds: string[] }).mergedPersonIds).toEqual([grace]);
  });

  it('go only to the endpoints that want the type, of the organisation whose change it is', async () => {
    receiver = await startReceiver();
    const other = await startReceiver();
    try {
      const created = await createEndpoint(acme, receiver.url, ['PERSON_CREATED']);
      const theirs = await createEndpoint(globex, other.url);
      startWorker();
      const person = await createPersonId(acme, 'Only');
      await acme.request(UpdatePerson, { id: person, input: { jobTitle: 'Not sent' } });
      await createPersonId(acme, 'Fence');
      await receiver.waitFor((all) => all.length >= 2);
      expect(receiver.received.map(({ payload }) => payload.type)).toEqual(['PERSON_CREATED', 'PERSON_CREATED']);
      expect(other.received).toEqual([]);
      expect((await deliveriesOf(globex, theirs.id)).totalCount).toBe(0);
      expect((await deliveriesOf(acme, created.id)).totalCount).toBe(2);
      // Nor does another organisation's admin see them.
      expect((await deliveriesOf(globex, created.id)).totalCount).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('are retried: a receiver that fails three times gets the event on the fourth, with every attempt recorded', async () => {
    receiver = await startReceiver();
    receiver.respond = (_payload, index) => (index < 3 ? 500 : 204);
    const { id } = await createEndpoint(acme, receiver.url);
    startWorker();
    await createPersonId(acme, 'Retried');
    await receiver.waitFor((all) => all.some(({ status }) => status === 204));
    // Recorded once the answer is in.
    await expect.poll(async () => (await deliveriesOf(acme, id)).nodes[0]?.status).toBe('DELIVERED');
    const { nodes } = await deliveriesOf(acme, id);
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ status: 'DELIVERED', attemptCount: 4, nextAttemptAt: null });
    expect(nodes[0]!.attempts.map(({ statusCode, succeeded }) => [statusCode, succeeded])).toEqual([[500, false], [500, false], [500, false], [204, true]]);
    expect(new Set(receiver.received.map(({ payload }) => payload.id)).size).toBe(1);
    const [endpoint] = (await acme.request(Endpoints)).webhookEndpoints;
    expect(endpoint).toMatchObject({ enabled: true, failingSince: null });
  });

  it('are dead-lettered after the retry window, and an endpoint failing for all of it is disabled (and logged)', async () => {
    receiver = await startReceiver();
    receiver.respond = () => 503;
    const { id } = await createEndpoint(acme, receiver.url);
    const logs = captureLogs('warn');
    startWorker({ retryBaseMs: 50, retryWindowMs: 800 }, logs.log);
    await createPersonId(acme, 'Unlucky');
    await expect.poll(async () => (await deliveriesOf(acme, id)).nodes[0]?.status, { timeout: 10_000 }).toBe('DEAD');
    const [delivery] = (await deliveriesOf(acme, id)).nodes;
    expect(delivery!.attempts.length).toBeGreaterThan(1);
    expect(delivery!.attempts.every(({ statusCode }) => statusCode === 503)).toBe(true);
    const [endpoint] = (await acme.request(Endpoints)).webhookEndpoints;
    expect(endpoint).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('HTTP 503') });
    expect(logs.entries.some((entry) => entry.msg === 'webhook endpoint disabled after failing for the whole retry window')).toBe(true);
    // Disabled, it is sent nothing more; redelivered after it is enabled again, the event arrives.
    const before = receiver.received.length;
    await createPersonId(acme, 'Unheard');
    receiver.respond = () => 200;
    await acme.request(UpdateEndpoint, { id, input: { enabled: true } });
    const { redeliverWebhook } = await acme.request(Redeliver, { id: delivery!.id });
    expect(redeliverWebhook).toMatchObject({ delivery: { eventId: delivery!.eventId, status: 'PENDING' } });
    await receiver.waitFor((all) => all.some(({ status, payload }) => status === 200 && payload.id === delivery!.eventId));
    expect(receiver.received.slice(before).map(({ payload }) => payload.data.familyName)).toEqual(['Unlucky']);
  });

  it("keep each person's order: a later event waits for an earlier one's retries", async () => {
    receiver = await startReceiver();
    // The first event of each person fails twice.
    const failures = new Map<string, number>();
    receiver.respond = (payload) => {
      if (payload.type !== 'PERSON_CREATED') return 200;
      const count = failures.get(payload.data.id) ?? 0;
      failures.set(payload.data.id, count + 1);
      return count < 2 ? 500 : 200;
    };
    await createEndpoint(acme, receiver.url);
    const people = [await createPersonId(acme, 'First'), await createPersonId(acme, 'Second')];
    for (const person of people) {
      for (const jobTitle of ['one', 'two', 'three']) await acme.request(UpdatePerson, { id: person, input: { jobTitle } });
    }
    startWorker();
    await receiver.waitFor((all) => all.filter(({ status }) => status === 200).length === 8);
    for (const person of people) {
      const theirs = receiver.received.filter(({ payload }) => payload.data.id === person);
      expect(theirs.map(({ payload, status }) => `${payload.type}:${status}`)).toEqual([
        'PERSON_CREATED:500',
        'PERSON_CREATED:500',
        'PERSON_CREATED:200',
        'PERSON_UPDATED:200',
        'PERSON_UPDATED:200',
        'PERSON_UPDATED:200',
      ]);
      expect(theirs.slice(3).map(({ payload }) => payload.data.jobTitle)).toEqual(['one', 'two', 'three']);
    }
  });

  it("are forgotten with an erased person: their queued events go, PERSON_ERASED says whom to forget and nothing more", async () => {
    receiver = await startReceiver();
    const { id } = await createEndpoint(acme, receiver.url);
    const erased = await createPersonId(acme, 'Forgotten');
    await acme.request(UpdatePerson, { id: erased, input: { jobTitle: 'Secret agent' } });
    const kept = await createPersonId(acme, 'Kept');
    expect((await acme.request(ErasePerson, { id: erased, reason: 'GDPR request 1' })).erasePerson.__typename).toBe('ErasePersonSuccess');
    expect(await test.prisma.webhookEvent.count({ where: { personId: localIdOf(erased), type: { not: 'PERSON_ERASED' } } })).toBe(0);
    startWorker();
    await receiver.waitFor((all) => all.length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Two people's events: in either order.
    expect(receiver.received.map(({ payload }) => `${payload.type} ${payload.data.id}`).sort()).toEqual([`PERSON_CREATED ${kept}`, `PERSON_ERASED ${erased}`]);
    const forget = receiver.received.find(({ payload }) => payload.type === 'PERSON_ERASED')!;
    expect(forget.payload.data).toEqual({ id: erased, details: {} });
    expect(forget.body).not.toContain('Forgotten');
    expect((await deliveriesOf(acme, id)).totalCount).toBe(2);
  });

  it('are not written by a dry run, a rolled-back write, or a replayed idempotent request', async () => {
    receiver = await startReceiver();
    const { id } = await createEndpoint(acme, receiver.url);
    const [one, two] = [await createPersonId(acme, 'One'), await createPersonId(acme, 'Two')];
    const afterSetup = await test.prisma.webhookEvent.count();
    await acme.request(ImportPeople, { input: { dryRun: true, rows: [{ familyName: 'Dry' }, { familyName: 'Run' }] } });
    await acme.request(MergePeople, { input: { dryRun: true, personIds: [one, two], primaryId: one } });
    // A stale version: the write is refused inside its transaction.
    const stale = await acme.request(UpdatePerson, { id: one, input: { jobTitle: 'Never' }, expectedVersion: 99 });
    expect(stale.updatePerson.__typename).toBe('ConflictError');
    expect(await test.prisma.webhookEvent.count()).toBe(afterSetup);
    const headers = { 'idempotency-key': 'webhook-replay-1' };
    const variables = { id: two, input: { jobTitle: 'Once' } };
    expect((await postTyped(test.app, acme.apiKey, UpdatePerson, variables, headers)).data?.updatePerson.__typename).toBe('UpdatePersonSuccess');
    const replay = await postTyped(test.app, acme.apiKey, UpdatePerson, variables, headers);
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(await test.prisma.webhookEvent.count()).toBe(afterSetup + 1);
    startWorker();
    await receiver.waitFor((all) => all.length >= 3);
    expect(receiver.received.map(({ payload }) => payload.type)).toEqual(['PERSON_CREATED', 'PERSON_CREATED', 'PERSON_UPDATED']);
    expect((await deliveriesOf(acme, id)).totalCount).toBe(3);
  });

  it('are shared by two workers (two instances on PostgreSQL) without sending any event twice', async () => {
    receiver = await startReceiver();
    // Slow answers: both workers have deliveries in flight at once.
    receiver.delayMs = 30;
    await createEndpoint(acme, receiver.url);
    const people = 40;
    const embedded = inject('embedded');
    const second = embedded ? undefined : createPrismaClient({ url: test.databaseUrl, schema: test.schema, poolSize: 4 });
    try {
      startWorker({ pollIntervalMs: 5 });
      // On PGlite, one session serves every connection: one instance, and a second worker in it.
      startWorker({ pollIntervalMs: 5 }, createLogger('error'), second ?? test.prisma);
      await Promise.all(Array.from({ length: people }, (_, index) => createPersonId(acme, `Shared ${index}`)));
      await receiver.waitFor((all) => all.length >= people);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const ids = receiver.received.map(({ payload }) => payload.id);
      expect(ids).toHaveLength(people);
      expect(new Set(ids).size).toBe(people);
    } finally {
      await Promise.all(workers.splice(0).map((worker) => worker.stop(0)));
      await second?.$disconnect();
    }
  });

  it('show in /metrics: attempts by outcome and the age of the oldest undelivered event', async () => {
    receiver = await startReceiver();
    await createEndpoint(acme, receiver.url);
    await createPersonId(acme, 'Waiting');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const waiting = await (await test.app.fetch('http://test/metrics')).text();
    expect(Number(/^webhook_oldest_pending_event_age_seconds (\S+)$/m.exec(waiting)?.[1])).toBeGreaterThanOrEqual(1);
    startWorker();
    await receiver.waitFor((all) => all.length === 1);
    await expect.poll(async () => /^webhook_oldest_pending_event_age_seconds (\S+)$/m.exec(await (await test.app.fetch('http://test/metrics')).text())?.[1]).toBe('0');
    const metrics = await (await test.app.fetch('http://test/metrics')).text();
    expect(metrics).toMatch(/^webhook_delivery_attempts_total\{outcome="delivered"\} [1-9]/m);
  });
});

