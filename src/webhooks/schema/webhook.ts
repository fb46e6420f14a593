import { GraphQLError } from 'graphql';
import { builder } from '../../graphql/builder.ts';
import { type GraphQLContext, organizationOf, serviceContext } from '../../graphql/context.ts';
import { ErrorInterface, mutationResult } from '../../graphql/errors.ts';
import { localId, targetId } from '../../graphql/ids.ts';
import { WebhookUrlRefusedError } from '../addresses.ts';
import { deliveriesWhere, type DeliveryStatus, redeliverWebhook } from '../delivery-service.ts';
import {
  createWebhookEndpoint,
  type EndpointWithSecret,
  deleteWebhookEndpoint,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  type WebhookServiceContext,
} from '../endpoint-service.ts';
import { allWebhookEvents, webhookEventTypes } from '../event-types.ts';

const eventsDescription = `Event types it hears: ${webhookEventTypes.join(', ')}; or "${allWebhookEvents}" for every one, those added later included.`;

// Admins only: the field's own scope replaces Query's `viewer` and Mutation's `editor`, so that an editor is told why.
const adminOnly = { skipTypeScopes: true, authScopes: { admin: true } } as const;

function webhookContext(ctx: GraphQLContext): WebhookServiceContext {
  return { ...serviceContext(ctx), webhookUrls: ctx.webhookUrls };
}

const WebhookUrlRefusalEnum = builder.enumType('WebhookUrlRefusal', {
  description: 'Why a webhook URL was refused.',
  values: {
    INVALID_URL: { description: 'Not an absolute URL, or one with a user name or password.' },
    SCHEME_NOT_ALLOWED: { description: 'Not https (http is allowed only to loopback, where the server allows loopback).' },
    LOOPBACK: { description: 'The host is, or resolves to, a loopback address, which this server does not allow.' },
    PRIVATE: { description: 'The host is, or resolves to, a private, shared or reserved address.' },
    LINK_LOCAL: { description: 'The host is, or resolves to, a link-local address.' },
    METADATA: { description: "The host is a cloud provider's instance metadata service." },
    UNRESOLVABLE: { description: 'The host name does not resolve.' },
  } as const,
});

builder.objectType(WebhookUrlRefusedError, {
  name: 'WebhookUrlRefusedError',
  description:
    'The webhook URL may not be called: checked when an endpoint is saved and again, after resolving its host, before every delivery. Nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ reason: t.expose('reason', { type: WebhookUrlRefusalEnum }) }),
});

const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', {
  values: {
    PENDING: { description: 'Not delivered yet: due, being sent, or waiting for its next retry (or for an earlier event of the same person).' },
    DELIVERED: { description: 'The endpoint answered 2xx.' },
    DEAD: { description: 'Every attempt failed for the whole retry window: given up (dead-lettered). redeliverWebhook sends it again.' },
  } as const,
});

const WebhookEndpoint = builder.prismaNode('WebhookEndpoint', {
  description: "A URL that hears the organisation's events, signed with its secret (see docs/webhooks.md). Admins only.",
  id: { field: 'id' },
  nullable: true,
  // node(id) answers null to anyone but an admin of its organisation (no row has an empty id).
  findUnique: (id, ctx) => (ctx.actor?.role === 'ADMIN' ? { id, organizationId: organizationOf(ctx) } : { id: '', organizationId: '' }),
  fields: (t) => ({
    url: t.exposeString('url'),
    description: t.exposeString('description', { nullable: true }),
    events: t.exposeStringList('events', { description: eventsDescription }),
    enabled: t.boolean({ select: { disabledAt: true }, resolve: (endpoint) => endpoint.disabledAt === null }),
    disabledAt: t.expose('disabledAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When it was disabled, by an admin or for failing for the whole retry window. updateWebhookEndpoint(enabled: true) enables it again.',
    }),
    disabledReason: t.exposeString('disabledReason', { nullable: true }),
    failingSince: t.expose('failingSince', {
      type: 'DateTime',
      nullable: true,
      description: 'Its deliveries have failed since then, without a success between; null when the last one succeeded.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

builder.prismaObject('WebhookAttempt', {
  description: 'One try at delivering an event.',
  fields: (t) => ({
    startedAt: t.expose('startedAt', { type: 'DateTime' }),
    durationMs: t.exposeInt('durationMs'),
    statusCode: t.exposeInt('statusCode', { nullable: true, description: "The endpoint's HTTP status; null when none came (refused address, connection error, timeout)." }),
    error: t.exposeString('error', { nullable: true, description: 'Why it failed; null when it succeeded.' }),
    succeeded: t.exposeBoolean('succeeded'),
  }),
});

const WebhookDelivery = builder.prismaNode('WebhookDelivery', {
  description: 'One event for one endpoint, with its attempts.',
  id: { field: 'id' },
  nullable: true,
  // As WebhookEndpoint's: null to anyone but an admin of its organisation.
  findUnique: (id, ctx) => (ctx.actor?.role === 'ADMIN' ? { id, organizationId: organizationOf(ctx) } : { id: '', organizationId: '' }),
  fields: (t) => ({
    eventId: t.exposeString('eventId', { description: 'The event\'s id, sent as `webhook-id` and as the body\'s `id`: the same on every attempt and redelivery.' }),
    eventType: t.string({ select: { event: { select: { type: true } } }, resolve: (delivery) => delivery.event.type }),
    status: t.field({ type: WebhookDeliveryStatusEnum, select: { status: true }, resolve: (delivery) => delivery.status as DeliveryStatus }),
    attemptCount: t.exposeInt('attemptCount'),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the event was queued: when its change committed.' }),
    nextAttemptAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it is tried next (or, while it is being sent, when its claim runs out); null once delivered or dead.',
      select: { status: true, nextAttemptAt: true },
      resolve: (delivery) => (delivery.status === 'PENDING' ? delivery.nextAttemptAt : null),
    }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
    endpoint: t.relation('endpoint'),
    attempts: t.relation('attempts', { description: 'Oldest first.', query: { orderBy: [{ startedAt: 'asc' }, { id: 'asc' }] } }),
  }),
});

const WebhookDeliveryFilter = builder.inputType('WebhookDeliveryFilter', {
  fields: (t) => ({
    status: t.field({ type: WebhookDeliveryStatusEnum }),
    eventId: t.string({ description: 'The deliveries of one event (its webhook-id).' }),
  }),
});

builder.queryField('webhookEndpoints', (t) =>
  t.prismaField({
    type: ['WebhookEndpoint'],
    ...adminOnly,
    description: "The organisation's webhook endpoints, oldest first (admins only).",
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.webhookEndpoint.findMany({ ...query, where: { organizationId: organizationOf(ctx) }, orderBy: { id: 'asc' } }),
  }),
);

builder.queryField('webhookDeliveries', (t) =>
  t.prismaConnection({
    type: 'WebhookDelivery',
    cursor: 'id',
    ...adminOnly,
    description: "An endpoint's deliveries, newest first, with their attempts (admins only).",
    args: {
      endpointId: t.arg.id({ required: true }),
      filter: t.arg({ type: WebhookDeliveryFilter }),
    },
    resolve: (query, _root, { endpointId, filter }, ctx) =>
      ctx.prisma.webhookDelivery.findMany({
        ...query,
        where: deliveriesWhere(serviceContext(ctx).actor, endpointOf(endpointId), filter ?? {}),
        orderBy: { sequence: 'desc' },
      }),
    totalCount: (_root, { endpointId, filter }, ctx) =>
      ctx.prisma.webhookDelivery.count({ where: deliveriesWhere(serviceContext(ctx).actor, endpointOf(endpointId), filter ?? {}) }),
  }),
);

/** The endpoint a query names: a malformed id is the client's mistake; one that names no endpoint of theirs shows nothing. */
function endpointOf(globalId: string): string {
  const id = localId(globalId, 'WebhookEndpoint');
  if (id === undefined) throw new GraphQLError(`Not a WebhookEndpoint id: ${globalId}.`, { extensions: { code: 'BAD_USER_INPUT', argument: 'endpointId' } });
  return id;
}

const CreateWebhookEndpointInput = builder.inputType('CreateWebhookEndpointInput', {
  fields: (t) => ({
    url: t.string({ required: true, description: 'https, to a public address. Checked now and before every delivery.' }),
    events: t.stringList({ required: true, description: eventsDescription }),
    description: t.string({ description: 'What it is for (at most 500 characters).' }),
  }),
});

const UpdateWebhookEndpointInput = builder.inputType('UpdateWebhookEndpointInput', {
  description: 'Some fields of an endpoint (PATCH): an absent field is kept, `description: null` clears it.',
  fields: (t) => ({
    url: t.string(),
    events: t.stringList({ description: eventsDescription }),
    description: t.string(),
    enabled: t.boolean({ description: 'false disables it; true enables it again (after an admin or failures disabled it), with a clean record.' }),
  }),
});

/** The success of a mutation that answers a secret: the endpoint and its secret side by side, as createApiKey's. */
function withSecretSuccess(name: string) {
  return builder.objectRef<EndpointWithSecret>(`${name}Success`).implement({
    description: 'An endpoint with its signing secret.',
    fields: (t) => ({
      webhookEndpoint: t.field({ type: WebhookEndpoint, resolve: (created) => created.endpoint }),
      secret: t.exposeString('secret', {
        description: 'The signing secret (whsec_…), for verifying deliveries (docs/webhooks.md). Shown this once: it cannot be read again, only rotated.',
      }),
    }),
  });
}

/** The success type is the `<name>Success` with the secret itself, not a wrapper. */
function withSecretResult(name: string) {
  const result = mutationResult(name, 'created', [WebhookUrlRefusedError]);
  return { types: result.types, union: result.union, directResult: true } as const;
}

builder.mutationField('createWebhookEndpoint', (t) =>
  t.field({
    type: withSecretSuccess('CreateWebhookEndpoint'),
    ...adminOnly,
    description: 'Adds a webhook endpoint (admins only) and answers its secret, once. It hears events from now on.',
    errors: withSecretResult('CreateWebhookEndpoint'),
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true }) },
    resolve: (_root, { input }, ctx) => createWebhookEndpoint(webhookContext(ctx), input),
  }),
);

builder.mutationField('updateWebhookEndpoint', (t) =>
  t.field({
    type: WebhookEndpoint,
    ...adminOnly,
    description: "Changes an endpoint's URL, events, description, or whether it is enabled (admins only, PATCH).",
    errors: mutationResult('UpdateWebhookEndpoint', 'webhookEndpoint', [WebhookUrlRefusedError]),
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateWebhookEndpointInput, required: true }) },
    resolve: (_root, { id, input }, ctx) => updateWebhookEndpoint(webhookContext(ctx), targetId(id, 'WebhookEndpoint'), input),
  }),
);

builder.mutationField('deleteWebhookEndpoint', (t) =>
  t.field({
    type: 'ID',
    ...adminOnly,
    description: 'Deletes an endpoint with its deliveries, those not yet delivered included (admins only).',
    errors: mutationResult('DeleteWebhookEndpoint', 'deletedId'),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await deleteWebhookEndpoint(serviceContext(ctx), targetId(id, 'WebhookEndpoint'));
      return id;
    },
  }),
);

builder.mutationField('rotateWebhookSecret', (t) =>
  t.field({
    type: withSecretSuccess('RotateWebhookSecret'),
    ...adminOnly,
    description: 'Gives an endpoint a new secret (admins only) and answers it, once. Every delivery from now on is signed with it, retries included.',
    errors: withSecretResult('RotateWebhookSecret'),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => rotateWebhookSecret(serviceContext(ctx), targetId(id, 'WebhookEndpoint')),
  }),
);

builder.mutationField('redeliverWebhook', (t) =>
  t.field({
    type: WebhookDelivery,
    ...adminOnly,
    description: "Sends a delivery's event to its endpoint again, as a new delivery with the same event id (admins only).",
    errors: mutationResult('RedeliverWebhook', 'delivery'),
    args: { id: t.arg.id({ required: true, description: 'A WebhookDelivery id.' }) },
    resolve: (_root, { id }, ctx) => redeliverWebhook(serviceContext(ctx), targetId(id, 'WebhookDelivery')),
  }),
);
