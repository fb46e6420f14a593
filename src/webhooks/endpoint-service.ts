import type { WebhookEndpoint } from '../generated/prisma/client.ts';
import type { ServiceContext } from '../shared/actor.ts';
import { IssueList, NotFoundError } from '../shared/errors.ts';
import { cleanText, limits } from '../shared/validation.ts';
import { checkWebhookUrl, type WebhookUrlPolicy } from './addresses.ts';
import { allWebhookEvents, webhookEventTypes } from './event-types.ts';
import { newWebhookSecret } from './signature.ts';

/** What endpoint writes need besides the database: whether loopback URLs are allowed. */
export interface WebhookServiceContext extends ServiceContext {
  webhookUrls: WebhookUrlPolicy;
}

export interface WebhookEndpointInput {
  url: string;
  events: readonly string[];
  description?: string | null;
}

export interface WebhookEndpointPatch {
  url?: string | null;
  events?: readonly string[] | null;
  description?: string | null;
  /** true re-enables an endpoint disabled for failing; false disables it. */
  enabled?: boolean | null;
}

/** An endpoint with its secret, answered once by create and rotate. */
export interface EndpointWithSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

const maxUrlLength = 2000;
const knownEvents = new Set<string>([...webhookEventTypes, allWebhookEvents]);

export async function createWebhookEndpoint(ctx: WebhookServiceContext, input: WebhookEndpointInput): Promise<EndpointWithSecret> {
  const issues = new IssueList();
  const events = checkEvents(issues, input.events);
  const description = cleanText(issues, ['input', 'description'], input.description, limits.name);
  const url = checkUrlLength(issues, input.url);
  issues.throwIfAny();
  // Refused with a WebhookUrlRefusedError naming why.
  await checkWebhookUrl(url, ctx.webhookUrls);
  const secret = newWebhookSecret();
  const endpoint = await ctx.prisma.webhookEndpoint.create({
    data: { organizationId: ctx.actor.organizationId, url, events, description, secret },
  });
  return { endpoint, secret };
}

export async function updateWebhookEndpoint(ctx: WebhookServiceContext, id: string, patch: WebhookEndpointPatch): Promise<WebhookEndpoint> {
  await findEndpointOrThrow(ctx, id);
  const issues = new IssueList();
  const events = patch.events == null ? undefined : checkEvents(issues, patch.events);
  const description = cleanText(issues, ['input', 'description'], patch.description, limits.name);
  const url = patch.url == null ? undefined : checkUrlLength(issues, patch.url);
  issues.throwIfAny();
  if (url !== undefined) await checkWebhookUrl(url, ctx.webhookUrls);
  const enabling =
    patch.enabled === true
      ? // A fresh start: the failures that disabled it are behind it.
        { disabledAt: null, disabledReason: null, failingSince: null }
      : patch.enabled === false
        ? { disabledAt: new Date(), disabledReason: 'Disabled by an admin.' }
        : {};
  return ctx.prisma.webhookEndpoint.update({
    where: { id },
    data: { url, events, ...(patch.description !== undefined ? { description } : {}), ...enabling },
  });
}

/** Deletes the endpoint with its deliveries, delivered or not. */
export async function deleteWebhookEndpoint(ctx: ServiceContext, id: string): Promise<string> {
  const { count } = await ctx.prisma.webhookEndpoint.deleteMany({ where: { id, organizationId: ctx.actor.organizationId } });
  if (count === 0) throw new NotFoundError('WebhookEndpoint', id);
  return id;
}

/** A new secret, which signs every delivery from now on (retries of earlier events included). */
export async function rotateWebhookSecret(ctx: ServiceContext, id: string): Promise<EndpointWithSecret> {
  await findEndpointOrThrow(ctx, id);
  const secret = newWebhookSecret();
  const endpoint = await ctx.prisma.webhookEndpoint.update({ where: { id }, data: { secret } });
  return { endpoint, secret };
}

async function findEndpointOrThrow({ prisma, actor }: ServiceContext, id: string): Promise<WebhookEndpoint> {
  const endpoint = await prisma.webhookEndpoint.findFirst({ where: { id, organizationId: actor.organizationId } });
  if (!endpoint) throw new NotFoundError('WebhookEndpoint', id);
  return endpoint;
}

function checkEvents(issues: IssueList, events: readonly string[]): string[] {
  if (events.length === 0) issues.add(['input', 'events'], `Name at least one event type, or "${allWebhookEvents}" for all.`);
  events.forEach((event, index) => {
    if (!knownEvents.has(event)) issues.add(['input', 'events', index], `Unknown event type "${event}": one of ${[...knownEvents].join(', ')}.`);
  });
  return [...new Set(events)];
}

function checkUrlLength(issues: IssueList, url: string): string {
  const trimmed = url.trim();
  if (trimmed.length > maxUrlLength) issues.add(['input', 'url'], `Must be at most ${maxUrlLength} characters.`);
  return trimmed;
}
