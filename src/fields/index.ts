// The fields domain's public entry: what other domains and the entry points may use of it.
export { createCustomField, type FieldRef, fieldWhere } from './custom-field-service.ts';
export { checkValue } from './field-validation.ts';
export { checkGroupsExist, findFields, groupIdsOf, lockDefinitions, setPersonField, setPersonFields } from './field-value-service.ts';
export { mergePersonFieldValues, type PersonFieldsInput, writePersonFields } from './person-fields.ts';
export { CustomField, fieldRef } from './schema/custom-field.ts';
export { FieldValueInput, GroupFieldValuesInput, toPersonFieldsInput } from './schema/field-value-input.ts';
