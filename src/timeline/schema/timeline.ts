import { queryFromInfo } from '@pothos/plugin-prisma';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { GraphQLError } from 'graphql';
import { builder } from '../../graphql/builder.ts';
import { organizationOf } from '../../graphql/context.ts';
import { eventDataWithGlobalIds, timelineEventTypes } from '../timeline.ts';
import { invalidTimeRange, timelineOrder, timelineWhere } from '../timeline-service.ts';
import { localId } from '../../graphql/ids.ts';

export const TimelineEventTypeEnum = builder.enumType('TimelineEventType', {
  description: 'What happened to a person.',
  values: timelineEventTypes,
});

export const TimelineEvent = builder.prismaNode('TimelineEvent', {
  description: 'One thing that happened to a person: by whom, when, and what changed.',
  id: { field: 'id' },
  select: { id: true },
  // node(id) answers null, not an error, for an id that is not (or not yours).
  nullable: true,
  findUnique: (id, ctx) => ({ id, organizationId: organizationOf(ctx) }),
  fields: (t) => ({
    type: t.field({
      type: TimelineEventTypeEnum,
      select: { type: true },
      // Stored as text so a new kind needs no migration; the enum is the list in timeline/timeline.ts.
      resolve: (event) => event.type as (typeof timelineEventTypes)[number],
    }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime' }),
    actor: t.relation('actor', { nullable: true, description: 'The user who did it; null once that user is deleted.' }),
    person: t.relation('person'),
    data: t.field({
      type: 'JSON',
      select: { data: true },
      description:
        'The details, by type, with every id a global one. PERSON_UPDATED: { changes: { <field>: { before, after } } }. ' +
        'MERGED: { mergeId, mergedPersonIds, changes, moved: { notes, tags, memberships, fieldValues, timelineEvents } }.',
      resolve: (event) => eventDataWithGlobalIds(event.data),
    }),
  }),
});

builder.prismaObjectFields('Person', (t) => ({
  timeline: t.relatedConnection('timelineEvents', {
    cursor: 'id',
    totalCount: true,
    description: 'What happened to this person, newest first (ties broken by id, newest first).',
    args: {
      types: t.arg({ type: [TimelineEventTypeEnum], description: 'Only events of these types; absent or empty: all.' }),
      occurredAfter: t.arg({ type: 'DateTime', description: 'Only events strictly after this instant.' }),
      occurredBefore: t.arg({ type: 'DateTime', description: 'Only events strictly before this instant.' }),
    },
    query: (args) => {
      const problem = invalidTimeRange(args);
      if (problem) throw new GraphQLError(problem, { extensions: { code: 'BAD_USER_INPUT', argument: 'occurredAfter' } });
      return { where: timelineWhere(args), orderBy: timelineOrder };
    },
  }),
}));

builder.queryField('timelineEvent', (t) =>
  t.field({
    type: TimelineEvent,
    nullable: true,
    description: 'A timeline event by global id; null when there is none in your organisation.',
    args: { id: t.arg.id({ required: true }) },
    // Not t.prismaField: a malformed id must answer null without a query, which prismaField reports as unused.
    resolve: async (_root, { id }, ctx, info) => {
      const eventId = localId(id, 'TimelineEvent');
      if (!eventId) return null;
      return ctx.prisma.timelineEvent.findFirst({
        ...queryFromInfo({ context: ctx, info }),
        where: { id: eventId, organizationId: organizationOf(ctx) },
      });
    },
  }),
);
