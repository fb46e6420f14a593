import { type AuthFailure, AuthScopeFailureType, type ForbiddenResult } from '@pothos/plugin-scope-auth';
import { GraphQLError, type GraphQLResolveInfo, getNamedType, isUnionType } from 'graphql';
import type { GraphQLContext } from './context.ts';
import { ForbiddenError } from '../shared/errors.ts';

/**
 * Roles as @pothos/plugin-scope-auth scopes, so that each field of the schema says who may use
 * it. The scopes nest: an admin has all three, an editor `viewer` and `editor`, a viewer `viewer`.
 * The role is the key's (at most its user's, see account-service.ts).
 *
 * - `viewer`: any key. Every query (type-level scope on Query, src/graphql/builder.ts).
 * - `editor`: every mutation unless its field says otherwise (type-level scope on Mutation).
 * - `admin`: managing users (createUser, updateUser, deactivateUser), keys' rate limits (updateApiKey)
 *   and webhooks (their queries and mutations, src/webhooks/schema/webhook.ts).
 * createApiKey and revokeApiKey need `viewer` only: anyone manages their own keys, and the
 * service lets only an admin touch another user's.
 */
export interface RoleScopes {
  viewer: boolean;
  editor: boolean;
  admin: boolean;
}

export function actorScopes({ actor }: GraphQLContext): RoleScopes {
  return {
    viewer: actor !== null,
    editor: actor?.role === 'EDITOR' || actor?.role === 'ADMIN',
    admin: actor?.role === 'ADMIN',
  };
}

/**
 * What a caller without the scope gets. A mutation's result union carries ForbiddenError, so there
 * it is that typed result (the errors plugin, listed before scope-auth, turns it into data), as
 * the services' requireWriter has always answered. Elsewhere it is a GraphQL error with the code
 * FORBIDDEN: a client's mistake, not a masked one.
 */
export function unauthorizedError(
  _parent: unknown,
  { actor }: GraphQLContext,
  info: GraphQLResolveInfo,
  { failure }: ForbiddenResult,
): Error {
  const needed = missingScopes(failure);
  const message =
    needed.includes('admin')
      ? `Only an admin may do this; your key acts as ${actor?.role ?? 'nobody'}.`
      : needed.includes('editor')
        ? 'A viewer can read but not change anything.'
        : 'Your role does not allow this.';
  const returnType = getNamedType(info.returnType);
  if (isUnionType(returnType) && returnType.getTypes().some((type) => type.name === 'ForbiddenError')) {
    return new ForbiddenError(message);
  }
  return new GraphQLError(message, { extensions: { code: 'FORBIDDEN' } });
}

function missingScopes(failure: AuthFailure): string[] {
  switch (failure.kind) {
    case AuthScopeFailureType.AuthScope:
      return [failure.scope];
    case AuthScopeFailureType.AnyAuthScopes:
    case AuthScopeFailureType.AllAuthScopes:
      return failure.failures.flatMap(missingScopes);
    default:
      return [];
  }
}
