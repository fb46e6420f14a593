import { resolveArrayConnection } from '@pothos/plugin-relay';
import { builder } from '../../graphql/builder.ts';
import { organizationOf } from '../../graphql/context.ts';
import type { Prisma } from '../../db/prisma.ts';

export const Company = builder.prismaNode('Company', {
  description: 'An organisation people work for; created when a person is given one by a new name.',
  id: { field: 'id' },
  select: { id: true },
  // node(id) answers null, not an error, for an id that is not (or not yours).
  nullable: true,
  findUnique: (id, ctx) => ({ id, organizationId: organizationOf(ctx) }),
  fields: (t) => ({
    name: t.exposeString('name'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

export const CompanyRefInput = builder.inputType('CompanyRef', {
  description: 'A company by id, or by name (created when no company has that name yet).',
  isOneOf: true,
  fields: (t) => ({
    id: t.id(),
    name: t.string(),
  }),
});

/**
 * A person's companies: their PersonCompany rows in the order given, the first being the primary.
 * `companies` and `primaryCompany` select this very relation with the very same arguments, so
 * Pothos merges them into one select. Two different selects of one relation cannot share a query
 * (Prisma has no aliases): one of them would be read by a second query, which a dry-run merge runs
 * after its rollback, showing the person as they were before the merge. A person has at most
 * `limits.listItems` (20) companies, so reading all of them and paging in memory costs little.
 */
export const personCompanyLinksSelect = {
  // The company's columns Company exposes, not its organisation and name key.
  companies: { orderBy: { position: 'asc' }, select: { company: { select: { id: true, name: true, createdAt: true } } } },
} as const satisfies Prisma.PersonSelect;

builder.prismaObjectFields('Person', (t) => ({
  companies: t.connection(
    {
      type: Company,
      description: 'In the order given; the first is the primary company (seed 003).',
      select: personCompanyLinksSelect,
      // Offsets into the list (plugin-relay's array cursors); see http/bad-values.ts.
      extensions: { cursorForm: 'offset' },
      resolve: (person, args) => ({
        ...resolveArrayConnection({ args }, person.companies.map((link) => link.company)),
        totalCount: person.companies.length,
      }),
    },
    {
      name: 'PersonCompaniesConnection',
      fields: (c) => ({
        totalCount: c.int({ resolve: (connection) => (connection as unknown as { totalCount: number }).totalCount }),
      }),
    },
  ),
}));
