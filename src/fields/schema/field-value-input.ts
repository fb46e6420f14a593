import { builder } from '../../graphql/builder.ts';
import type { IssueList } from '../../shared/errors.ts';
import type { FieldValueInput as FieldValue, GroupFieldValues } from '../field-value-service.ts';
import type { PersonFieldsInput } from '../person-fields.ts';
import { fieldRef } from './custom-field.ts';
import { inputId } from '../../graphql/ids.ts';

// The inputs that carry custom-field values, shared by setPersonFields and the person inputs.

export const FieldValueInput = builder.inputType('FieldValueInput', {
  description: 'A value for a custom field: any JSON its type allows. null or an empty value ("", [], {}) unsets the field.',
  fields: (t) => ({
    field: t.string({ required: true, description: 'The field id or slug.' }),
    value: t.field({ type: 'JSON' }),
  }),
});

export const GroupFieldValuesInput = builder.inputType('GroupFieldValuesInput', {
  description: "Seed 003's customFieldValues: values for the fields of one group the person is in.",
  fields: (t) => ({
    groupId: t.id({ required: true }),
    values: t.field({ type: [FieldValueInput], required: true, description: 'At most 1000.' }),
  }),
});

type FieldValueArg = typeof FieldValueInput.$inferInput;
type GroupFieldValuesArg = typeof GroupFieldValuesInput.$inferInput;

export function toFieldValues(values: readonly FieldValueArg[]): FieldValue[] {
  return values.map(({ field, value }) => ({ field: fieldRef(field), value }));
}

export function toGroupFieldValues(issues: IssueList, path: string[], groups: readonly GroupFieldValuesArg[]): GroupFieldValues[] {
  return groups.map((group, index) => ({
    groupId: inputId(issues, [...path, String(index), 'groupId'], group.groupId, 'Group'),
    values: toFieldValues(group.values),
  }));
}

/** The groups and values of a person input, with their global ids decoded. */
export function toPersonFieldsInput(
  issues: IssueList,
  input: { groups?: readonly string[] | null; fields?: readonly FieldValueArg[] | null; fieldsByGroup?: readonly GroupFieldValuesArg[] | null },
): PersonFieldsInput {
  const result: PersonFieldsInput = {};
  if (input.groups !== undefined) {
    result.groups = input.groups?.map((id, index) => inputId(issues, ['input', 'groups', String(index)], id, 'Group')) ?? null;
  }
  if (input.fields !== undefined) result.fields = input.fields && toFieldValues(input.fields);
  if (input.fieldsByGroup !== undefined) {
    result.fieldsByGroup = input.fieldsByGroup && toGroupFieldValues(issues, ['input', 'fieldsByGroup'], input.fieldsByGroup);
  }
  return result;
}
