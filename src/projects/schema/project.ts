import { builder } from '../../graphql/builder.ts';
import { organizationOf, serviceContext } from '../../graphql/context.ts';
import { ConflictError } from '../../shared/errors.ts';
import { createProject, deleteProject, updateProject } from '../project-service.ts';
import { mutationResult } from '../../graphql/errors.ts';
import { localId, targetId } from '../../graphql/ids.ts';

export const Project = builder.prismaNode('Project', {
  description: 'A project of the organisation that people are on (seed 001: a ProofHub person\'s "projects").',
  id: { field: 'id' },
  select: { id: true },
  // node(id) answers null, not an error, for an id that is not (or not yours).
  nullable: true,
  findUnique: (id, ctx) => ({ id, organizationId: organizationOf(ctx) }),
  fields: (t) => ({
    title: t.exposeString('title', { description: 'Unique in the organisation, whatever its case.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    people: t.relatedConnection('people', {
      cursor: 'id',
      totalCount: true,
      description: 'The people on this project, oldest first.',
      query: { orderBy: { id: 'asc' } },
    }),
  }),
});

builder.prismaObjectFields('Person', (t) => ({
  projects: t.relatedConnection('projects', {
    cursor: 'id',
    totalCount: true,
    description: "The projects this person is on (seed 001's projects), oldest project first.",
    query: { orderBy: { id: 'asc' } },
  }),
}));

builder.queryField('projects', (t) =>
  t.prismaConnection({
    type: 'Project',
    cursor: 'id',
    description: "Your organisation's projects, oldest first.",
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.project.findMany({ ...query, where: { organizationId: organizationOf(ctx) }, orderBy: { id: 'asc' } }),
    totalCount: (_root, _args, ctx) => ctx.prisma.project.count({ where: { organizationId: organizationOf(ctx) } }),
  }),
);

builder.queryField('project', (t) =>
  t.prismaField({
    type: 'Project',
    nullable: true,
    description: 'A project by global id; null when there is none in your organisation.',
    args: { id: t.arg.id({ required: true }) },
    // An id that is not a Project's matches no row; the query still runs so that its plan is used.
    resolve: (query, _root, { id }, ctx) =>
      ctx.prisma.project.findFirst({ ...query, where: { id: localId(id, 'Project') ?? '', organizationId: organizationOf(ctx) } }),
  }),
);

const CreateProjectInput = builder.inputType('ProjectInput', {
  fields: (t) => ({
    title: t.string({ required: true, description: 'Required; at most 500 characters; unique whatever its case.' }),
  }),
});

const UpdateProjectInput = builder.inputType('UpdateProjectInput', {
  description: 'Some fields of a project (PATCH): an absent field is kept.',
  fields: (t) => ({
    title: t.string({ description: 'Cannot be cleared; unique whatever its case.' }),
  }),
});

builder.mutationField('createProject', (t) =>
  t.field({
    type: Project,
    description: 'Creates a project; a title already taken (whatever its case) is a ConflictError.',
    errors: mutationResult('CreateProject', 'project', [ConflictError]),
    args: { input: t.arg({ type: CreateProjectInput, required: true }) },
    resolve: (_root, { input }, ctx) => createProject(serviceContext(ctx), input),
  }),
);

builder.mutationField('updateProject', (t) =>
  t.field({
    type: Project,
    description: 'Changes some fields of a project (PATCH).',
    errors: mutationResult('UpdateProject', 'project', [ConflictError]),
    args: { id: t.arg.id({ required: true }), input: t.arg({ type: UpdateProjectInput, required: true }) },
    resolve: (_root, { id, input }, ctx) => updateProject(serviceContext(ctx), targetId(id, 'Project'), input),
  }),
);

builder.mutationField('deleteProject', (t) =>
  t.field({
    type: 'ID',
    description: 'Deletes a project; it is no longer on anyone\'s list of projects.',
    errors: mutationResult('DeleteProject', 'deletedId'),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await deleteProject(serviceContext(ctx), targetId(id, 'Project'));
      return id;
    },
  }),
);
