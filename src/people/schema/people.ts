import { queryFromInfo } from '@pothos/plugin-prisma';
import { builder } from '../../graphql/builder.ts';
import { asUserInputError, nodesPath, OrderDirectionEnum } from '../../graphql/connections.ts';
import { keysetConnection } from '../../graphql/pagination.ts';
import { serviceContext } from '../../graphql/context.ts';
import { IssueList, ValidationError } from '../../shared/errors.ts';
import type { PersonFilter } from '../person-filter.ts';
import { listPeople, type PersonOrder } from '../person-list.ts';
import { fieldRef } from '../../fields/index.ts';
import { inputId } from '../../graphql/ids.ts';
import { inputLimits, searchTextBound } from '../../graphql/input-limits.ts';
import { Person } from './person.ts';

const ArchivedFilterEnum = builder.enumType('ArchivedFilter', {
  description: 'Which people by their archive state.',
  values: {
    ACTIVE: { description: 'Only people not archived (the default).' },
    ARCHIVED: { description: 'Only archived people.' },
    ALL: { description: 'Both.' },
  },
});

export const DateTimeRange = builder.inputType('DateTimeRange', {
  description: 'A time range: after/before include the instant, strictlyAfter/strictlyBefore do not.',
  fields: (t) => ({
    after: t.field({ type: 'DateTime' }),
    strictlyAfter: t.field({ type: 'DateTime' }),
    before: t.field({ type: 'DateTime' }),
    strictlyBefore: t.field({ type: 'DateTime' }),
  }),
});

const CustomFieldCondition = builder.inputType('CustomFieldCondition', {
  description: `A condition on a custom field: exactly one of eq, in, contains, isSet. At most ${inputLimits.customFieldConditions} in one filter, at every depth.`,
  // Each condition looks its field up: a statement each.
  extensions: { maxPerArgument: inputLimits.customFieldConditions },
  fields: (t) => ({
    field: t.string({ required: true, description: 'The field id or slug.', extensions: searchTextBound }),
    eq: t.field({ type: 'JSON', description: 'The value equals this (numbers as numbers).' }),
    in: t.field({ type: ['JSON'], description: `The value equals one of these (at most ${inputLimits.listItems}).` }),
    contains: t.string({ description: `Text contains this, or a list holds this item; at most ${inputLimits.searchText} characters.`, extensions: searchTextBound }),
    isSet: t.boolean({ description: 'The field has a value (true) or has none (false).' }),
  }),
});

const PersonFilterInput = builder.inputRef<PersonFilterArg>('PersonFilter').implement({
  description: [
    'Conditions on people; all given must hold. and/or/not combine filters,',
    `at most ${inputLimits.filterNesting} deep and ${inputLimits.filters} filters in all (each search costs a statement).`,
    `Every list holds at most ${inputLimits.listItems} items; texts at most ${inputLimits.searchText} characters.`,
  ].join(' '),
  extensions: { maxNesting: inputLimits.filterNesting, maxPerArgument: inputLimits.filters },
  fields: (t) => ({
    q: t.string({
      description: 'Words to find, by prefix, in names, emails, phones, job title, description, LinkedIn id and company names; case and accents do not matter.',
      extensions: searchTextBound,
    }),
    identifiers: t.stringList({ description: 'Exact emails, phone numbers or LinkedIn ids.', extensions: searchTextBound }),
    ownerIds: t.idList(),
    emails: t.stringList({ description: 'Has any of these emails (case does not matter).', extensions: searchTextBound }),
    tagIds: t.idList({ description: 'Has any of these tags.' }),
    groupIds: t.idList({ description: 'Is in any of these groups.' }),
    companyIds: t.idList({ description: 'Works for any of these companies.' }),
    archived: t.field({ type: ArchivedFilterEnum, description: 'Default: ACTIVE at the top level.' }),
    createdAt: t.field({ type: DateTimeRange }),
    updatedAt: t.field({ type: DateTimeRange }),
    customFields: t.field({ type: [CustomFieldCondition] }),
    and: t.field({ type: [PersonFilterInput] }),
    or: t.field({ type: [PersonFilterInput] }),
    not: t.field({ type: PersonFilterInput }),
  }),
});

const PersonOrderFieldEnum = builder.enumType('PersonOrderField', {
  values: ['FAMILY_NAME', 'GIVEN_NAME', 'CREATED_AT', 'UPDATED_AT', 'LAST_ACTIVE_AT'] as const,
});
const NullsOrderEnum = builder.enumType('NullsOrder', { values: ['FIRST', 'LAST'] as const });

const PersonOrderInput = builder.inputType('PersonOrder', {
  fields: (t) => ({
    field: t.field({ type: PersonOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, defaultValue: 'ASC' }),
    nulls: t.field({ type: NullsOrderEnum, description: 'Where people without a value go; default LAST.' }),
  }),
});

interface PersonFilterArg {
  q?: string | null;
  identifiers?: string[] | null;
  ownerIds?: string[] | null;
  emails?: string[] | null;
  tagIds?: string[] | null;
  groupIds?: string[] | null;
  companyIds?: string[] | null;
  archived?: 'ACTIVE' | 'ARCHIVED' | 'ALL' | null;
  createdAt?: typeof DateTimeRange.$inferInput | null;
  updatedAt?: typeof DateTimeRange.$inferInput | null;
  customFields?: (typeof CustomFieldCondition.$inferInput)[] | null;
  and?: PersonFilterArg[] | null;
  or?: PersonFilterArg[] | null;
  not?: PersonFilterArg | null;
}

/** Decodes the global ids a filter holds, at any depth. */
function toPersonFilter(filter: PersonFilterArg, path: string[], issues: IssueList): PersonFilter {
  const ids = (list: string[] | null | undefined, name: string, typename: string) =>
    list?.map((id, index) => inputId(issues, [...path, name, String(index)], id, typename));
  return {
    ...filter,
    ownerIds: ids(filter.ownerIds, 'ownerIds', 'User'),
    tagIds: ids(filter.tagIds, 'tagIds', 'Tag'),
    groupIds: ids(filter.groupIds, 'groupIds', 'Group'),
    companyIds: ids(filter.companyIds, 'companyIds', 'Company'),
    customFields: filter.customFields?.map((condition) => ({ ...condition, field: fieldRef(condition.field) })),
    and: filter.and?.map((nested, index) => toPersonFilter(nested, [...path, 'and', String(index)], issues)),
    or: filter.or?.map((nested, index) => toPersonFilter(nested, [...path, 'or', String(index)], issues)),
    not: filter.not && toPersonFilter(filter.not, [...path, 'not'], issues),
  };
}

builder.queryField('people', (t) =>
  t.connection(
    {
      type: Person,
      description:
        'The people of your organisation. Archived people are left out unless filter.archived says otherwise. With a search (filter.q) and no orderBy, the most relevant come first; otherwise oldest first.',
      args: {
        filter: t.arg({ type: PersonFilterInput }),
        orderBy: t.arg({ type: [PersonOrderInput] }),
      },
      // Its cursors are keyset positions, checked by db/keyset.ts (not a library's form).
      extensions: { cursorForm: 'keyset' },
      resolve: async (_root, args, ctx, info) => {
        const { prisma, actor } = serviceContext(ctx);
        try {
          const issues = new IssueList();
          const filter = args.filter ? toPersonFilter(args.filter, ['filter'], issues) : null;
          issues.throwIfAny();
          const nodeQuery = queryFromInfo({ context: ctx, info, typeName: 'Person', path: nodesPath(info) });
          const result = await listPeople(
            prisma,
            actor,
            { filter, orderBy: args.orderBy as PersonOrder[] | null, page: args },
            nodeQuery,
            ctx.dbSchema,
          );
          return keysetConnection(result);
        } catch (error) {
          return asUserInputError(error);
        }
      },
    },
    {
      name: 'PersonConnection',
      fields: (c) => ({
        totalCount: c.int({
          description: 'How many people match, on all pages.',
          resolve: (connection) => (connection as unknown as { totalCount: () => Promise<number> }).totalCount(),
        }),
      }),
    },
    { name: 'PersonEdge' },
  ),
);
