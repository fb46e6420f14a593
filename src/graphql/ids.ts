import { type IssueList, NotFoundError } from '../shared/errors.ts';
import { decodeGlobalId } from '../shared/global-ids.ts';

/** The database id inside a global id of the given type, or undefined when it is not one. */
export function localId(globalId: string, typename: string): string | undefined {
  const decoded = decodeGlobalId(globalId);
  return decoded?.typename === typename ? decoded.id : undefined;
}

/** For the object a mutation acts on: a malformed id names nothing, so it is NotFound. */
export function targetId(globalId: string, typename: string): string {
  const id = localId(globalId, typename);
  if (id === undefined) throw new NotFoundError(typename, globalId, true);
  return id;
}

/** For an id inside an input: a malformed one is a validation issue at its path. */
export function inputId(issues: IssueList, path: string[], globalId: string, typename: string): string {
  const id = localId(globalId, typename);
  if (id === undefined) {
    issues.add(path, `Not a ${typename} id: ${globalId}.`);
    return globalId;
  }
  return id;
}
