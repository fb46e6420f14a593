import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { builder } from '../../graphql/builder.ts';
import { type GraphQLContext, serviceContext } from '../../graphql/context.ts';
import type { Db } from '../../db/prisma.ts';
import {
  type InteractionMetadata,
  type InteractionSummary,
  lastInteractedByLimit,
  loadInteractionMetadata,
} from '../interaction-metadata.ts';
import { User } from '../../accounts/index.ts';

/**
 * A person's interactionMetadata before it is asked for: the workspace figures come with the
 * person's own statement (the PersonTimelineSummary view, joined in like any relation), and only
 * `user` and `lastInteractedBy` need the timeline grouped by actor, through the batch loader.
 */
interface PersonInteractions {
  personId: string;
  summary: { eventCount: number; lastEventAt: Date } | null;
}

interface WorkspaceFigures extends InteractionSummary {
  personId: string;
}

const UserInteractionMetadata = builder.objectRef<InteractionSummary>('UserInteractionMetadata').implement({
  description: 'What the calling user did to a person, from the timeline.',
  fields: (t) => ({
    approximateCount: t.exposeInt('approximateCount', { description: 'How many timeline events the calling user caused.' }),
    lastInteractedAt: t.expose('lastInteractedAt', { type: 'DateTime', nullable: true }),
  }),
});

const WorkspaceInteractionMetadata = builder.objectRef<WorkspaceFigures>('WorkspaceInteractionMetadata').implement({
  description: "What everyone in the organisation did to a person, from the timeline.",
  fields: (t) => ({
    approximateCount: t.exposeInt('approximateCount', { description: 'How many timeline events anyone caused.' }),
    lastInteractedAt: t.expose('lastInteractedAt', { type: 'DateTime', nullable: true }),
    lastInteractedBy: t.field({
      type: [User],
      description: `The last ${lastInteractedByLimit} distinct users who did something to the person, newest first.`,
      resolve: async (workspace, _args, ctx) => (await interactionMetadataLoader(ctx).load(workspace.personId)).workspace.lastInteractedBy,
    }),
  }),
});

const InteractionMetadataRef = builder.objectRef<PersonInteractions>('InteractionMetadata').implement({
  description: "Seed 003's interactionMetadata, derived from the person's timeline.",
  fields: (t) => ({
    user: t.field({
      type: UserInteractionMetadata,
      resolve: async ({ personId }, _args, ctx) => (await interactionMetadataLoader(ctx).load(personId)).user,
    }),
    workspace: t.field({
      type: WorkspaceInteractionMetadata,
      resolve: ({ personId, summary }) => ({
        personId,
        approximateCount: summary?.eventCount ?? 0,
        lastInteractedAt: summary?.lastEventAt ?? null,
      }),
    }),
  }),
});

/**
 * The per-actor figures (`user`, `lastInteractedBy`): one batch per request for every person in
 * the response, so a page of people costs one statement. Not a select on the person's own query:
 * Prisma has no aliases, so a select on timelineEvents conflicts with Person.timeline's and
 * plugin-prisma then loads one of them separately anyway; and a nested `distinct` (for
 * lastInteractedBy) makes Prisma read each person's whole timeline. A dry-run merge primes it from
 * inside its transaction (the workspace figures come with the person, read in that transaction).
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
    select: { id: true, timelineSummary: { select: { eventCount: true, lastEventAt: true } } },
    resolve: (person) => ({ personId: person.id, summary: person.timelineSummary }),
  }),
}));
