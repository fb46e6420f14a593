import { PothosValidationError } from '@pothos/core';
import { decodeGlobalID, encodeGlobalID } from '@pothos/plugin-relay';

/**
 * The API's global ids: base64 of "Type:id", Pothos' relay plugin's own codec. Services need them
 * too (messages name the id a client knows; contact and user values of custom fields hold global
 * ids, so a value reads back exactly as it was written and a filter can match it), so they call
 * the plugin's functions through here rather than schema code.
 */
export interface DecodedGlobalId {
  typename: string;
  id: string;
}

export const encodeGlobalId = encodeGlobalID;

/** The type and database id inside a global id, or undefined when it is not one. */
export function decodeGlobalId(globalId: string): DecodedGlobalId | undefined {
  try {
    return decodeGlobalID(globalId);
  } catch (error) {
    if (error instanceof PothosValidationError) return undefined;
    throw error;
  }
}
