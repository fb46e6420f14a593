import { encodeGlobalId } from './global-ids.ts';

/**
 * Expected failures. Services throw these; the schema lists them on each mutation, so they
 * reach the client as typed data. Anything else thrown is unexpected: masked and logged.
 */
export class DomainError extends Error {}

export class NotFoundError extends DomainError {
  constructor(
    readonly resource: string,
    readonly id: string,
    /** True when `id` is the client's own (malformed) global id rather than a database id. */
    readonly idIsGlobal = false,
    /** For a link that does not exist between two things that do (a tag not on a person). */
    message = `${resource} ${idIsGlobal ? id : encodeGlobalId(resource, id)} was not found.`,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }

  /** The id as the client knows it: a database id never reaches a client. */
  get globalId(): string {
    return this.idIsGlobal ? this.id : encodeGlobalId(this.resource, this.id);
  }
}

export interface FieldIssue {
  /** Where in the input the problem is, e.g. ["input", "emails", "2"]. */
  path: string[];
  message: string;
}

export class ValidationError extends DomainError {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.length === 1 ? issues[0]!.message : `The input has ${issues.length} problems.`);
    this.name = 'ValidationError';
  }
}

export class ConflictError extends DomainError {
  constructor(
    message: string,
    /** For a stale expectedVersion: the record's version now (db/versions.ts). */
    readonly currentVersion: number | null = null,
  ) {
    super(message);
    this.name = 'ConflictError';
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'Your role does not allow this.') {
    super(message);
    this.name = 'ForbiddenError';
  }
}

/**
 * The person's email or phone belongs to someone erased with suppression (src/privacy): a create,
 * a replace or an import row that says allowSuppressed writes them anyway.
 */
export class SuppressedPersonError extends DomainError {
  constructor(
    /** Where in the input: e.g. ["input", "emails", "0"]. */
    readonly path: string[],
  ) {
    super('This person was erased at their request and must not be added again: their email or phone is suppressed. Send allowSuppressed: true only if they asked to be added back.');
    this.name = 'SuppressedPersonError';
  }
}

export class FieldNotSetError extends DomainError {
  constructor(
    readonly field: string,
    readonly personId: string,
  ) {
    super(`Field ${field} is not set on this person.`);
    this.name = 'FieldNotSetError';
  }
}

/**
 * The message for an id inside an input that names nothing of this organisation: the same
 * whether it names nothing at all or something of another organisation, and naming the global id
 * the client sent (`what` is how the message calls the type, "note category").
 */
export function notInOrganisation(typename: string, id: string, what: string): string {
  return `No ${what} ${encodeGlobalId(typename, id)} in this organisation.`;
}

/** Collects issues while an input is checked, then throws them all at once. */
export class IssueList {
  readonly issues: FieldIssue[] = [];
  add(path: (string | number)[], message: string): void {
    this.issues.push({ path: path.map(String), message });
  }
  throwIfAny(): void {
    if (this.issues.length > 0) throw new ValidationError(this.issues);
  }
}

/**
 * Work stopped because the server is shutting down (an import between two batches). Not the
 * client's fault nor a bug: answered as SERVICE_UNAVAILABLE, to be retried elsewhere or later.
 */
export class ShuttingDownError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShuttingDownError';
  }
}
