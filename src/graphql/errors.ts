import { builder } from './builder.ts';
import {
  ConflictError,
  FieldNotSetError,
  ForbiddenError,
  NotFoundError,
  SuppressedPersonError,
  ValidationError,
} from '../shared/errors.ts';

/** Every expected failure is one of these types; clients match on __typename. */
export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'An expected failure, returned as data in a mutation result.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'An id that names nothing this organisation has.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    resource: t.exposeString('resource'),
    id: t.id({ description: 'The id as sent: a global id, or the slug a field was addressed by.', resolve: (error) => error.globalId }),
  }),
});

export const FieldError = builder.simpleObject('FieldError', {
  description: 'One problem with one input field.',
  fields: (t) => ({
    path: t.stringList({ description: 'Where in the input, e.g. ["input", "emails", "2"].' }),
    message: t.string(),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'The input broke one or more rules; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    fieldErrors: t.field({ type: [FieldError], resolve: (error) => error.issues }),
  }),
});

builder.objectType(ConflictError, {
  name: 'ConflictError',
  description:
    'The change clashes with what exists: a duplicate title, or a record changed since the version given as expectedVersion (nothing was written).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    currentVersion: t.exposeInt('currentVersion', {
      nullable: true,
      description: "For a stale expectedVersion: the record's version now. Read it again, then retry.",
    }),
  }),
});

/** The argument of the writes that refuse a stale edit (db/versions.ts). */
export const expectedVersionDescription =
  'The version you read (`version`). When given and the record has changed since, nothing is written and the result is a ConflictError with the current version.';

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description: "The caller's role does not allow this change.",
  interfaces: [ErrorInterface],
  fields: () => ({}),
});

builder.objectType(FieldNotSetError, {
  name: 'FieldNotSetError',
  description: 'The custom field has no value on this person, so there is nothing to unset.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field') }),
});

builder.objectType(SuppressedPersonError, {
  name: 'SuppressedPersonError',
  description: 'An email or phone of the input belongs to a person erased with suppression; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ path: t.exposeStringList('path', { description: 'The suppressed item in the input, e.g. ["input", "emails", "0"].' }) }),
});

const commonErrors = [ForbiddenError, NotFoundError, ValidationError];

/**
 * The result of a mutation: `<Name>Result = <Name>Success | <errors>`, the success carrying its
 * data in `dataField`.
 */
export function mutationResult(
  name: string,
  dataField: string,
  // Any error class with an object type of its own (a domain's, e.g. WebhookUrlRefusedError).
  extraErrors: (new (...args: never[]) => Error)[] = [],
) {
  return {
    types: [...commonErrors, ...extraErrors],
    union: { name: `${name}Result` },
    result: { name: `${name}Success` },
    dataField: { name: dataField },
  };
}

/**
 * The Prisma query for the record a mutation's payload carries. When the selection asks for none
 * of the record (only `__typename`, or the success type without its data field), plugin-prisma
 * gives `{ select: {} }`, which Prisma refuses outright; the row's own columns do instead.
 */
export function payloadQuery<Query extends { select?: object }>(query: Query): Query | Record<string, never> {
  return query.select && Object.keys(query.select).length === 0 ? {} : query;
}
