import { builder } from '../../graphql/builder.ts';
import { serviceContext } from '../../graphql/context.ts';
import { apiKeyCacheTtlMs } from '../api-key-cache.ts';
import type { KeyRateLimit } from '../../shared/actor.ts';
import {
  type CreatedApiKey,
  createApiKey,
  keyRateLimitBounds as bounds,
  revokeApiKey,
  updateApiKey,
  visibleKeysWhere,
} from '../api-key-service.ts';
import { IssueList } from '../../shared/errors.ts';
import { mutationResult } from '../../graphql/errors.ts';
import { inputId, targetId } from '../../graphql/ids.ts';
import { UserRoleEnum } from './user.ts';

const cacheSeconds = apiKeyCacheTtlMs / 1000;

const ApiKeyRateLimit = builder.objectRef<KeyRateLimit>('ApiKeyRateLimit').implement({
  description: `A key's rate limit (see "Rate limits" in the README). Set by an admin; a change applies within ${cacheSeconds} seconds, the time an instance trusts a key it has looked up.`,
  fields: (t) => ({
    capacity: t.exposeInt('capacity', { nullable: true, description: "Tokens its full bucket holds. Null: the server's default (RATE_LIMIT_CAPACITY)." }),
    refillPerSecond: t.exposeInt('refillPerSecond', {
      nullable: true,
      description: "Tokens added back every second. Null: the server's default (RATE_LIMIT_REFILL_PER_SECOND).",
    }),
    exempt: t.exposeBoolean('exempt', { description: 'Never charged, never answered 429 (its operations still have their cost limits).' }),
  }),
});

const ApiKeyRateLimitInput = builder.inputType('ApiKeyRateLimitInput', {
  description: `A key's own token bucket (admins only). A field left out is the server's default; \`{}\` is the default bucket.`,
  fields: (t) => ({
    capacity: t.int({ description: `Tokens a full bucket holds: ${bounds.capacity.min} to ${bounds.capacity.max}.` }),
    refillPerSecond: t.int({ description: `Tokens added back every second: ${bounds.refillPerSecond.min} to ${bounds.refillPerSecond.max}.` }),
    exempt: t.boolean({ description: 'Never charged (a trusted gateway). Not with capacity or refillPerSecond.' }),
  }),
});

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
    rateLimit: t.field({
      type: ApiKeyRateLimit,
      description: "The key's token bucket: its own capacity and refill where an admin set them, or exempt.",
      select: { rateLimitCapacity: true, rateLimitRefillPerSecond: true, rateLimitExempt: true },
      resolve: (key) => ({ capacity: key.rateLimitCapacity, refillPerSecond: key.rateLimitRefillPerSecond, exempt: key.rateLimitExempt }),
    }),
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
    rateLimit: t.field({ type: ApiKeyRateLimitInput, description: "The key's own rate limit (admins only); absent: the server's default." }),
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

const UpdateApiKeyInput = builder.inputType('UpdateApiKeyInput', {
  fields: (t) => ({
    rateLimit: t.field({ type: ApiKeyRateLimitInput, required: true, description: 'Replaces the key\'s rate limit; `{}` puts it back on the default.' }),
  }),
});

builder.mutationField('updateApiKey', (t) =>
  t.field({
    type: ApiKey,
    skipTypeScopes: true,
    authScopes: { admin: true },
    description: `Sets a key's own rate limit (admins only), e.g. a federation gateway's, which serves many people through one key. Applies within ${cacheSeconds} seconds, the time an instance trusts a key it has looked up.`,
    errors: mutationResult('UpdateApiKey', 'apiKey'),
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateApiKeyInput, required: true }) },
    resolve: (_root, { id, input }, ctx) => updateApiKey(serviceContext(ctx), targetId(id, 'ApiKey'), input),
  }),
);
