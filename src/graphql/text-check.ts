import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from '@pothos/core';
import type { GraphQLFieldResolver } from 'graphql';
import { ValidationError } from '../shared/errors.ts';
import { textIssues } from '../shared/text-values.ts';

/**
 * Text the database cannot store (U+0000, lone surrogates; see shared/text-values.ts) in the
 * arguments of a mutation is the client's mistake, answered as the mutation's own ValidationError
 * with the path of each bad string, before its resolver runs. Every other argument (queries,
 * nested fields, cursors) is checked for the same before execution by http/bad-values.ts, as a
 * BAD_USER_INPUT error. A field may leave a subtree to its resolver with the extension
 * `textCheckedByResolver` (importPeople checks its rows one by one, so a bad row fails alone).
 */
class MutationTextCheck<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(
    resolver: GraphQLFieldResolver<unknown, Types['Context'], object>,
    fieldConfig: PothosOutputFieldConfig<Types>,
  ): GraphQLFieldResolver<unknown, Types['Context'], object> {
    if (!answersValidationError(fieldConfig)) return resolver;
    const skipped = (fieldConfig.extensions?.textCheckedByResolver as string[] | undefined) ?? [];
    const skip = skipped.length ? (path: readonly string[]) => skipped.includes(path.join('.')) : undefined;
    return (parent, args, context, info) => {
      const issues = textIssues(args, [], skip);
      if (issues.length > 0) throw new ValidationError(issues);
      return resolver(parent, args, context, info);
    };
  }
}

/** A root mutation whose result union lists ValidationError (the errors plugin returns it as data). */
export function answersValidationError<Types extends SchemaTypes>(fieldConfig: PothosOutputFieldConfig<Types>): boolean {
  const errors = fieldConfig.extensions?.pothosErrors as unknown[] | undefined;
  return fieldConfig.parentType === 'Mutation' && Array.isArray(errors) && errors.includes(ValidationError);
}

export const MutationTextCheckPlugin = 'mutationTextCheck';
SchemaBuilder.registerPlugin(MutationTextCheckPlugin, MutationTextCheck);

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      mutationTextCheck: MutationTextCheck<Types>;
    }
  }
}
