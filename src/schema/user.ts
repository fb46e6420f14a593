import { builder } from '../builder.ts';
import { organizationOf, serviceContext } from '../context.ts';

export const UserRoleEnum = builder.enumType('UserRole', {
  description: 'What a user may do: ADMIN and EDITOR change data, VIEWER only reads.',
  values: ['ADMIN', 'EDITOR', 'VIEWER'] as const,
});

export const User = builder.prismaNode('User', {
  description: 'Someone who works in the organisation through the API, with a key of their own.',
  id: { field: 'id' },
  // node(id) answers null, not an error, for an id that is not (or not yours).
  nullable: true,
  findUnique: (id, ctx) => ({ id, organizationId: organizationOf(ctx) }),
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name', { nullable: true }),
    role: t.expose('role', { type: UserRoleEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

builder.queryField('viewer', (t) =>
  t.prismaField({
    type: 'User',
    description: 'The user whose API key made this request.',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.user.findUniqueOrThrow({ ...query, where: { id: serviceContext(ctx).actor.userId } }),
  }),
);
