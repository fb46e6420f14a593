import { prismaConnectionHelpers } from '@pothos/plugin-prisma';
import { builder } from '../builder.ts';
import { organizationOf } from '../context.ts';

export const Company = builder.prismaNode('Company', {
  description: 'An organisation people work for; created when a person is given one by a new name.',
  id: { field: 'id' },
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

// A person's companies are PersonCompany rows in the order given (the first is primary); the
// connection pages over those rows and shows their companies.
const companyLinks = prismaConnectionHelpers(builder, 'PersonCompany', {
  cursor: 'personId_companyId',
  // A company has no relations to nest, so its whole row serves any selection, under `edges`
  // or `nodes` alike (the helper would only look under `edges`).
  select: () => ({ company: true }),
  resolveNode: (link) => link.company,
});

builder.prismaObjectFields('Person', (t) => ({
  companies: t.connection(
    {
      type: Company,
      description: 'In the order given; the first is the primary company (seed 003).',
      select: (args, ctx, nestedSelection) => ({
        companies: { ...companyLinks.getQuery(args, ctx, nestedSelection), orderBy: { position: 'asc' } },
        _count: { select: { companies: true } },
      }),
      resolve: (person, args, ctx) => ({
        ...companyLinks.resolve(person.companies, args, ctx),
        totalCount: person._count.companies,
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
