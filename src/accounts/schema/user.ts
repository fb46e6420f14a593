import { builder } from '../../graphql/builder.ts';
import { organizationOf, serviceContext } from '../../graphql/context.ts';
import type { Actor } from '../../shared/actor.ts';
import { ConflictError } from '../../shared/errors.ts';
import { createOrganizationUser, deactivateUser, reactivateUser, updateUser } from '../user-service.ts';
import { mutationResult } from '../../graphql/errors.ts';
import { targetId } from '../../graphql/ids.ts';

export const UserRoleEnum = builder.enumType('UserRole', {
  description: 'What a user (or a key) may do: ADMIN also manages users and keys, EDITOR changes data, VIEWER only reads.',
  values: ['ADMIN', 'EDITOR', 'VIEWER'] as const,
});

export const User = builder.prismaNode('User', {
  description: 'Someone who works in the organisation through the API, with keys of their own.',
  id: { field: 'id' },
  // Select mode: a relation to a user (a note's author, an event's actor) reads only the columns asked for.
  select: { id: true },
  // node(id) answers null, not an error, for an id that is not (or not yours).
  nullable: true,
  findUnique: (id, ctx) => ({ id, organizationId: organizationOf(ctx) }),
  fields: (t) => ({
    email: t.exposeString('email'),
    name: t.exposeString('name', { nullable: true }),
    role: t.expose('role', { type: UserRoleEnum }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    deactivatedAt: t.expose('deactivatedAt', {
      type: 'DateTime',
      nullable: true,
      description: "When an admin deactivated this user; their keys no longer work. Null for an active user.",
    }),
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

/** An admin sees every user of the organisation; anyone else only themselves. */
function visibleUsersWhere(actor: Actor) {
  return actor.role === 'ADMIN' ? { organizationId: actor.organizationId } : { id: actor.userId };
}

builder.queryField('users', (t) =>
  t.prismaConnection({
    type: 'User',
    cursor: 'id',
    description: "The organisation's users, deactivated ones included, oldest first. An admin sees all of them; anyone else only themselves.",
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.user.findMany({ ...query, where: visibleUsersWhere(serviceContext(ctx).actor), orderBy: { id: 'asc' } }),
    totalCount: (_root, _args, ctx) => ctx.prisma.user.count({ where: visibleUsersWhere(serviceContext(ctx).actor) }),
  }),
);

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    email: t.string({ required: true, description: 'Unique in the organisation, whatever its case.' }),
    name: t.string(),
    role: t.field({ type: UserRoleEnum, description: 'EDITOR when not given.' }),
  }),
});

const UpdateUserInput = builder.inputType('UpdateUserInput', {
  description: 'Some fields of a user (PATCH): an absent field is kept, `name: null` clears the name.',
  fields: (t) => ({
    email: t.string(),
    name: t.string(),
    role: t.field({
      type: UserRoleEnum,
      description: "A demoted user's keys act with the lower role within the key cache's TTL. The last active admin cannot be demoted (ConflictError).",
    }),
  }),
});

builder.mutationField('createUser', (t) =>
  t.field({
    type: User,
    // Admins only: the field's own scope replaces Mutation's `editor`, so an editor or a viewer is told why.
    skipTypeScopes: true,
    authScopes: { admin: true },
    description: 'Adds a user to the organisation (admins only). The user has no key yet: make one with createApiKey(input: { userId }).',
    errors: mutationResult('CreateUser', 'user', [ConflictError]),
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: (_root, { input }, ctx) => createOrganizationUser(serviceContext(ctx), input),
  }),
);

builder.mutationField('updateUser', (t) =>
  t.field({
    type: User,
    skipTypeScopes: true,
    authScopes: { admin: true },
    description: "Changes a user's email, name or role (admins only, PATCH).",
    errors: mutationResult('UpdateUser', 'user', [ConflictError]),
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateUserInput, required: true }) },
    resolve: (_root, { id, input }, ctx) => updateUser(serviceContext(ctx), targetId(id, 'User'), input),
  }),
);

builder.mutationField('deactivateUser', (t) =>
  t.field({
    type: User,
    skipTypeScopes: true,
    authScopes: { admin: true },
    description:
      "Deactivates a user (admins only): their keys stop working within the key cache's TTL; their notes and timeline events stay theirs. Deactivating twice keeps the first date; the last active admin cannot be deactivated (ConflictError).",
    errors: mutationResult('DeactivateUser', 'user', [ConflictError]),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => deactivateUser(serviceContext(ctx), targetId(id, 'User')),
  }),
);

builder.mutationField('reactivateUser', (t) =>
  t.field({
    type: User,
    skipTypeScopes: true,
    authScopes: { admin: true },
    description: "Undoes deactivateUser (admins only): the user's keys that are neither revoked nor expired work again.",
    errors: mutationResult('ReactivateUser', 'user'),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => reactivateUser(serviceContext(ctx), targetId(id, 'User')),
  }),
);
