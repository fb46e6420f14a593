import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { builder } from '../builder.ts';
import { type GraphQLContext, serviceContext } from '../context.ts';
import type { Db } from '../db/prisma.ts';
import {
  type InteractionMetadata,
  type InteractionSummary,
  lastInteractedByLimit,
  loadInteractionMetadata,
  type WorkspaceInteractions,
} from '../services/interaction-metadata.ts';
import { User } from './user.ts';

const UserInteractionMetadata = builder.objectRef<InteractionSummary>('UserInteractionMetadata').implement({
  description: 'What the calling user did to a person, from the timeline.',
  fields: (t) => ({
    approximateCount: t.exposeInt('approximateCount', { description: 'How many timeline events the calling user caused.' }),
    lastInteractedAt: t.expose('lastInteractedAt', { type: 'DateTime', nullable: true }),
  }),
});

const WorkspaceInteractionMetadata = builder.objectRef<WorkspaceInteractions>('WorkspaceInteractionMetadata').implement({
  description: "What everyone in the organisation did to a person, from the timeline.",
  fields: (t) => ({
    approximateCount: t.exposeInt('approximateCount', { description: 'How many timeline events anyone caused.' }),
    lastInteractedAt: t.expose('lastInteractedAt', { type: 'DateTime', nullable: true }),
    lastInteractedBy: t.field({
      type: [User],
      description: `The last ${lastInteractedByLimit} distinct users who did something to the person, newest first.`,
      resolve: (interactions) => interactions.lastInteractedBy,
    }),
  }),
});

const InteractionMetadataRef = builder.objectRef<InteractionMetadata>('InteractionMetadata').implement({
  description: "Seed 003's interactionMetadata, derived from the person's timeline.",
  fields: (t) => ({
    user: t.field({ type: UserInteractionMetadata, resolve: (metadata) => metadata.user }),
    workspace: t.field({ type: WorkspaceInteractionMetadata, resolve: (metadata) => metadata.workspace }),
  }),
});

/**
 * One batch per request for every person in the response, so a page of people costs one
 * statement. Not a select on the person's own query: Prisma has no aliases, so a select on
 * timelineEvents conflicts with Person.timeline's and plugin-prisma then loads one of them
 * separately anyway; and a nested `distinct` (for lastInteractedBy) makes Prisma read each
 * person's whole timeline. A dry-run merge primes it from inside its transaction.
 */
export const interactionMetadataLoader = createContextCache(
  (ctx: GraphQLContext) =>
    new DataLoader<string, InteractionMetadata>((personIds) => {
      const { prisma, actor } = serviceContext(ctx);
      return loadInteractionMetadata(prisma, actor, personIds, ctx.dbSchema);
    }),
);

/** Loads a person's metadata through `db` (a transaction) and primes this request's loader with it. */
export async function primeInteractionMetadata(ctx: GraphQLContext, db: Db, personId: string): Promise<void> {
  const [metadata] = await loadInteractionMetadata(db, serviceContext(ctx).actor, [personId], ctx.dbSchema);
  interactionMetadataLoader(ctx).prime(personId, metadata!);
}

builder.prismaObjectFields('Person', (t) => ({
  interactionMetadata: t.field({
    type: InteractionMetadataRef,
    description: 'Who interacted with this person and when, counted from the timeline.',
    resolve: (person, _args, ctx) => interactionMetadataLoader(ctx).load(person.id),
  }),
}));
