import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepExpiredIdempotencyKeys } from '../../src/http/idempotency-store.ts';
import { graphql } from '../generated/index.ts';
import { createOrgClient, createTestApp, postTyped, type TestApp, type TestClient } from '../support/app.ts';

/**
 * Idempotency-Key on mutations, through HTTP: a replay of the same request gets the first
 * response and writes nothing; the key with another request is IDEMPOTENCY_KEY_REUSED; concurrent
 * replays write once; keys are the organisation's; the record is written in the mutation's own
 * transaction (an execution with errors leaves neither).
 */

const CreatePerson = graphql(`
  mutation IdempotentCreatePerson($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id fullName createdAt } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const CreatePersonWithBadPage = graphql(`
  mutation IdempotentCreatePersonBadPage($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id notes(first: 101) { totalCount } } }
    }
  }
`);

const CreateTag = graphql(`
  mutation IdempotentCreateTag($input: TagInput!) {
    createTag(input: $input) {
      __typename
      ... on CreateTagSuccess { tag { id title } }
      ... on ConflictError { message }
    }
  }
`);

const DeleteTag = graphql(`
  mutation IdempotentDeleteTag($id: ID!) { deleteTag(id: $id) { __typename } }
`);

const ImportPeople = graphql(`
  mutation IdempotentImport($input: ImportPeopleInput!) {
    importPeople(input: $input) {
      __typename
      ... on ImportPeopleSuccess { import { id createdCount status } }
    }
  }
`);

const MergePeople = graphql(`
  mutation IdempotentMerge($input: MergePeopleInput!) {
    mergePeople(input: $input) {
      __typename
      ... on MergePeopleSuccess { person { id fullName } }
    }
  }
`);

const People = graphql(`query IdempotentPeople { people(first: 1) { totalCount } }`);

let test: TestApp;
let acme: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
});

afterAll(async () => {
  await test?.close();
});

const withKey = (key: string) => ({ 'idempotency-key': key });

function peopleNamed(client: TestClient, familyName: string): Promise<number> {
  return test.prisma.person.count({ where: { organizationId: client.organizationId, familyName } });
}

describe('Idempotency-Key', () => {
  it('answers a replay with the first response and creates nothing more', async () => {
    const key = randomUUID();
    const input = { givenName: 'Ida', familyName: `Replay-${key}` };
    const first = await postTyped(test.app, acme.apiKey, CreatePerson, { input }, withKey(key));
    expect(first.status).toBe(200);
    expect(first.data!.createPerson.__typename).toBe('CreatePersonSuccess');
    expect(first.headers.get('Idempotent-Replayed')).toBeNull();
    const replay = await postTyped(test.app, acme.apiKey, CreatePerson, { input }, withKey(key));
    expect(replay.status).toBe(200);
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(replay.data).toEqual(first.data);
    expect(await peopleNamed(acme, input.familyName)).toBe(1);
    // Variables in another key order are the same request.
    const reordered = await postTyped(test.app, acme.apiKey, CreatePerson, { input: { familyName: input.familyName, givenName: 'Ida' } }, withKey(key));
    expect(reordered.data).toEqual(first.data);
    expect(await peopleNamed(acme, input.familyName)).toBe(1);
  });

  it('refuses the key with another request as IDEMPOTENCY_KEY_REUSED (422), writing nothing', async () => {
    const key = randomUUID();
    const familyName = `Reused-${key}`;
    await postTyped(test.app, acme.apiKey, CreatePerson, { input: { familyName } }, withKey(key));
    const other = await postTyped(test.app, acme.apiKey, CreatePerson, { input: { familyName, givenName: 'Other' } }, withKey(key));
    expect(other.status).toBe(422);
    expect(other.errors![0]!.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    // Another operation too.
    const tag = await postTyped(test.app, acme.apiKey, CreateTag, { input: { title: familyName } }, withKey(key));
    expect(tag.errors![0]!.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await peopleNamed(acme, familyName)).toBe(1);
    expect(await test.prisma.tag.count({ where: { organizationId: acme.organizationId, title: familyName } })).toBe(0);
  });

  it('creates one record for concurrent replays, each answered with the same response', async () => {
    const key = randomUUID();
    const input = { givenName: 'Con', familyName: `Concurrent-${key}` };
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => postTyped(test.app, acme.apiKey, CreatePerson, { input }, withKey(key))),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    for (const response of responses) expect(response.data).toEqual(responses[0]!.data);
    expect(responses[0]!.data!.createPerson.__typename).toBe('CreatePersonSuccess');
    expect(responses.filter((response) => response.headers.get('Idempotent-Replayed') === 'true')).toHaveLength(4);
    expect(await peopleNamed(acme, input.familyName)).toBe(1);
  });

  it('keeps a typed error as the answer: a replay gets it again even once the request would succeed', async () => {
    const title = `Taken-${randomUUID()}`;
    const existing = await postTyped(test.app, acme.apiKey, CreateTag, { input: { title } });
    if (existing.data!.createTag.__typename !== 'CreateTagSuccess') throw new Error('tag not created');
    const key = randomUUID();
    const conflict = await postTyped(test.app, acme.apiKey, CreateTag, { input: { title } }, withKey(key));
    expect(conflict.data!.createTag.__typename).toBe('ConflictError');
    await postTyped(test.app, acme.apiKey, DeleteTag, { id: existing.data!.createTag.tag.id });
    const replay = await postTyped(test.app, acme.apiKey, CreateTag, { input: { title } }, withKey(key));
    expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
    expect(replay.data).toEqual(conflict.data);
    expect(await test.prisma.tag.count({ where: { organizationId: acme.organizationId, title } })).toBe(0);
  });

  it('keeps nothing when the execution had errors: the mutation is rolled back with the record, and the key stays free', async () => {
    const key = randomUUID();
    const familyName = `Rolled-${key}`;
    const failed = await postTyped(test.app, acme.apiKey, CreatePersonWithBadPage, { input: { familyName } }, withKey(key));
    expect(failed.data ?? null).toBeNull();
    expect(failed.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(await peopleNamed(acme, familyName)).toBe(0);
    const next = await postTyped(test.app, acme.apiKey, CreatePerson, { input: { familyName } }, withKey(key));
    expect(next.data!.createPerson.__typename).toBe('CreatePersonSuccess');
    expect(await peopleNamed(acme, familyName)).toBe(1);
  });

  it('keeps keys apart per organisation', async () => {
    const other = await createOrgClient(test, 'Other');
    const key = randomUUID();
    const input = { familyName: `Shared-${key}` };
    const mine = await postTyped(test.app, acme.apiKey, CreatePerson, { input }, withKey(key));
    const theirs = await postTyped(test.app, other.apiKey, CreatePerson, { input }, withKey(key));
    expect(theirs.headers.get('Idempotent-Replayed')).toBeNull();
    expect(theirs.data).not.toEqual(mine.data);
    const theirsAgain = await postTyped(test.app, other.apiKey, CreatePerson, { input }, withKey(key));
    expect(theirsAgain.headers.get('Idempotent-Replayed')).toBe('true');
    expect(theirsAgain.data).toEqual(theirs.data);
    expect(await peopleNamed(acme, input.familyName)).toBe(1);
    expect(await peopleNamed(other, input.familyName)).toBe(1);
  });

  it('replays an import (its batches run in the one transaction) and a merge', async () => {
    const key = randomUUID();
    const familyName = `Imported-${key}`;
    const input = { rows: [{ givenName: 'A', familyName }, { givenName: 'B', familyName }] };
    const first = await postTyped(test.app, acme.apiKey, ImportPeople, { input }, withKey(key));
    expect(first.data!.importPeople).toMatchObject({ __typename: 'ImportPeopleSuccess', import: { createdCount: 2, status: 'COMPLETED' } });
    const replay = await postTyped(test.app, acme.apiKey, ImportPeople, { input }, withKey(key));
    expect(replay.data).toEqual(first.data);
    expect(await peopleNamed(acme, familyName)).toBe(2);
    expect(await test.prisma.import.count({ where: { organizationId: acme.organizationId } })).toBe(1);

    const ids = await test.prisma.person.findMany({ where: { organizationId: acme.organizationId, familyName }, select: { id: true } });
    const globalIds = ids.map(({ id }) => Buffer.from(`Person:${id}`).toString('base64'));
    const mergeKey = randomUUID();
    const mergeInput = { personIds: globalIds, primaryId: globalIds[0]! };
    const merged = await postTyped(test.app, acme.apiKey, MergePeople, { input: mergeInput }, withKey(mergeKey));
    expect(merged.data!.mergePeople.__typename).toBe('MergePeopleSuccess');
    const mergedAgain = await postTyped(test.app, acme.apiKey, MergePeople, { input: mergeInput }, withKey(mergeKey));
    expect(mergedAgain.data).toEqual(merged.data);
    expect(await peopleNamed(acme, familyName)).toBe(1);
  });

  it('ignores the key on a query, and refuses a malformed key with 400', async () => {
    const key = randomUUID();
    expect((await postTyped(test.app, acme.apiKey, People, {}, withKey(key))).status).toBe(200);
    const again = await postTyped(test.app, acme.apiKey, People, {}, withKey(key));
    expect(again.headers.get('Idempotent-Replayed')).toBeNull();
    expect(await test.prisma.idempotencyKey.count({ where: { key } })).toBe(0);
    const bad = await postTyped(test.app, acme.apiKey, CreatePerson, { input: { familyName: 'Bad key' } }, withKey('with spaces'));
    expect(bad.status).toBe(400);
    expect(bad.errors![0]!.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_INVALID' });
  });

  it('forgets a key after 24 hours: it may then name a new request, and the sweep deletes it', async () => {
    const key = randomUUID();
    await postTyped(test.app, acme.apiKey, CreatePerson, { input: { familyName: `Old-${key}` } }, withKey(key));
    const dayAndAnHourAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    await test.prisma.idempotencyKey.updateMany({ where: { key }, data: { createdAt: dayAndAnHourAgo } });
    const fresh = await postTyped(test.app, acme.apiKey, CreatePerson, { input: { familyName: `New-${key}` } }, withKey(key));
    expect(fresh.data!.createPerson.__typename).toBe('CreatePersonSuccess');
    expect(await peopleNamed(acme, `New-${key}`)).toBe(1);

    const otherKey = randomUUID();
    await postTyped(test.app, acme.apiKey, CreatePerson, { input: { familyName: `Swept-${otherKey}` } }, withKey(otherKey));
    await test.prisma.idempotencyKey.updateMany({ where: { key: otherKey }, data: { createdAt: dayAndAnHourAgo } });
    expect(await sweepExpiredIdempotencyKeys(test.prisma)).toBeGreaterThanOrEqual(1);
    expect(await test.prisma.idempotencyKey.count({ where: { key: otherKey } })).toBe(0);
    expect(await test.prisma.idempotencyKey.count({ where: { key } })).toBe(1);
  });
});
