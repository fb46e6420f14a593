import { builder } from '../builder.ts';
import type { IssueList } from '../services/errors.ts';
import type { FieldValueInput as FieldValue, GroupFieldValues } from '../services/field-value-service.ts';
import { fieldRef } from './custom-field.ts';
import { inputId } from './ids.ts';

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

