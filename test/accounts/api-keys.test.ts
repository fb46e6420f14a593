import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.ts';
import { hashApiKey } from '../../src/accounts/account-service.ts';
import { createApp } from '../../src/yoga.ts';
import { graphql } from '../generated/gql.ts';
import type { UserRole } from '../generated/graphql.ts';
import {
  clientWithKey,
  createOrgClient,
  createTestApp,
  createUserClient,
  postRaw,
  type TestApp,
  type TestClient,
} from '../support/app.ts';
import { databaseId } from '../support/fields.ts';

// Issue 12: API keys and users through the API. Keys are made and revoked by mutations, listed by
// role, shown once, checked on every request (revoked, expired, deactivated user), and the
// organisation keeps its last active admin.

const CreateApiKey = graphql(`
  mutation CreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      __typename
      ... on CreateApiKeySuccess { secret apiKey { id name prefix role createdAt lastUsedAt expiresAt revokedAt owner { id } } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ForbiddenError { message }
      ... on NotFoundError { resource }
    }
  }
`);

const RevokeApiKey = graphql(`
  mutation RevokeApiKey($id: ID!) {
    revokeApiKey(id: $id) {
      __typename
      ... on RevokeApiKeySuccess { apiKey { id revokedAt } }
      ... on NotFoundError { resource id }
      ... on ForbiddenError { message }
    }
  }
`);

const ApiKeys = graphql(`
  query ApiKeys {
    apiKeys(first: 100) { totalCount nodes { id name prefix role lastUsedAt revokedAt owner { id email } } }
  }
`);

const ApiKeyNode = graphql(`
  query ApiKeyNode($id: ID!) {
    node(id: $id) { __typename id ... on ApiKey { name } }
  }
`);

const ApiKeyFields = graphql(`
  query ApiKeyFields {
    __type(name: "ApiKey") { fields { name } }
  }
`);

const Users = graphql(`
  query Users {
    users(first: 100) { totalCount nodes { id email role deactivatedAt } }
  }
`);

const Viewer = graphql(`
  query KeysViewer {
    viewer { id role }
  }
`);

const ReactivateUser = graphql(`
  mutation ReactivateUser($id: ID!) {
    reactivateUser(id: $id) {
      __typename
      ... on ReactivateUserSuccess { user { id deactivatedAt } }
      ... on ForbiddenError { message }
    }
  }
`);

const CreateUser = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      __typename
      ... on CreateUserSuccess { user { id email name role deactivatedAt } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ConflictError { message }
      ... on ForbiddenError { message }
    }
  }
`);

const UpdateUser = graphql(`
  mutation UpdateUser($id: ID!, $input: UpdateUserInput!) {
    updateUser(id: $id, input: $input) {
      __typename
      ... on UpdateUserSuccess { user { id email name role } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ConflictError { message }
      ... on NotFoundError { resource }
      ... on ForbiddenError { message }
    }
  }
`);

const DeactivateUser = graphql(`
  mutation DeactivateUser($id: ID!) {
    deactivateUser(id: $id) {
      __typename
      ... on DeactivateUserSuccess { user { id deactivatedAt } }
      ... on ConflictError { message }
      ... on NotFoundError { resource }
      ... on ForbiddenError { message }
    }
  }
`);

let test: TestApp;
/** The same database behind an app whose key cache forgets after 50 ms. */
let shortLived: TestApp;
/** ... and one that remembers no key at all: every request looks its key up. */
let uncached: TestApp;
let acme: TestClient;
let other: TestClient;
const shortTtlMs = 50;

beforeAll(async () => {
  test = await createTestApp();
  const appWith = (ttlMs: number): TestApp => ({
    ...test,
    app: createApp({ prisma: test.prisma, log: createLogger('error'), dbSchema: test.schema, apiKeyCache: { ttlMs } }),
  });
  shortLived = appWith(shortTtlMs);
  uncached = appWith(0);
  acme = await createOrgClient(test, 'Acme');
  other = await createOrgClient(test, 'Other');
});
afterAll(() => test?.close());

const viewerQuery = JSON.stringify({ query: '{ viewer { id } }' });

async function statusWith(app: TestApp, apiKey: string): Promise<number> {
  const response = await postRaw(app, viewerQuery, { authorization: `Bearer ${apiKey}` });
  await response.body?.cancel();
  return response.status;
}

async function newKey(client: TestClient, input: { name: string; role?: UserRole; expiresAt?: string; userId?: string }) {
  const { createApiKey } = await client.request(CreateApiKey, { input });
  if (createApiKey.__typename !== 'CreateApiKeySuccess') throw new Error(`createApiKey answered ${JSON.stringify(createApiKey)}`);
  return createApiKey;
}

async function newUser(role: UserRole, email = `u-${Math.random().toString(36).slice(2)}@acme.org`) {
  const { createUser } = await acme.request(CreateUser, { input: { email, role } });
  if (createUser.__typename !== 'CreateUserSuccess') throw new Error(`createUser answered ${JSON.stringify(createUser)}`);
  return createUser.user;
}

describe('Mutation.createApiKey', () => {
  it('answers the secret once; the key works, and only its sha256 is stored', async () => {
    const created = await newKey(acme, { name: 'CI pipeline' });
    expect(created.secret).toMatch(/^pgw_[\w-]{40,}$/);
    expect(created.apiKey).toMatchObject({ name: 'CI pipeline', prefix: created.secret.slice(0, 12), role: null, revokedAt: null, owner: { id: expect.any(String) } });

    const client = clientWithKey(test, created.secret);
    expect((await client.request(Viewer)).viewer.id).toBe(created.apiKey.owner.id);

    // Nothing can read it again: the type has no such field, and the row holds only the hash.
    const { __type } = await acme.request(ApiKeyFields);
    expect(__type!.fields!.map((field) => field.name)).not.toContain('secret');
    const row = await test.prisma.apiKey.findUniqueOrThrow({ where: { id: databaseId(created.apiKey.id) } });
    expect(row.hashedKey).toBe(hashApiKey(created.secret));
    expect(JSON.stringify(row)).not.toContain(created.secret.slice(12));
  });

  it('refuses a blank name, a past expiry and a role above the caller\'s, writing nothing', async () => {
    const editor = await createUserClient(test, acme.organizationId, 'EDITOR');
    const before = await test.prisma.apiKey.count();
    const { createApiKey } = await editor.request(CreateApiKey, {
      input: { name: '  ', expiresAt: new Date(Date.now() - 1000).toISOString(), role: 'ADMIN' },
    });
    expect(createApiKey.__typename).toBe('ValidationError');
    if (createApiKey.__typename !== 'ValidationError') return;
    expect(createApiKey.fieldErrors.map((error) => error.path.join('.')).sort()).toEqual(['input.expiresAt', 'input.name', 'input.role']);
    expect(await test.prisma.apiKey.count()).toBe(before);
  });

  it("gives a key at most its user's role", async () => {
    const editor = await newUser('EDITOR');
    const { createApiKey } = await acme.request(CreateApiKey, { input: { name: 'too strong', role: 'ADMIN', userId: editor.id } });
    expect(createApiKey).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'role'] }] });
  });

  it('lets only an admin make a key for another user', async () => {
    const editor = await createUserClient(test, acme.organizationId, 'EDITOR');
    const target = await newUser('VIEWER');
    expect((await editor.request(CreateApiKey, { input: { name: 'theirs', userId: target.id } })).createApiKey.__typename).toBe('ForbiddenError');

    const made = await newKey(acme, { name: 'for the viewer', userId: target.id });
    expect(made.apiKey.owner.id).toBe(target.id);
    const { viewer } = await clientWithKey(test, made.secret).request(Viewer);
    expect(viewer).toEqual({ id: target.id, role: 'VIEWER' });
  });

  it("names another organisation's user as not in this organisation", async () => {
    const otherUserId = (await other.request(Viewer)).viewer.id;
    const { createApiKey } = await acme.request(CreateApiKey, { input: { name: 'x', userId: otherUserId } });
    expect(createApiKey).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'userId'], message: expect.stringMatching(/in this organisation/) }] });
  });

  it('lets a viewer make keys of their own, as a viewer', async () => {
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    const made = await newKey(viewer, { name: 'my laptop' });
    expect((await clientWithKey(test, made.secret).request(Viewer)).viewer.role).toBe('VIEWER');
  });
});

describe('Query.apiKeys', () => {
  it("shows an admin the organisation's keys, anyone else their own, and no one another organisation's", async () => {
    const editor = await createUserClient(test, acme.organizationId, 'EDITOR');
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    const editorKey = await newKey(editor, { name: 'editor second key' });
    const otherKey = await newKey(other, { name: 'other org key' });

    const asAdmin = (await acme.request(ApiKeys)).apiKeys;
    const asEditor = (await editor.request(ApiKeys)).apiKeys;
    const asViewer = (await viewer.request(ApiKeys)).apiKeys;
    const allOfAcme = await test.prisma.apiKey.count({ where: { organizationId: acme.organizationId } });

    expect(asAdmin.totalCount).toBe(allOfAcme);
    expect(asAdmin.nodes.map((key) => key.id)).toContain(editorKey.apiKey.id);
    expect(asAdmin.nodes.map((key) => key.id)).not.toContain(otherKey.apiKey.id);
    expect(asEditor.totalCount).toBe(2);
    expect(new Set(asEditor.nodes.map((key) => databaseId(key.owner.id)))).toEqual(new Set([editor.userId]));
    expect(asViewer.totalCount).toBe(1);
    expect(databaseId(asViewer.nodes[0]!.owner.id)).toBe(viewer.userId);

    // node(id) hides the same keys.
    expect((await viewer.request(ApiKeyNode, { id: editorKey.apiKey.id })).node).toBeNull();
    expect((await acme.request(ApiKeyNode, { id: otherKey.apiKey.id })).node).toBeNull();
    expect((await acme.request(ApiKeyNode, { id: editorKey.apiKey.id })).node).toMatchObject({ __typename: 'ApiKey', name: 'editor second key' });
  });

  it('records lastUsedAt on first use, then at most once a minute', async () => {
    const made = await newKey(acme, { name: 'usage' });
    const writes = () => test.sql.filter((statement) => /^\s*UPDATE\b[\s\S]*"ApiKey"/i.test(statement)).length;
    test.sql.length = 0;
    for (let i = 0; i < 3; i++) expect(await statusWith(uncached, made.secret)).toBe(200);
    expect(writes()).toBe(1);
    const firstUse = (await test.prisma.apiKey.findUniqueOrThrow({ where: { hashedKey: hashApiKey(made.secret) } })).lastUsedAt;
    expect(firstUse).toBeInstanceOf(Date);

    // Two minutes later (moved back in the database), the next use writes it again.
    await test.prisma.apiKey.update({ where: { hashedKey: hashApiKey(made.secret) }, data: { lastUsedAt: new Date(Date.now() - 120_000) } });
    test.sql.length = 0;
    expect(await statusWith(uncached, made.secret)).toBe(200);
    expect(writes()).toBe(1);
    const listed = (await acme.request(ApiKeys)).apiKeys.nodes.find((key) => key.id === made.apiKey.id)!;
    expect(new Date(listed.lastUsedAt!).getTime()).toBeGreaterThanOrEqual(firstUse!.getTime());
  });
});

describe('Mutation.revokeApiKey', () => {
  it("stops a key once the instance's key cache has forgotten it", async () => {
    const made = await newKey(acme, { name: 'to revoke' });
    expect(await statusWith(test, made.secret)).toBe(200);
    expect(await statusWith(shortLived, made.secret)).toBe(200);
    const { revokeApiKey } = await acme.request(RevokeApiKey, { id: made.apiKey.id });
    expect(revokeApiKey).toMatchObject({ __typename: 'RevokeApiKeySuccess', apiKey: { revokedAt: expect.any(String) } });
    // An instance that looks keys up again refuses it at once ...
    expect(await statusWith(uncached, made.secret)).toBe(401);
    // ... one that has just seen it trusts it for its TTL (10 s by default), then refuses it.
    expect(await statusWith(test, made.secret)).toBe(200);
    await sleep(shortTtlMs * 2);
    expect(await statusWith(shortLived, made.secret)).toBe(401);

    // Revoking twice keeps the first date.
    const again = await acme.request(RevokeApiKey, { id: made.apiKey.id });
    expect(again.revokeApiKey).toEqual(revokeApiKey);
  });

  it("answers NotFound for another user's key to a non-admin, and lets them revoke their own", async () => {
    const editor = await createUserClient(test, acme.organizationId, 'EDITOR');
    const adminKey = await newKey(acme, { name: 'admin only' });
    expect((await editor.request(RevokeApiKey, { id: adminKey.apiKey.id })).revokeApiKey).toMatchObject({ __typename: 'NotFoundError', resource: 'ApiKey' });
    expect(await statusWith(uncached, adminKey.secret)).toBe(200);

    const ownKey = await newKey(editor, { name: 'mine' });
    expect((await editor.request(RevokeApiKey, { id: ownKey.apiKey.id })).revokeApiKey.__typename).toBe('RevokeApiKeySuccess');
    expect(await statusWith(uncached, ownKey.secret)).toBe(401);
    expect((await acme.request(RevokeApiKey, { id: 'not-an-id' })).revokeApiKey.__typename).toBe('NotFoundError');
  });
});

describe('expiring keys', () => {
  it('refuses an expired key, even on an instance that has it cached', async () => {
    const made = await newKey(acme, { name: 'short', expiresAt: new Date(Date.now() + 300).toISOString() });
    expect(made.apiKey.expiresAt).not.toBeNull();
    expect(await statusWith(test, made.secret)).toBe(200);
    await sleep(400);
    // The default TTL is 10 s, but the cache trusts a key no longer than its expiry.
    expect(await statusWith(test, made.secret)).toBe(401);
    expect(await statusWith(uncached, made.secret)).toBe(401);
  });
});

describe('Mutation.createUser, updateUser, deactivateUser', () => {
  it('adds a user, refuses a duplicate email, and lists users by role', async () => {
    const user = await newUser('EDITOR', 'Jo@Acme.org');
    expect(user).toMatchObject({ email: 'jo@acme.org', role: 'EDITOR', deactivatedAt: null });
    const { createUser } = await acme.request(CreateUser, { input: { email: 'JO@acme.org' } });
    expect(createUser.__typename).toBe('ConflictError');
    expect((await acme.request(CreateUser, { input: { email: 'nope' } })).createUser).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'email'] }],
    });

    const asAdmin = (await acme.request(Users)).users;
    expect(asAdmin.totalCount).toBe(await test.prisma.user.count({ where: { organizationId: acme.organizationId } }));
    expect(asAdmin.nodes.map((node) => node.id)).toContain(user.id);
    const editor = await createUserClient(test, acme.organizationId, 'EDITOR');
    expect((await editor.request(Users)).users.nodes.map((node) => node.id)).toEqual([(await editor.request(Viewer)).viewer.id]);
  });

  it("changes a user's role; their keys act with it once the cache forgets", async () => {
    const user = await newUser('EDITOR');
    const key = await newKey(acme, { name: 'theirs', userId: user.id });
    expect((await clientWithKey(uncached, key.secret).request(Viewer)).viewer.role).toBe('EDITOR');
    const { updateUser } = await acme.request(UpdateUser, { id: user.id, input: { role: 'VIEWER', name: 'Jo' } });
    expect(updateUser).toMatchObject({ __typename: 'UpdateUserSuccess', user: { role: 'VIEWER', name: 'Jo' } });
    expect((await clientWithKey(uncached, key.secret).request(Viewer)).viewer.role).toBe('VIEWER');
    const otherOrgUser = (await other.request(Viewer)).viewer.id;
    expect((await acme.request(UpdateUser, { id: otherOrgUser, input: { role: 'VIEWER' } })).updateUser.__typename).toBe('NotFoundError');
  });

  it("stops a deactivated user's keys, makes no new ones for them, and lets them work again once reactivated", async () => {
    const user = await newUser('EDITOR');
    const key = await newKey(acme, { name: 'theirs', userId: user.id });
    expect(await statusWith(shortLived, key.secret)).toBe(200);
    const { deactivateUser } = await acme.request(DeactivateUser, { id: user.id });
    expect(deactivateUser).toMatchObject({ __typename: 'DeactivateUserSuccess', user: { deactivatedAt: expect.any(String) } });
    expect(await statusWith(uncached, key.secret)).toBe(401);
    await sleep(shortTtlMs * 2);
    expect(await statusWith(shortLived, key.secret)).toBe(401);
    expect((await acme.request(CreateApiKey, { input: { name: 'more', userId: user.id } })).createApiKey).toMatchObject({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'userId'] }],
    });
    expect((await acme.request(DeactivateUser, { id: user.id })).deactivateUser).toEqual(deactivateUser);

    // Reactivated, the same key works again.
    expect((await acme.request(ReactivateUser, { id: user.id })).reactivateUser).toEqual({
      __typename: 'ReactivateUserSuccess',
      user: { id: user.id, deactivatedAt: null },
    });
    expect(await statusWith(uncached, key.secret)).toBe(200);
  });

  it('keeps the last active admin: no demotion, no deactivation, and two admins cannot demote each other at once', async () => {
    const org = await createOrgClient(test, 'Solo');
    const { viewer: self } = await org.request(Viewer);
    expect((await org.request(UpdateUser, { id: self.id, input: { role: 'EDITOR' } })).updateUser).toMatchObject({
      __typename: 'ConflictError',
      message: expect.stringMatching(/last active admin/),
    });
    expect((await org.request(DeactivateUser, { id: self.id })).deactivateUser.__typename).toBe('ConflictError');
    expect((await org.request(Viewer)).viewer.role).toBe('ADMIN');

    // A second admin: now either may be demoted, but not both, even at the same moment.
    const { createUser } = await org.request(CreateUser, { input: { email: 'second@solo.org', role: 'ADMIN' } });
    if (createUser.__typename !== 'CreateUserSuccess') throw new Error(createUser.__typename);
    const second = await newKey(org, { name: 'second', userId: createUser.user.id });
    const secondClient = clientWithKey(test, second.secret);
    const [first, other] = await Promise.all([
      org.request(UpdateUser, { id: createUser.user.id, input: { role: 'EDITOR' } }),
      secondClient.request(DeactivateUser, { id: self.id }),
    ]);
    expect([first.updateUser.__typename, other.deactivateUser.__typename].sort()).toEqual(['ConflictError', expect.stringMatching(/Success$/)]);
    const activeAdmins = await test.prisma.user.count({ where: { organizationId: org.organizationId, role: 'ADMIN', deactivatedAt: null } });
    expect(activeAdmins).toBe(1);
  });
});
