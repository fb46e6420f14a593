import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { PersonInput, UpdatePersonInput } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, createUserClient, type TestApp, type TestClient } from '../support/app.ts';
import { databaseId } from '../support/fields.ts';

// Seed 001 (ProofHub): a person has `projects`, the ids of the projects they are on. Here a
// Project of the organisation (title unique whatever its case), a person's projectIds on
// createPerson/replacePerson/updatePerson, Person.projects and Project.people.

const CreateProject = graphql(`
  mutation CreateProject($input: ProjectInput!) {
    createProject(input: $input) {
      __typename
      ... on CreateProjectSuccess { project { id title createdAt updatedAt } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ConflictError { message }
      ... on ForbiddenError { message }
    }
  }
`);

const UpdateProject = graphql(`
  mutation UpdateProject($id: ID!, $input: UpdateProjectInput!) {
    updateProject(id: $id, input: $input) {
      __typename
      ... on UpdateProjectSuccess { project { id title } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ConflictError { message }
      ... on NotFoundError { resource }
      ... on ForbiddenError { message }
    }
  }
`);

const DeleteProject = graphql(`
  mutation DeleteProject($id: ID!) {
    deleteProject(id: $id) {
      __typename
      ... on DeleteProjectSuccess { deletedId }
      ... on NotFoundError { resource }
      ... on ForbiddenError { message }
    }
  }
`);

const ProjectsOfPerson = graphql(`
  query ProjectsOfPerson($id: ID!) {
    person(id: $id) { projects(first: 100) { totalCount nodes { id title } } }
  }
`);

const ProjectWithPeople = graphql(`
  query ProjectWithPeople($id: ID!) {
    project(id: $id) { id title people(first: 100) { totalCount nodes { id familyName } } }
    node(id: $id) { __typename id ... on Project { title } }
    projects(first: 100) { totalCount nodes { id } }
  }
`);

const CreatePersonWithProjects = graphql(`
  mutation CreatePersonWithProjects($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id projects(first: 10) { nodes { id } } } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const ReplacePersonProjects = graphql(`
  mutation ReplacePersonProjects($id: ID!, $input: PersonInput!) {
    replacePerson(id: $id, input: $input) {
      __typename
      ... on ReplacePersonSuccess { person { id } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const UpdatePersonProjects = graphql(`
  mutation UpdatePersonProjects($id: ID!, $input: UpdatePersonInput!) {
    updatePerson(id: $id, input: $input) {
      __typename
      ... on UpdatePersonSuccess { person { id } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const ProjectChanges = graphql(`
  query ProjectChanges($id: ID!) {
    person(id: $id) { timeline(first: 20, types: [PERSON_UPDATED]) { nodes { data } } }
  }
`);

const MergeForProjects = graphql(`
  mutation MergeForProjects($input: MergePeopleInput!) {
    mergePeople(input: $input) {
      __typename
      ... on MergePeopleSuccess { person { id projects(first: 10) { nodes { id } } } }
    }
  }
`);

const DeletePersonForProjects = graphql(`
  mutation DeletePersonForProjects($id: ID!) { deletePerson(id: $id) { __typename } }
`);

const ProjectEntities = graphql(`
  query ProjectEntities($representations: [_Any!]!) {
    _entities(representations: $representations) { __typename ... on Project { id title people(first: 5) { totalCount } } }
  }
`);

const PeopleWithProjects = graphql(`
  query PeopleWithProjects($first: Int!) {
    people(first: $first) { edges { node { id projects(first: 5) { totalCount nodes { id title } } } } }
  }
`);

let test: TestApp;
let acme: TestClient;
let globex: TestClient;

beforeAll(async () => {
  test = await createTestApp({ apiKeyCache: { ttlMs: 600_000 } });
  acme = await createOrgClient(test, 'Acme');
  globex = await createOrgClient(test, 'Globex');
});
afterAll(() => test?.close());

async function createProject(client: TestClient, title: string): Promise<string> {
  const { createProject } = await client.request(CreateProject, { input: { title } });
  if (createProject.__typename !== 'CreateProjectSuccess') throw new Error(JSON.stringify(createProject));
  return createProject.project.id;
}

async function createPerson(client: TestClient, input: PersonInput): Promise<string> {
  const { createPerson } = await client.request(CreatePersonWithProjects, { input });
  if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(JSON.stringify(createPerson));
  return createPerson.person.id;
}

async function projectsOf(personId: string): Promise<string[]> {
  const { person } = await acme.request(ProjectsOfPerson, { id: personId });
  return person!.projects.nodes.map((project) => project!.id).sort();
}

const sorted = (ids: string[]) => [...ids].sort();
const countLinks = async () =>
  (await test.prisma.person.findMany({ select: { _count: { select: { projects: true } } } })).reduce((sum, p) => sum + p._count.projects, 0);
const written = async () => ({
  projects: await test.prisma.project.findMany({ orderBy: { id: 'asc' }, select: { id: true, title: true } }),
  people: await test.prisma.person.count(),
  links: await countLinks(),
  events: await test.prisma.timelineEvent.count(),
});

describe('Seed 001 projects: Mutation.createProject, updateProject, deleteProject', () => {
  it('creates a project of the organisation, found by project(id), node(id) and projects', async () => {
    const { createProject: created } = await acme.request(CreateProject, { input: { title: '  Website relaunch ' } });
    expect(created).toMatchObject({ __typename: 'CreateProjectSuccess', project: { title: 'Website relaunch' } });
    const id = created.__typename === 'CreateProjectSuccess' ? created.project.id : '';
    const read = await acme.request(ProjectWithPeople, { id });
    expect(read.project).toEqual({ id, title: 'Website relaunch', people: { totalCount: 0, nodes: [] } });
    expect(read.node).toEqual({ __typename: 'Project', id, title: 'Website relaunch' });
    expect(read.projects.nodes.map((node) => node!.id)).toContain(id);
  });

  it('a project title is unique in the organisation whatever its case: a ConflictError, and nothing written', async () => {
    const id = await createProject(acme, 'Mobile app');
    await createProject(acme, 'Backend');
    const before = await written();
    expect((await acme.request(CreateProject, { input: { title: 'MOBILE APP' } })).createProject).toMatchObject({
      __typename: 'ConflictError',
      message: 'A project titled "MOBILE APP" already exists (titles are unique whatever their case).',
    });
    expect((await acme.request(UpdateProject, { id, input: { title: 'backend' } })).updateProject.__typename).toBe('ConflictError');
    expect(await written()).toEqual(before);
    // Another organisation may use the same title.
    await createProject(globex, 'Mobile app');
    // The project itself may change the case of its own title.
    expect((await acme.request(UpdateProject, { id, input: { title: 'Mobile App' } })).updateProject).toMatchObject({
      project: { id, title: 'Mobile App' },
    });
  });

  it('a project needs a title: a ValidationError at input.title, and nothing written', async () => {
    const id = await createProject(acme, 'Titled');
    const before = await written();
    expect((await acme.request(CreateProject, { input: { title: '   ' } })).createProject).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'title'], message: 'A title is required.' }],
    });
    expect((await acme.request(UpdateProject, { id, input: { title: null } })).updateProject.__typename).toBe('ValidationError');
    expect(await written()).toEqual(before);
  });

  it('a viewer gets a ForbiddenError for each project mutation (ProofHub 403), and nothing is written', async () => {
    const id = await createProject(acme, 'Guarded');
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    const before = await written();
    expect((await viewer.request(CreateProject, { input: { title: 'Sneaky' } })).createProject.__typename).toBe('ForbiddenError');
    expect((await viewer.request(UpdateProject, { id, input: { title: 'Sneaky' } })).updateProject.__typename).toBe('ForbiddenError');
    expect((await viewer.request(DeleteProject, { id })).deleteProject.__typename).toBe('ForbiddenError');
    expect(await written()).toEqual(before);
  });

  it("another organisation's project is not found, in reads and mutations", async () => {
    const theirs = await createProject(globex, 'Theirs');
    const before = await written();
    const read = await acme.request(ProjectWithPeople, { id: theirs });
    expect(read.project).toBeNull();
    expect(read.node).toBeNull();
    expect(read.projects.nodes.map((node) => node!.id)).not.toContain(theirs);
    expect((await acme.request(UpdateProject, { id: theirs, input: { title: 'Mine' } })).updateProject).toEqual({
      __typename: 'NotFoundError',
      resource: 'Project',
    });
    expect((await acme.request(DeleteProject, { id: theirs })).deleteProject.__typename).toBe('NotFoundError');
    expect(await written()).toEqual(before);
  });

  it('deleting a project takes it off everyone who was on it', async () => {
    const id = await createProject(acme, 'Short-lived');
    const keep = await createProject(acme, 'Lasting');
    const person = await createPerson(acme, { familyName: 'Onboard', projectIds: [id, keep] });
    expect((await acme.request(DeleteProject, { id })).deleteProject).toEqual({ __typename: 'DeleteProjectSuccess', deletedId: id });
    expect(await projectsOf(person)).toEqual([keep]);
    expect((await acme.request(DeleteProject, { id })).deleteProject.__typename).toBe('NotFoundError');
  });
});

describe("Seed 001 projects: a person's projectIds", () => {
  it('createPerson takes projectIds; Person.projects and Project.people read them back', async () => {
    const alpha = await createProject(acme, 'Alpha');
    const beta = await createProject(acme, 'Beta');
    const person = await createPerson(acme, { familyName: 'Wagley', projectIds: [beta, alpha, beta] });
    expect(await projectsOf(person)).toEqual(sorted([alpha, beta]));
    const { project } = await acme.request(ProjectWithPeople, { id: alpha });
    expect(project!.people).toEqual({ totalCount: 1, nodes: [{ id: person, familyName: 'Wagley' }] });
  });

  it('replacePerson (PUT) replaces the projects, and clears them when projectIds is not given', async () => {
    const [a, b, c] = [await createProject(acme, 'Put A'), await createProject(acme, 'Put B'), await createProject(acme, 'Put C')];
    const person = await createPerson(acme, { familyName: 'Altois', projectIds: [a, b] });
    const replace = async (input: PersonInput) => (await acme.request(ReplacePersonProjects, { id: person, input })).replacePerson.__typename;
    expect(await replace({ familyName: 'Altois', projectIds: [c] })).toBe('ReplacePersonSuccess');
    expect(await projectsOf(person)).toEqual([c]);
    expect(await replace({ familyName: 'Altois' })).toBe('ReplacePersonSuccess');
    expect(await projectsOf(person)).toEqual([]);
  });

  it('updatePerson (PATCH): an absent projectIds keeps them, a list replaces them, null or [] clears them', async () => {
    const [a, b] = [await createProject(acme, 'Patch A'), await createProject(acme, 'Patch B')];
    const person = await createPerson(acme, { familyName: 'Patched', projectIds: [a] });
    const update = async (input: UpdatePersonInput) => (await acme.request(UpdatePersonProjects, { id: person, input })).updatePerson.__typename;
    expect(await update({ jobTitle: 'Manager' })).toBe('UpdatePersonSuccess');
    expect(await projectsOf(person)).toEqual([a]);
    expect(await update({ projectIds: [a, b] })).toBe('UpdatePersonSuccess');
    expect(await projectsOf(person)).toEqual(sorted([a, b]));
    expect(await update({ projectIds: null })).toBe('UpdatePersonSuccess');
    expect(await projectsOf(person)).toEqual([]);
    expect(await update({ projectIds: [b] })).toBe('UpdatePersonSuccess');
    expect(await update({ projectIds: [] })).toBe('UpdatePersonSuccess');
    expect(await projectsOf(person)).toEqual([]);
  });

  it('a change of projects is recorded in PERSON_UPDATED with the global ids before and after, as the companies are', async () => {
    const a = await createProject(acme, 'Event A');
    const person = await createPerson(acme, { familyName: 'Recorded' });
    expect((await acme.request(UpdatePersonProjects, { id: person, input: { projectIds: [a] } })).updatePerson.__typename).toBe('UpdatePersonSuccess');
    // The same list again changes nothing and records nothing.
    expect((await acme.request(UpdatePersonProjects, { id: person, input: { projectIds: [a] } })).updatePerson.__typename).toBe('UpdatePersonSuccess');
    const { person: read } = await acme.request(ProjectChanges, { id: person });
    expect(read!.timeline.nodes).toEqual([{ data: { changes: { projects: { before: [], after: [a] } } } }]);
  });

  it("another organisation's project id in projectIds is a ValidationError at its path, as any foreign id in an input, and nothing is written", async () => {
    const mine = await createProject(acme, 'Mine');
    const theirs = await createProject(globex, 'Not yours');
    const notAProject = globalIdOf('Tag', databaseId(mine));
    const person = await createPerson(acme, { familyName: 'Isolated', projectIds: [mine] });
    const before = await written();

    const { createPerson: created } = await acme.request(CreatePersonWithProjects, {
      input: { familyName: 'Intruder', projectIds: [mine, theirs] },
    });
    expect(created).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'projectIds', '1'], message: `There is no project ${theirs} in this organisation.` }],
    });
    const replaced = await acme.request(ReplacePersonProjects, { id: person, input: { familyName: 'Isolated', projectIds: [theirs] } });
    expect(replaced.replacePerson).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'projectIds', '0'] }] });
    const updated = await acme.request(UpdatePersonProjects, { id: person, input: { projectIds: [mine, notAProject] } });
    expect(updated.updatePerson).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'projectIds', '1'], message: `Not a Project id: ${notAProject}.` }],
    });
    expect(await written()).toEqual(before);
    expect(await projectsOf(person)).toEqual([mine]);
  });

  it('a person is on at most 100 projects: more is a ValidationError at input.projectIds before anything is read', async () => {
    const person = await createPerson(acme, { familyName: 'Busy' });
    const ids = Array.from({ length: 101 }, (_, n) => globalIdOf('Project', `01900000-0000-7000-8000-${String(n).padStart(12, '0')}`));
    const before = await written();
    test.sql.length = 0;
    const { updatePerson } = await acme.request(UpdatePersonProjects, { id: person, input: { projectIds: ids } });
    expect(updatePerson).toEqual({
      __typename: 'ValidationError',
      fieldErrors: [{ path: ['input', 'projectIds'], message: 'At most 100 projects (got 101).' }],
    });
    expect(test.sql).toEqual([]);
    expect(await written()).toEqual(before);
  });

  it("a person deleted leaves the projects; a merge unites the people's projects on the primary", async () => {
    const [a, b, c] = [await createProject(acme, 'Merge A'), await createProject(acme, 'Merge B'), await createProject(acme, 'Merge C')];
    const primary = await createPerson(acme, { familyName: 'Primary', projectIds: [a] });
    const other = await createPerson(acme, { familyName: 'Other', projectIds: [a, b] });
    const third = await createPerson(acme, { familyName: 'Third', projectIds: [c] });
    const { mergePeople } = await acme.request(MergeForProjects, { input: { personIds: [primary, other], primaryId: primary } });
    expect(mergePeople.__typename).toBe('MergePeopleSuccess');
    expect(await projectsOf(primary)).toEqual(sorted([a, b]));
    expect((await acme.request(ProjectWithPeople, { id: b })).project!.people.nodes).toEqual([{ id: primary, familyName: 'Primary' }]);

    expect((await acme.request(DeletePersonForProjects, { id: third })).deletePerson.__typename).toBe('DeletePersonSuccess');
    expect((await acme.request(ProjectWithPeople, { id: c })).project).toMatchObject({ title: 'Merge C', people: { totalCount: 0 } });
  });
});

describe('Seed 001 projects: concurrent writes', () => {
  it('a person linked to a project being deleted is linked first (then unlinked) or gets a ValidationError, never an unexpected error', async () => {
    for (let round = 0; round < 5; round++) {
      const project = await createProject(acme, `Racing ${round}`);
      const [created, deleted] = await Promise.all([
        acme.request(CreatePersonWithProjects, { input: { familyName: `Racer ${round}`, projectIds: [project] } }),
        acme.request(DeleteProject, { id: project }),
      ]);
      expect(deleted.deleteProject.__typename).toBe('DeleteProjectSuccess');
      expect(['CreatePersonSuccess', 'ValidationError']).toContain(created.createPerson.__typename);
      if (created.createPerson.__typename === 'CreatePersonSuccess') {
        expect(await projectsOf(created.createPerson.person.id)).toEqual([]);
      } else if (created.createPerson.__typename === 'ValidationError') {
        expect(created.createPerson.fieldErrors).toEqual([
          { path: ['input', 'projectIds', '0'], message: `There is no project ${project} in this organisation.` },
        ]);
      }
    }
  });
});

describe('Seed 001 projects: reads', () => {
  it('a page of people with their projects costs the same statements for 2 people as for 20', async () => {
    const org = await createOrgClient(test, 'Batching');
    const projects = [await createProject(org, 'One'), await createProject(org, 'Two')];
    for (let n = 0; n < 20; n++) await createPerson(org, { familyName: `Member ${n}`, projectIds: projects });
    const statementsFor = async (first: number) => {
      await org.request(PeopleWithProjects, { first });
      test.sql.length = 0;
      const { people } = await org.request(PeopleWithProjects, { first });
      expect(people.edges).toHaveLength(first);
      expect(people.edges.every((edge) => edge.node.projects.totalCount === 2)).toBe(true);
      return test.sql.length;
    };
    expect(await statementsFor(20)).toBe(await statementsFor(2));
    expect(await statementsFor(2)).toBe(1);
  });

  it('a Project is a federation entity: _entities resolves it within the caller organisation only', async () => {
    const id = await createProject(acme, 'Federated');
    const theirs = await createProject(globex, 'Federated elsewhere');
    const { _entities } = await acme.request(ProjectEntities, {
      representations: [
        { __typename: 'Project', id },
        { __typename: 'Project', id: theirs },
      ],
    });
    expect(_entities).toEqual([{ __typename: 'Project', id, title: 'Federated', people: { totalCount: 0 } }, null]);
  });
});

function globalIdOf(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}
