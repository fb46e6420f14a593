import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';
import { graphql } from '../generated/gql.ts';
import { clientWithKey, createOrgClient, createTestApp, createUserClient, type TestApp, type TestClient } from '../support/app.ts';

// Roles are scope-auth scopes on the schema (src/graphql/roles.ts): every query needs a key,
// every mutation an editor unless its field says otherwise, user management an admin. A caller
// without the role gets the typed ForbiddenError of the mutation's result union, never a masked
// error; and a key acts with its own role when that is lower than its user's.

const People = graphql(`
  query RolesPeople {
    people(first: 5) { totalCount }
    viewer { role }
  }
`);

const CreateProject = graphql(`
  mutation RolesCreateProject($input: ProjectInput!) {
    createProject(input: $input) {
      __typename
      ... on CreateProjectSuccess { project { id } }
      ... on ForbiddenError { message }
    }
  }
`);

const CreateUser = graphql(`
  mutation RolesCreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      __typename
      ... on CreateUserSuccess { user { id } }
      ... on ForbiddenError { message }
    }
  }
`);

const CreateApiKey = graphql(`
  mutation RolesCreateApiKey($input: CreateApiKeyInput!) {
    createApiKey(input: $input) {
      __typename
      ... on CreateApiKeySuccess { secret apiKey { role } }
      ... on ForbiddenError { message }
    }
  }
`);

let test: TestApp;
let admin: TestClient;
let editor: TestClient;
let viewer: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  admin = await createOrgClient(test);
  editor = await createUserClient(test, admin.organizationId, 'EDITOR');
  viewer = await createUserClient(test, admin.organizationId, 'VIEWER');
});
afterAll(() => test?.close());

describe('roles per field', () => {
  it('lets every role read', async () => {
    for (const [client, role] of [[admin, 'ADMIN'], [editor, 'EDITOR'], [viewer, 'VIEWER']] as const) {
      expect((await client.request(People)).viewer.role).toBe(role);
    }
  });

  it('lets editors and admins write, and answers a viewer ForbiddenError as data, writing nothing', async () => {
    for (const [client, title] of [[admin, 'By admin'], [editor, 'By editor']] as const) {
      expect((await client.request(CreateProject, { input: { title } })).createProject.__typename).toBe('CreateProjectSuccess');
    }
    const { createProject } = await viewer.request(CreateProject, { input: { title: 'By viewer' } });
    expect(createProject).toEqual({ __typename: 'ForbiddenError', message: 'A viewer can read but not change anything.' });
    expect(await test.prisma.project.count({ where: { title: 'By viewer' } })).toBe(0);
  });

  it('lets only admins manage users', async () => {
    for (const client of [editor, viewer]) {
      const { createUser } = await client.request(CreateUser, { input: { email: `x-${client.userId}@acme.org` } });
      expect(createUser).toMatchObject({ __typename: 'ForbiddenError', message: expect.stringMatching(/^Only an admin may do this/) });
    }
    expect((await admin.request(CreateUser, { input: { email: 'new@acme.org' } })).createUser.__typename).toBe('CreateUserSuccess');
    expect(await test.prisma.user.count({ where: { email: { startsWith: 'x-' } } })).toBe(0);
  });

  it('lets every role make keys of their own', async () => {
    for (const client of [admin, editor, viewer]) {
      expect((await client.request(CreateApiKey, { input: { name: 'own' } })).createApiKey.__typename).toBe('CreateApiKeySuccess');
    }
  });

  it("acts with a key's own role when it is lower than its user's", async () => {
    const { createApiKey } = await admin.request(CreateApiKey, { input: { name: 'read-only dashboard', role: 'VIEWER' } });
    if (createApiKey.__typename !== 'CreateApiKeySuccess') throw new Error(createApiKey.__typename);
    const readOnly = clientWithKey(test, createApiKey.secret);
    // viewer is the key's user, an admin; what the key may do is a viewer's.
    expect((await readOnly.request(People)).viewer.role).toBe('ADMIN');
    expect((await readOnly.request(CreateProject, { input: { title: 'Sneaky' } })).createProject.__typename).toBe('ForbiddenError');
    expect((await readOnly.request(CreateUser, { input: { email: 'sneaky@acme.org' } })).createUser.__typename).toBe('ForbiddenError');
    // Nor can it make itself a stronger key: a key it makes acts as a viewer too.
    const { createApiKey: made } = await readOnly.request(CreateApiKey, { input: { name: 'escalate?' } });
    if (made.__typename !== 'CreateApiKeySuccess') throw new Error(made.__typename);
    expect(made.apiKey.role).toBe('VIEWER');
    const { createProject } = await clientWithKey(test, made.secret).request(CreateProject, { input: { title: 'Sneaky too' } });
    expect(createProject.__typename).toBe('ForbiddenError');
  });
});

describe('the scopes on the schema', () => {
  /** What a field of Query or Mutation needs, as scope-auth reads it: the field's scopes, then its type's unless it skips them. */
  function scopesOf(typeName: 'Query' | 'Mutation', fieldName: string): string[] {
    const type = typeName === 'Query' ? schema.getQueryType()! : schema.getMutationType()!;
    const typeOptions = (type.extensions as { pothosOptions?: { authScopes?: Record<string, boolean> } }).pothosOptions;
    const fieldOptions = (type.getFields()[fieldName]!.extensions as {
      pothosOptions?: { authScopes?: Record<string, boolean>; skipTypeScopes?: boolean };
    }).pothosOptions;
    const fromType = fieldOptions?.skipTypeScopes ? [] : Object.keys(typeOptions?.authScopes ?? {});
    return [...new Set([...fromType, ...Object.keys(fieldOptions?.authScopes ?? {})])].sort();
  }

  it("needs editor for every mutation but key and user management, admin for user management, keys' rate limits, personal data and webhooks", () => {
    const mutations = Object.keys(schema.getMutationType()!.getFields());
    const needs = Object.fromEntries(mutations.map((name) => [name, scopesOf('Mutation', name)]));
    for (const name of ['createApiKey', 'revokeApiKey']) expect(needs[name], name).toEqual(['viewer']);
    const adminOnly = [
      'createUser',
      'updateUser',
      'deactivateUser',
      'reactivateUser',
      'updateApiKey',
      'exportPerson',
      'erasePerson',
      'createWebhookEndpoint',
      'updateWebhookEndpoint',
      'deleteWebhookEndpoint',
      'rotateWebhookSecret',
      'redeliverWebhook',
    ];
    for (const name of adminOnly) expect(needs[name], name).toEqual(['admin']);
    const writes = mutations.filter((name) => !['createApiKey', 'revokeApiKey', ...adminOnly].includes(name));
    expect(writes.length).toBeGreaterThan(30);
    for (const name of writes) expect(needs[name], name).toEqual(['editor']);
  });

  it('needs a key for every Pothos query field, and an admin for erasures and webhooks', () => {
    // _service and _entities are federation's, outside Pothos: src/http/auth.ts guards them.
    const queries = Object.keys(schema.getQueryType()!.getFields()).filter((name) => !name.startsWith('_'));
    const adminOnly = ['erasures', 'webhookEndpoints', 'webhookDeliveries'];
    for (const name of adminOnly) expect(scopesOf('Query', name), name).toEqual(['admin']);
    for (const name of queries.filter((query) => !adminOnly.includes(query))) expect(scopesOf('Query', name), name).toEqual(['viewer']);
  });
});
