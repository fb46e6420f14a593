import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../../graphql/builder.ts';
import { organizationOf, serviceContext } from '../../graphql/context.ts';
import {
  createCustomField,
  type CustomFieldInput,
  deleteCustomField,
  type FieldRef,
  fieldWhere,
  updateCustomField,
} from '../custom-field-service.ts';
import { ConflictError, IssueList } from '../../shared/errors.ts';
import { mutationResult } from '../../graphql/errors.ts';
import { inputId, localId } from '../../graphql/ids.ts';
import { searchTextBound } from '../../graphql/input-limits.ts';

export const CustomFieldTypeEnum = builder.enumType('CustomFieldType', {
  description: 'What values a custom field takes (seed 003). null or an empty value always unsets.',
  values: {
    TEXT: { description: 'Text of at most 5000 characters: "Foo".' },
    NUMBER: { description: 'A number, or a numeric string that is stored as a number: 42 or "42".' },
    DATE: { description: 'A real date as YYYY-MM-DD: "2021-01-01".' },
    URL: { description: 'An http(s) URL.' },
    JSON: { description: 'Any JSON, objects and lists included (strings up to 5000 characters, lists up to 1000 items).' },
    SINGLE_SELECT: { description: 'One of the option labels: "Active".' },
    MULTIPLE_SELECT: { description: 'A list of option labels: ["B2B", "B2C"].' },
    CONTACT: { description: 'People and companies: [{ "id": "<Person or Company id>" }]; stored as a list of ids.' },
    USER: { description: 'Users: [{ "id": "<User id>" }] or [{ "email": "jane@example.org" }]; stored as a list of ids.' },
    MAGIC: { description: "Seed 003's magicField: text of at most 5000 characters, \"foo\" (folk fills it in; here it is set like TEXT)." },
    OBJECT: {
      description:
        'Seed 003\'s objectField: records another service holds, [{ "id": "obj_2f62…" }]; ids of at most 200 characters, ' +
        'none twice, kept as given (this API cannot look them up); stored as a list of ids.',
    },
  } as const,
});

export const CustomField = builder.prismaNode('CustomField', {
  description: 'A typed field that people can be given values for (seed 000: people/fields).',
  id: { field: 'id' },
  select: { id: true },
  // node(id) answers null, not an error, for an id that is not (or not yours).
  nullable: true,
  findUnique: (id, ctx) => ({ id, organizationId: organizationOf(ctx) }),
  fields: (t) => ({
    title: t.exposeString('title'),
    slug: t.exposeString('slug', {
      description: 'Unique in the organisation; lower-case ascii and dashes. Fields are addressed by id or slug.',
    }),
    description: t.exposeString('description', { nullable: true }),
    type: t.expose('type', { type: CustomFieldTypeEnum }),
    options: t.exposeStringList('options', { description: 'The option labels of a select field; empty for other types.' }),
    groupId: t.id({
      nullable: true,
      description: 'The group whose members this field is for (seed 003); null for a field of everyone.',
      select: { groupId: true },
      resolve: (field) => field.groupId && encodeGlobalID('Group', field.groupId),
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

/** A field argument: a CustomField id, or else a slug (slugs are lower-case, so case does not matter). */
export function fieldRef(idOrSlug: string): FieldRef {
  const id = localId(idOrSlug, 'CustomField');
  return id !== undefined ? { id } : { slug: idOrSlug.trim().toLowerCase() };
}

const CreateCustomFieldInput = builder.inputType('CreateCustomFieldInput', {
  fields: (t) => ({
    title: t.string({ required: true, description: 'At most 500 characters.' }),
    slug: t.string({ description: 'Derived from the title when not given ("Join date" gives "join-date").' }),
    description: t.string({ description: 'At most 5000 characters.' }),
    type: t.field({ type: CustomFieldTypeEnum, required: true }),
    options: t.stringList({ description: 'Required for select types: at most 1000 labels, unique whatever their case.' }),
    groupId: t.id({ description: 'Scopes the field to a group: only its members take values for it.' }),
  }),
});

const UpdateCustomFieldInput = builder.inputType('UpdateCustomFieldInput', {
  description:
    'Some fields of a definition (PATCH): absent keeps, null clears (a null slug is derived from the title again). ' +
    'A new type or options must fit every value already set, or the change is a ConflictError.',
  fields: (t) => ({
    title: t.string(),
    slug: t.string(),
    description: t.string(),
    type: t.field({ type: CustomFieldTypeEnum }),
    options: t.stringList({ description: 'Replaces the options; an option still in use cannot be removed or renamed.' }),
    groupId: t.id(),
  }),
});

type CustomFieldInputArg = typeof CreateCustomFieldInput.$inferInput | typeof UpdateCustomFieldInput.$inferInput;

function toCustomFieldInput(input: CustomFieldInputArg): CustomFieldInput {
  const issues = new IssueList();
  const { groupId, ...rest } = input;
  const result: CustomFieldInput = { ...rest };
  if (groupId !== undefined) result.groupId = groupId && inputId(issues, ['input', 'groupId'], groupId, 'Group');
  issues.throwIfAny();
  return result;
}

builder.queryField('customFields', (t) =>
  t.prismaConnection({
    type: 'CustomField',
    cursor: 'id',
    description: "Your organisation's custom fields, oldest first (seed 000: GET people/fields).",
    args: { groupId: t.arg.id({ description: 'Only the fields of this group.' }) },
    resolve: (query, _root, args, ctx) => ctx.prisma.customField.findMany({ ...query, where: customFieldsWhere(ctx, args.groupId) }),
    totalCount: (_root, args, ctx) => ctx.prisma.customField.count({ where: customFieldsWhere(ctx, args.groupId) }),
  }),
);

function customFieldsWhere(ctx: Parameters<typeof organizationOf>[0], groupId: string | null | undefined) {
  const organizationId = organizationOf(ctx);
  if (groupId == null) return { organizationId };
  // An id that is no group id names no group: no fields, as for another organisation's group.
  const localGroupId = localId(groupId, 'Group');
  return localGroupId ? { organizationId, groupId: localGroupId } : { organizationId, id: { in: [] } };
}

builder.queryField('customField', (t) =>
  t.prismaField({
    type: 'CustomField',
    nullable: true,
    description: 'A custom field by id or slug; null when your organisation has none.',
    args: { idOrSlug: t.arg.string({ required: true, extensions: searchTextBound }) },
    resolve: (query, _root, { idOrSlug }, ctx) =>
      ctx.prisma.customField.findFirst({ ...query, where: fieldWhere(organizationOf(ctx), fieldRef(idOrSlug)) }),
  }),
);

builder.mutationField('createCustomField', (t) =>
  t.field({
    type: CustomField,
    description: 'Defines a custom field. A slug another field has is a ConflictError.',
    errors: mutationResult('CreateCustomField', 'customField', [ConflictError]),
    args: { input: t.arg({ type: CreateCustomFieldInput, required: true }) },
    resolve: (_root, { input }, ctx) => createCustomField(serviceContext(ctx), toCustomFieldInput(input)),
  }),
);

builder.mutationField('updateCustomField', (t) =>
  t.field({
    type: CustomField,
    description: 'Changes a definition (PATCH). Refused with a ConflictError while values exist that would no longer fit.',
    errors: mutationResult('UpdateCustomField', 'customField', [ConflictError]),
    args: { idOrSlug: t.arg.string({ required: true }), input: t.arg({ type: UpdateCustomFieldInput, required: true }) },
    resolve: (_root, { idOrSlug, input }, ctx) =>
      updateCustomField(serviceContext(ctx), fieldRef(idOrSlug), toCustomFieldInput(input)),
  }),
);

builder.mutationField('deleteCustomField', (t) =>
  t.field({
    type: 'ID',
    description: "Deletes a definition and, at once, every person's value for it.",
    errors: mutationResult('DeleteCustomField', 'deletedId'),
    args: { idOrSlug: t.arg.string({ required: true }) },
    resolve: async (_root, { idOrSlug }, ctx) =>
      encodeGlobalID('CustomField', await deleteCustomField(serviceContext(ctx), fieldRef(idOrSlug))),
  }),
);
