import { builder } from '../../graphql/builder.ts';
import { titledMutations } from '../../graphql/titled-mutations.ts';
import { organizationOf } from '../../graphql/context.ts';
import { createProject, deleteProject, updateProject } from '../project-service.ts';
import { localId } from '../../graphql/ids.ts';

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

titledMutations({
  typename: 'Project',
  type: Project,
  dataField: 'project',
  createInput: CreateProjectInput,
  updateInput: UpdateProjectInput,
  create: createProject,
  update: updateProject,
  remove: deleteProject,
  descriptions: {
    create: 'Creates a project; a title already taken (whatever its case) is a ConflictError.',
    update: 'Changes some fields of a project (PATCH).',
    delete: 'Deletes a project; it is no longer on anyone\'s list of projects.',
  },
});
