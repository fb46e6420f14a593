import type { InputObjectRef, ObjectRef } from '@pothos/core';
import type { ServiceContext } from '../shared/actor.ts';
import { ConflictError } from '../shared/errors.ts';
import { type BuilderTypes, builder } from './builder.ts';
import { serviceContext } from './context.ts';
import { mutationResult } from './errors.ts';
import { targetId } from './ids.ts';

/** What a titled thing's three mutations need: its type, inputs, services and descriptions. */
export interface TitledMutations<Shape, Create, Update> {
  /** The GraphQL type's name: createTag, UpdateTagResult, … are made from it. */
  typename: string;
  type: ObjectRef<BuilderTypes, Shape>;
  /** The name of the success's field holding the thing (tag, groupCategory). */
  dataField: string;
  createInput: InputObjectRef<BuilderTypes, Create>;
  updateInput: InputObjectRef<BuilderTypes, Update>;
  create: (ctx: ServiceContext, input: Create) => Promise<Shape>;
  update: (ctx: ServiceContext, id: string, input: Update) => Promise<Shape>;
  remove: (ctx: ServiceContext, id: string) => Promise<unknown>;
  descriptions: { create: string; update: string; delete: string };
  /** A delete refused while the thing is in use (a note category) is a ConflictError. */
  deleteConflicts?: boolean;
}

/**
 * The create, update (PATCH) and delete mutations of a thing with a title unique in the
 * organisation (tags, projects, note and group categories), which read alike: a title already
 * taken is a ConflictError, and a delete answers the deleted id.
 */
export function titledMutations<Shape extends object, Create extends object, Update extends object>(
  spec: TitledMutations<Shape, Create, Update>,
): void {
  // Each call site is checked against its own types above; Pothos' field types cannot be resolved
  // over open type parameters, so the fields are built over plain objects.
  defineMutations(spec as unknown as TitledMutations<object, object, object>);
}

function defineMutations(spec: TitledMutations<object, object, object>): void {
  const { typename, type, dataField, descriptions } = spec;
  builder.mutationField(`create${typename}`, (t) =>
    t.field({
      type,
      description: descriptions.create,
      errors: mutationResult(`Create${typename}`, dataField, [ConflictError]),
      args: { input: t.arg({ type: spec.createInput, required: true }) },
      resolve: (_root, { input }, ctx) => spec.create(serviceContext(ctx), input),
    }),
  );
  builder.mutationField(`update${typename}`, (t) =>
    t.field({
      type,
      description: descriptions.update,
      errors: mutationResult(`Update${typename}`, dataField, [ConflictError]),
      args: { id: t.arg.id({ required: true }), input: t.arg({ type: spec.updateInput, required: true }) },
      resolve: (_root, { id, input }, ctx) => spec.update(serviceContext(ctx), targetId(id, typename), input),
    }),
  );
  builder.mutationField(`delete${typename}`, (t) =>
    t.field({
      type: 'ID',
      description: descriptions.delete,
      errors: mutationResult(`Delete${typename}`, 'deletedId', spec.deleteConflicts ? [ConflictError] : []),
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_root, { id }, ctx) => {
        await spec.remove(serviceContext(ctx), targetId(id, typename));
        return id;
      },
    }),
  );
}
