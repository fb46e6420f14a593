import { builder } from '../builder.ts';
import { serviceContext } from '../context.ts';
import { apiKeyCacheTtlMs } from '../services/api-key-cache.ts';
import { type CreatedApiKey, createApiKey, revokeApiKey, visibleKeysWhere } from '../services/api-key-service.ts';
import { IssueList } from '../services/errors.ts';
import { mutationResult } from './errors.ts';
import { inputId, targetId } from './ids.ts';
import { UserRoleEnum } from './user.ts';

const cacheSeconds = apiKeyCacheTtlMs / 1000;

export const ApiKey = builder.prismaNode('ApiKey', {
  description: 'A key a user sends as `Authorization: Bearer <secret>`. Its secret is shown once, by createApiKey; only its sha256 is kept.',
  id: { field: 'id' },
  // node(id) answers null for a key that is not yours to see (another user's, to a non-admin).
  nullable: true,
  findUnique: (id, ctx) => ({ id, ...visibleKeysWhere(serviceContext(ctx).actor) }),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'What the key is for; empty for keys made by the command line before keys had names.' }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the secret, to recognise it; not enough to use it.' }),
    role: t.expose('role', {
      type: UserRoleEnum,
      nullable: true,
      description: "The role the key acts with, never more than its owner's current role. Null: the owner's role, whatever it becomes.",
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    lastUsedAt: t.expose('lastUsedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the key last authenticated a request, to within about a minute (it is written at most once a minute).',
    }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'After this, the key no longer works. Null: never expires.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
    owner: t.relation('user', { description: 'The user the key acts for.' }),
  }),
});

builder.queryField('apiKeys', (t) =>
  t.prismaConnection({
    type: 'ApiKey',
    cursor: 'id',
    description: "API keys, revoked and expired ones included, oldest first: an admin sees the organisation's, anyone else their own.",
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.apiKey.findMany({ ...query, where: visibleKeysWhere(serviceContext(ctx).actor), orderBy: { id: 'asc' } }),
    totalCount: (_root, _args, ctx) => ctx.prisma.apiKey.count({ where: visibleKeysWhere(serviceContext(ctx).actor) }),
  }),
);

const CreateApiKeyInput = builder.inputType('CreateApiKeyInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'What the key is for (at most 500 characters).' }),
    role: t.field({
      type: UserRoleEnum,
      description: "At most the owner's role and your key's. Absent: the owner's role, whatever it becomes (or your key's, if that is lower).",
    }),
    expiresAt: t.field({ type: 'DateTime', description: 'In the future; absent: the key never expires.' }),
    userId: t.id({ description: 'The user the key acts for; you when absent. Only an admin may name another user.' }),
  }),
});

const CreateApiKeySuccess = builder.objectRef<CreatedApiKey>('CreateApiKeySuccess').implement({
  description: 'A new key, with its secret.',
  fields: (t) => ({
    apiKey: t.field({ type: ApiKey, resolve: (created) => created.apiKey }),
    secret: t.exposeString('secret', {
      description: 'The key to send as `Authorization: Bearer <secret>`. Shown this once: it cannot be read again, only revoked and replaced.',
    }),
  }),
});

const createApiKeyResult = mutationResult('CreateApiKey', 'created');

builder.mutationField('createApiKey', (t) =>
  t.field({
    type: CreateApiKeySuccess,
    // Anyone may make keys of their own; the service lets only an admin make one for another user.
    skipTypeScopes: true,
    authScopes: { viewer: true },
    description: 'Makes an API key and answers its secret, once.',
    // The success type is CreateApiKeySuccess itself (key and secret side by side), not a wrapper.
    errors: { types: createApiKeyResult.types, union: createApiKeyResult.union, directResult: true },
    args: { input: t.arg({ type: CreateApiKeyInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const issues = new IssueList();
      const userId = input.userId ? inputId(issues, ['input', 'userId'], input.userId, 'User') : undefined;
      issues.throwIfAny();
      return createApiKey(serviceContext(ctx), { ...input, userId });
    },
  }),
);

builder.mutationField('revokeApiKey', (t) =>
  t.field({
    type: ApiKey,
    skipTypeScopes: true,
    authScopes: { viewer: true },
    description: `Revokes a key of yours (an admin: any of the organisation's). It stops working within ${cacheSeconds} seconds, the time an instance trusts a key it has looked up. Revoking twice keeps the first date.`,
    errors: mutationResult('RevokeApiKey', 'apiKey'),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => revokeApiKey(serviceContext(ctx), targetId(id, 'ApiKey')),
  }),
);
