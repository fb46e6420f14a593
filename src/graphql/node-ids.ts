import { PothosValidationError } from '@pothos/core';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';
import { type GraphQLError, type GraphQLResolveInfo, isObjectType } from 'graphql';

/**
 * Global ids given as ID arguments of the Relay plugin (`node`, `nodes`, `t.arg.globalID`): one
 * that is not a global id at all, or that names no type of this API, is the client's mistake and
 * says so with a code (the plugin's own errors have none).
 */
export function invalidGlobalId(globalId: string): GraphQLError {
  // Still the plugin's own error class: @pothos/plugin-complexity, which decodes ids as it
  // measures an operation, leaves those to execution (where this error is the field's).
  return new PothosValidationError(`Invalid global ID: ${globalId}`, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** The plugin's decoding, with its error given a code (the builder's `relay.decodeGlobalID`). */
export function decodeArgumentGlobalId(globalId: string): { typename: string; id: string } {
  try {
    return decodeGlobalID(globalId);
  } catch (error) {
    if (error instanceof PothosValidationError) throw invalidGlobalId(globalId);
    throw error;
  }
}

/**
 * `node` and `nodes` load ids of Node types only: another name (a type that does not exist, or
 * one without ids) is refused, where the plugin would fail looking it up ("Nope has not been
 * implemented").
 */
export function assertNodeType(decoded: { typename: string; id: string }, info: GraphQLResolveInfo): void {
  const type = info.schema.getType(decoded.typename);
  if (isObjectType(type) && type.getInterfaces().some((iface) => iface.name === 'Node')) return;
  throw invalidGlobalId(encodeGlobalID(decoded.typename, decoded.id));
}
