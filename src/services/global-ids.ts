/**
 * The API's global ids: base64 of "Type:id", the encoding of Pothos' relay plugin. Contact and
 * user values of custom fields hold global ids, so a value reads back exactly as it was written
 * and a filter can match it with the ids a client knows. This module lets the services read and
 * write those ids without importing GraphQL code; a test checks that both agree.
 */
export interface DecodedGlobalId {
  typename: string;
  id: string;
}

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const typenamePattern = /^[A-Z_a-z]\w*$/;

export function encodeGlobalId(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}

/** The type and database id inside a global id, or undefined when it is not one. */
export function decodeGlobalId(globalId: string): DecodedGlobalId | undefined {
  if (globalId === '' || !base64Pattern.test(globalId)) return undefined;
  const decoded = Buffer.from(globalId, 'base64').toString();
  const separator = decoded.indexOf(':');
  if (separator <= 0) return undefined;
  const typename = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  return typenamePattern.test(typename) && id !== '' ? { typename, id } : undefined;
}
