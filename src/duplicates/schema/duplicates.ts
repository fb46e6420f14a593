import { builder } from '../../graphql/builder.ts';
import { organizationOf, serviceContext } from '../../graphql/context.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { asUserInputError } from '../../graphql/connections.ts';
import { mutationResult } from '../../graphql/errors.ts';
import { targetId } from '../../graphql/ids.ts';
import { ValidationError } from '../../shared/errors.ts';
import { Person } from '../../people/index.ts';
import { type DuplicatePair, duplicateCandidates, duplicateReasons, dismissDuplicate, minNameSimilarity, possibleDuplicates } from '../duplicate-service.ts';

const DuplicateReasonEnum = builder.enumType('DuplicateReason', {
  description: 'Why two people are probably the same person (docs/duplicates.md has the weights).',
  values: {
    EMAIL: { description: 'An email in common, whatever its case.' },
    PHONE: { description: 'A phone in common: the same last nine digits, so with or without the country code.' },
    LINKEDIN: { description: 'The same LinkedIn id.' },
    NAME: { description: `Full names alike: trigram similarity of at least ${minNameSimilarity} (nameSimilarity).` },
    SHARED_COMPANY: { description: 'With NAME: a company in common, which counts the name for more.' },
  } satisfies Record<(typeof duplicateReasons)[number], { description: string }>,
});

const loadPeople = async (ctx: GraphQLContext, ids: string[]) => {
  const people = await ctx.prisma.person.findMany({ where: { id: { in: ids }, organizationId: organizationOf(ctx) } });
  const byId = new Map(people.map((person) => [person.id, person]));
  return ids.map((id) => byId.get(id) ?? null);
};

const DuplicateScore = builder.interfaceRef<DuplicatePair>('DuplicateScore').implement({
  description: 'How likely two people are one person, and why.',
  fields: (t) => ({
    score: t.float({ description: 'From 0 to 1: how likely the two are one person.', resolve: (pair) => pair.score }),
    reasons: t.field({ type: [DuplicateReasonEnum], resolve: (pair) => pair.reasons }),
    nameSimilarity: t.float({ nullable: true, description: 'The trigram similarity of the full names, when NAME is a reason.', resolve: (pair) => pair.nameSimilarity }),
  }),
});

const PossibleDuplicate = builder.objectRef<DuplicatePair>('PossibleDuplicate').implement({
  description: 'Another person who is probably the same as this one.',
  interfaces: [DuplicateScore],
  fields: (t) => ({
    person: t.loadable({ type: Person, nullable: true, description: 'The other person.', load: (ids: string[], ctx) => loadPeople(ctx, ids), resolve: (pair) => pair.otherId }),
  }),
});

const DuplicatePairRef = builder.objectRef<DuplicatePair>('DuplicatePair').implement({
  description: 'Two people of the organisation who are probably one person: merge them (mergePeople) or dismiss the pair (dismissDuplicate).',
  interfaces: [DuplicateScore],
  fields: (t) => ({
    person: t.loadable({ type: Person, nullable: true, load: (ids: string[], ctx) => loadPeople(ctx, ids), resolve: (pair) => pair.personId }),
    other: t.loadable({ type: Person, nullable: true, load: (ids: string[], ctx) => loadPeople(ctx, ids), resolve: (pair) => pair.otherId }),
  }),
});

builder.prismaObjectFields('Person', (t) => ({
  possibleDuplicates: t.field({
    type: [PossibleDuplicate],
    description: `Other people of the organisation who are probably this person, best first (first: at most 100); dismissed pairs are left out.`,
    select: { id: true },
    args: { first: t.arg.int({ defaultValue: 10 }) },
    // first is checked against 1..100 as every page size is (graphql/pagination.ts).
    resolve: (person, { first }, ctx) => possibleDuplicates(serviceContext(ctx), person.id, first ?? 10),
  }),
}));

builder.queryField('duplicateCandidates', (t) =>
  t.connection(
    {
      type: DuplicatePairRef,
      description: 'Pairs of people of your organisation who are probably one person, best first; each pair once. Forward pages only (first, after).',
      args: { minScore: t.arg.float({ defaultValue: 0.5, description: 'Only pairs scoring at least this (0 to 1).' }) },
      extensions: { cursorForm: 'keyset' },
      resolve: async (_root, args, ctx) => {
        try {
          if (args.last != null || args.before != null) {
            throw new ValidationError([{ path: ['last'], message: 'Read this list forwards: first and after.' }]);
          }
          const page = await duplicateCandidates(serviceContext(ctx), { first: args.first ?? 20, after: args.after ?? null, minScore: args.minScore ?? 0.5 });
          return {
            edges: page.edges,
            pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: args.after != null, startCursor: page.edges[0]?.cursor ?? null, endCursor: page.edges.at(-1)?.cursor ?? null },
          };
        } catch (error) {
          return asUserInputError(error);
        }
      },
    },
  ),
);

builder.mutationField('dismissDuplicate', (t) =>
  t.field({
    type: 'Boolean',
    description: 'Records that two people are not the same person: the pair is no longer listed by possibleDuplicates or duplicateCandidates.',
    errors: mutationResult('DismissDuplicate', 'dismissed'),
    args: { personId: t.arg.id({ required: true }), otherId: t.arg.id({ required: true }) },
    resolve: async (_root, { personId, otherId }, ctx) => {
      await dismissDuplicate(serviceContext(ctx), targetId(personId, 'Person'), targetId(otherId, 'Person'));
      return true;
    },
  }),
);
