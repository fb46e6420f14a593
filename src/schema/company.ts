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
