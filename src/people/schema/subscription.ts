import { queryFromInfo } from '@pothos/plugin-prisma';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import { builder } from '../../graphql/builder.ts';
import { type GraphQLContext, organizationOf, serviceContext } from '../../graphql/context.ts';
import { type PersonChange, personChangeKinds, type TimelineEventAdded } from '../../shared/events.ts';
import { localId } from '../../graphql/ids.ts';
import { Person } from './person.ts';
import { TimelineEvent } from '../../timeline/index.ts';

// Live updates over Server-Sent Events or graphql-ws (src/http/websocket.ts). Messages carry ids
// only; every field below reads through the subscriber's own context, as a query would, so a
// subscriber never sees what it could not query.

builder.subscriptionType({ description: 'Live updates about the people of your organisation.' });

const PersonChangeKindEnum = builder.enumType('PersonChangeKind', {
  description:
    'What happened to a person. UPDATED covers everything else that writes on their timeline (fields, tags, groups, notes, avatar, an import).',
  values: personChangeKinds,
});

const PersonChangeEvent = builder.objectRef<PersonChange>('PersonChangeEvent').implement({
  description: 'A person changed; one event per person per committed mutation (the weightiest kind).',
  fields: (t) => ({
    kind: t.field({ type: PersonChangeKindEnum, resolve: (change) => change.kind }),
    personId: t.id({
      description: 'The person, also when they no longer exist (DELETED, MERGED_AWAY).',
      resolve: (change) => encodeGlobalID('Person', change.personId),
    }),
    person: t.field({
      type: Person,
      nullable: true,
      description: 'The person as they are now; null once deleted or merged away.',
      resolve: (change, _args, ctx, info) => findPerson(change.personId, ctx, info),
    }),
    mergedInto: t.field({
      type: Person,
      nullable: true,
      description: 'MERGED_AWAY: the person this one was merged into.',
      resolve: (change, _args, ctx, info) => (change.mergedIntoId ? findPerson(change.mergedIntoId, ctx, info) : null),
    }),
  }),
});

function findPerson(id: string, ctx: GraphQLContext, info: GraphQLResolveInfo) {
  return ctx.prisma.person.findFirst({
    ...queryFromInfo({ context: ctx, info, typeName: 'Person' }),
    where: { id, organizationId: organizationOf(ctx) },
  });
}

/** A person of the caller's organisation, or the same error for another's, a deleted or a malformed id. */
async function existingPersonId(id: string, ctx: GraphQLContext): Promise<string> {
  const personId = localId(id, 'Person');
  const found =
    personId && (await ctx.prisma.person.findFirst({ where: { id: personId, organizationId: organizationOf(ctx) }, select: { id: true } }));
  if (!found) throw new GraphQLError(`Person ${id} was not found.`, { extensions: { code: 'NOT_FOUND', argument: 'id' } });
  return found.id;
}

builder.subscriptionField('peopleChanged', (t) =>
  t.field({
    type: PersonChangeEvent,
    description: 'Every person of your organisation created, updated, archived, unarchived, merged or deleted, as each mutation commits.',
    subscribe: (_root, _args, ctx) => ctx.events.personChanges(serviceContext(ctx).actor),
    resolve: (change: PersonChange) => change,
  }),
);

builder.subscriptionField('personChanged', (t) =>
  t.field({
    type: PersonChangeEvent,
    description: 'One person\'s changes. Ends after DELETED or MERGED_AWAY. An id that names no one of your organisation is a NOT_FOUND error.',
    args: { id: t.arg.id({ required: true }) },
    subscribe: async (_root, { id }, ctx) => ctx.events.personChanges(serviceContext(ctx).actor, await existingPersonId(id, ctx)),
    resolve: (change: PersonChange) => change,
  }),
);

builder.subscriptionField('timelineEventAdded', (t) =>
  t.field({
    type: TimelineEvent,
    nullable: true,
    description:
      'Each event written on one person\'s timeline, as its mutation commits; one about a private note only for its author. ' +
      'Null when the event is gone by the time it is read (its person deleted meanwhile).',
    args: { personId: t.arg.id({ required: true }) },
    subscribe: async (_root, { personId }, ctx) =>
      ctx.events.timelineEvents(serviceContext(ctx).actor, await existingPersonId(personId, ctx)),
    resolve: (event: TimelineEventAdded, _args, ctx, info) =>
      ctx.prisma.timelineEvent.findFirst({
        ...queryFromInfo({ context: ctx, info }),
        where: { id: event.eventId, organizationId: organizationOf(ctx) },
      }),
  }),
);
