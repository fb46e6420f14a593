import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import { builder } from '../../graphql/builder.ts';
import { type GraphQLContext, organizationOf, serviceContext } from '../../graphql/context.ts';
import type { Company as CompanyRow, CustomFieldType, Person as PersonRow, User as UserRow } from '../../generated/prisma/client.ts';
import { fieldWhere } from '../custom-field-service.ts';
import { ConflictError, FieldNotSetError, IssueList } from '../../shared/errors.ts';
import { setPersonField, setPersonFields, unsetPersonField } from '../field-value-service.ts';
import { decodeGlobalId } from '../../shared/global-ids.ts';
import { parseCalendarDate } from '../../shared/validation.ts';
import { fieldRef } from './custom-field.ts';
import { expectedVersionDescription, mutationResult } from '../../graphql/errors.ts';
import { GroupFieldValuesInput, toGroupFieldValues } from './field-value-input.ts';
import { targetId } from '../../graphql/ids.ts';
import { searchTextBound } from '../../graphql/input-limits.ts';
import { User } from '../../accounts/index.ts';

export const FieldValue = builder.prismaObject('PersonFieldValue', {
  name: 'FieldValue',
  description: 'The value of one custom field on one person.',
  // Select mode: only the columns asked for (a select needs one column at least).
  select: { fieldId: true },
  fields: (t) => ({
    field: t.relation('field'),
    value: t.expose('value', {
      type: 'JSON',
      description: 'As stored: numbers as numbers, dates as "YYYY-MM-DD", contacts and users as lists of global ids.',
    }),
    typedValue: t.field({
      type: TypedFieldValue,
      description: "The value by its field's type, with contacts and users resolved.",
      select: { value: true, field: { select: { type: true } } },
      resolve: (row) => typedValueOf(row.field.type, row.value),
    }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    updatedBy: t.relation('updatedBy', { nullable: true, description: 'Who last set it; null once that user is deleted.' }),
  }),
});

/** A stored value with the type it is read as. */
interface TypedValue {
  type: CustomFieldType;
  value: unknown;
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);

/** What the stored value holds for each type; a value that does not fit is shown as JSON rather than failing. */
const storedShapes: Record<CustomFieldType, (value: unknown) => boolean> = {
  TEXT: isString,
  NUMBER: (value) => typeof value === 'number',
  DATE: (value) => isString(value) && parseCalendarDate(value) !== undefined,
  URL: isString,
  JSON: () => true,
  SINGLE_SELECT: isString,
  MULTIPLE_SELECT: isStringList,
  CONTACT: isStringList,
  USER: isStringList,
  MAGIC: isString,
  OBJECT: isStringList,
};

function typedValueOf(type: CustomFieldType, value: unknown): TypedValue {
  return storedShapes[type](value) ? { type, value } : { type: 'JSON', value };
}

const typedObject = (name: string, description: string) => builder.objectRef<TypedValue>(name).implement({ description, fields: () => ({}) });

const TextValue = typedObject('TextValue', 'A TEXT value.');
const NumberValue = typedObject('NumberValue', 'A NUMBER value.');
const DateValue = typedObject('DateValue', 'A DATE value.');
const UrlValue = typedObject('UrlValue', 'A URL value.');
const JsonValue = typedObject('JsonValue', 'A JSON value.');
const SingleSelectValue = typedObject('SingleSelectValue', 'A SINGLE_SELECT value.');
const MultipleSelectValue = typedObject('MultipleSelectValue', 'A MULTIPLE_SELECT value.');
const ContactValue = typedObject('ContactValue', 'A CONTACT value: people and companies.');
const UserValue = typedObject('UserValue', 'A USER value: users of the organisation.');
const MagicValue = typedObject('MagicValue', "A MAGIC value (seed 003's magicField): text.");
const ObjectValue = typedObject('ObjectValue', "An OBJECT value (seed 003's objectField): records of another service.");

builder.objectFields(TextValue, (t) => ({ text: t.string({ resolve: ({ value }) => value as string }) }));
builder.objectFields(NumberValue, (t) => ({ number: t.float({ resolve: ({ value }) => value as number }) }));
builder.objectFields(DateValue, (t) => ({
  date: t.field({ type: 'Date', resolve: ({ value }) => parseCalendarDate(value as string)! }),
}));
builder.objectFields(UrlValue, (t) => ({ url: t.string({ resolve: ({ value }) => value as string }) }));
builder.objectFields(JsonValue, (t) => ({ json: t.field({ type: 'JSON', resolve: ({ value }) => value }) }));
builder.objectFields(SingleSelectValue, (t) => ({ option: t.string({ resolve: ({ value }) => value as string }) }));
builder.objectFields(MultipleSelectValue, (t) => ({ options: t.stringList({ resolve: ({ value }) => value as string[] }) }));
builder.objectFields(MagicValue, (t) => ({ text: t.string({ resolve: ({ value }) => value as string }) }));

const ExternalObject = builder.objectRef<string>('ExternalObject').implement({
  description: 'An object that an OBJECT value names, as seed 003 gives it: { id }.',
  fields: (t) => ({ id: t.string({ description: 'The id as it was given, e.g. "obj_2f62…".', resolve: (id) => id }) }),
});
builder.objectFields(ObjectValue, (t) => ({
  objects: t.field({ type: [ExternalObject], description: 'In the order given.', resolve: ({ value }) => value as string[] }),
}));

const Contact = builder.unionType('Contact', {
  description: 'A person or a company that a CONTACT value names; __typename tells which.',
  types: () => ['Person', 'Company'],
  resolveType: (row) => ('familyName' in row ? 'Person' : 'Company'),
});

builder.objectFields(ContactValue, (t) => ({
  contacts: t.field({
    type: [Contact],
    description: 'In the order stored; a person or company deleted since is left out.',
    resolve: async ({ value }, _args, ctx) => present(await referenceLoaders(ctx).contacts.loadMany(value as string[])),
  }),
}));
builder.objectFields(UserValue, (t) => ({
  users: t.field({
    type: [User],
    description: 'In the order stored; a user deleted since is left out.',
    resolve: async ({ value }, _args, ctx) => present(await referenceLoaders(ctx).users.loadMany(value as string[])),
  }),
}));

const typedValueTypes = {
  TEXT: TextValue,
  NUMBER: NumberValue,
  DATE: DateValue,
  URL: UrlValue,
  JSON: JsonValue,
  SINGLE_SELECT: SingleSelectValue,
  MULTIPLE_SELECT: MultipleSelectValue,
  CONTACT: ContactValue,
  USER: UserValue,
  MAGIC: MagicValue,
  OBJECT: ObjectValue,
} as const satisfies Record<CustomFieldType, unknown>;

const TypedFieldValue = builder.unionType('TypedFieldValue', {
  description: 'A value by the type of its field.',
  types: Object.values(typedValueTypes),
  resolveType: ({ type }) => typedValueTypes[type],
});

function present<T>(rows: readonly (T | null | Error)[]): T[] {
  return rows.filter((row): row is T => row !== null && !(row instanceof Error));
}

/**
 * Per-request loaders for the records values refer to: every contact and user value of a
 * response is resolved with one query per kind of record, however many values there are.
 */
const referenceLoaders = createContextCache((ctx: GraphQLContext) => {
  const organizationId = organizationOf(ctx);
  const byId = async <Row extends { id: string }>(ids: string[], find: (ids: string[]) => Promise<Row[]>) =>
    new Map((ids.length === 0 ? [] : await find(ids)).map((row) => [row.id, row]));
  return {
    contacts: new DataLoader<string, PersonRow | CompanyRow | null>(async (globalIds) => {
      const decoded = globalIds.map((globalId) => decodeGlobalId(globalId));
      const idsOf = (typename: string) => decoded.flatMap((ref) => (ref?.typename === typename ? [ref.id] : []));
      const [people, companies] = await Promise.all([
        byId(idsOf('Person'), (ids) => ctx.prisma.person.findMany({ where: { organizationId, id: { in: ids } } })),
        byId(idsOf('Company'), (ids) => ctx.prisma.company.findMany({ where: { organizationId, id: { in: ids } } })),
      ]);
      return decoded.map((ref) => (ref?.typename === 'Person' ? people : companies).get(ref?.id ?? '') ?? null);
    }),
    users: new DataLoader<string, UserRow | null>(async (globalIds) => {
      const ids = globalIds.map((globalId) => decodeGlobalId(globalId)?.id ?? '');
      const users = await byId(ids, (wanted) => ctx.prisma.user.findMany({ where: { organizationId, id: { in: wanted } } }));
      return ids.map((id) => users.get(id) ?? null);
    }),
  };
});

builder.prismaObjectFields('Person', (t) => ({
  fields: t.relatedConnection('fieldValues', {
    cursor: 'personId_fieldId',
    // Two ids per cursor; http/bad-values.ts refuses any other form.
    extensions: { cursorKeys: 2 },
    totalCount: true,
    description: 'The custom fields set on this person, oldest field first (seed 000); unset fields are not listed.',
    query: { orderBy: { fieldId: 'asc' } },
  }),
  field: t.field({
    type: FieldValue,
    nullable: true,
    description: 'The value of one custom field, by id or slug; null when it is not set (or there is no such field).',
    args: { idOrSlug: t.arg.string({ required: true, extensions: searchTextBound }) },
    select: (args, ctx, nestedSelection) => ({
      fieldValues: nestedSelection({ where: { field: fieldWhere(organizationOf(ctx), fieldRef(args.idOrSlug)) }, take: 1 }),
    }),
    resolve: (person) => person.fieldValues[0] ?? null,
  }),
}));

builder.mutationField('setPersonField', (t) =>
  t.field({
    type: 'Person',
    description:
      "Sets one custom field on a person (seed 000's PUT): any JSON the field's type allows. " +
      'A null or empty value ("", [], {}) unsets the field and always succeeds, set or not.',
    errors: mutationResult('SetPersonField', 'person', [ConflictError]),
    args: {
      personId: t.arg.id({ required: true }),
      field: t.arg.string({ required: true, description: 'The field id or slug.' }),
      value: t.arg({ type: 'JSON' }),
    },
    resolve: (_root, { personId, field, value }, ctx) =>
      setPersonField(serviceContext(ctx), targetId(personId, 'Person'), fieldRef(field), value),
  }),
);

builder.mutationField('unsetPersonField', (t) =>
  t.field({
    type: 'Person',
    description: "Unsets one custom field on a person (seed 000's DELETE); FieldNotSetError when it was not set.",
    errors: mutationResult('UnsetPersonField', 'person', [FieldNotSetError]),
    args: {
      personId: t.arg.id({ required: true }),
      field: t.arg.string({ required: true, description: 'The field id or slug.' }),
    },
    resolve: (_root, { personId, field }, ctx) => unsetPersonField(serviceContext(ctx), targetId(personId, 'Person'), fieldRef(field)),
  }),
);

builder.mutationField('setPersonFields', (t) =>
  t.field({
    type: 'Person',
    description:
      "Sets values grouped by group (seed 003): each group must be one the person is in, each field one of that group's. " +
      'null or [] unsets. Any problem refuses the whole call.',
    errors: mutationResult('SetPersonFields', 'person', [ConflictError]),
    args: {
      personId: t.arg.id({ required: true }),
      groups: t.arg({ type: [GroupFieldValuesInput], required: true }),
      expectedVersion: t.arg.int({ description: expectedVersionDescription }),
    },
    resolve: (_root, { personId, groups, expectedVersion }, ctx) => {
      const id = targetId(personId, 'Person');
      const issues = new IssueList();
      const grouped = toGroupFieldValues(issues, ['groups'], groups);
      issues.throwIfAny();
      return setPersonFields(serviceContext(ctx), id, grouped, expectedVersion);
    },
  }),
);
