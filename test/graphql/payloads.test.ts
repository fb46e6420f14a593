import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrgClient, createTestApp, requestWithFiles, type TestApp, type TestClient } from '../support/app.ts';
import { localIdOf } from '../support/organising.ts';
import { type RawResult, rawRequest } from '../support/raw.ts';

/**
 * Every mutation, asked for nothing but `__typename` (or the success type with none of its record):
 * it must succeed, and what it reports must be what it did, exactly once. The selections are the
 * point here, so the operations are plain text with the selection spliced in.
 */

let test: TestApp;
let acme: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
});

afterAll(async () => {
  await test?.close();
});

type Variables = Record<string, unknown>;
/** Each root field's result, untyped: the selections are spliced in as text. */
type Payloads = Record<string, Record<string, unknown> | null>;

const send = (query: string, variables: Variables = {}) => rawRequest<Payloads>(test, acme, query, variables);

const person = (familyName: string, input: Variables = {}) =>
  send(`mutation($input: PersonInput!) { createPerson(input: $input) { ... on CreatePersonSuccess { person { id } } } }`, {
    input: { familyName, ...input },
  }).then((response) => (response.data!.createPerson as { person: { id: string } }).person.id);
const noteCategory = (title: string) =>
  send(`mutation($input: NoteCategoryInput!) { createNoteCategory(input: $input) { ... on CreateNoteCategorySuccess { noteCategory { id } } } }`, {
    input: { title },
  }).then((response) => (response.data!.createNoteCategory as { noteCategory: { id: string } }).noteCategory.id);
const note = (personId: string, categoryId: string) =>
  send(`mutation($personId: ID!, $input: NoteInput!) { createNote(personId: $personId, input: $input) { ... on CreateNoteSuccess { note { id } } } }`, {
    personId,
    input: { description: 'Met at the fair', categoryId },
  }).then((response) => (response.data!.createNote as { note: { id: string } }).note.id);
const tag = (title: string) =>
  send(`mutation($input: TagInput!) { createTag(input: $input) { ... on CreateTagSuccess { tag { id } } } }`, { input: { title } }).then(
    (response) => (response.data!.createTag as { tag: { id: string } }).tag.id,
  );
const project = (title: string) =>
  send(`mutation($input: ProjectInput!) { createProject(input: $input) { ... on CreateProjectSuccess { project { id } } } }`, { input: { title } }).then(
    (response) => (response.data!.createProject as { project: { id: string } }).project.id,
  );
const group = (title: string) =>
  send(`mutation($input: GroupInput!) { createGroup(input: $input) { ... on CreateGroupSuccess { group { id } } } }`, { input: { title } }).then(
    (response) => (response.data!.createGroup as { group: { id: string } }).group.id,
  );
const groupCategory = (title: string) =>
  send(`mutation($input: GroupCategoryInput!) { createGroupCategory(input: $input) { ... on CreateGroupCategorySuccess { groupCategory { id } } } }`, {
    input: { title },
  }).then((response) => (response.data!.createGroupCategory as { groupCategory: { id: string } }).groupCategory.id);
const customField = (slug: string, groupId?: string) =>
  send(`mutation($input: CreateCustomFieldInput!) { createCustomField(input: $input) { ... on CreateCustomFieldSuccess { customField { id } } } }`, {
    input: { title: slug, slug, type: 'TEXT', ...(groupId ? { groupId } : {}) },
  }).then((response) => (response.data!.createCustomField as { customField: { id: string } }).customField.id);
const user = (unique: string) =>
  send(`mutation($input: CreateUserInput!) { createUser(input: $input) { ... on CreateUserSuccess { user { id } } } }`, {
    input: { email: `${unique}@example.org` },
  }).then((response) => (response.data!.createUser as { user: { id: string } }).user.id);
const join = (groupId: string, personId: string) =>
  send(`mutation($groupId: ID!, $personId: ID!) { addGroupMember(groupId: $groupId, personId: $personId) { __typename } }`, { groupId, personId });

/** The person's timeline events of one type. */
const events = (personId: string, type: string) =>
  test.prisma.timelineEvent.count({ where: { personId: localIdOf(personId), type } });

// A public address, written as one: no DNS lookup at creation.
const publicHook = 'https://93.184.216.34/hook';
/** An endpoint that hears every event: its deliveries are queued, never sent (no worker runs here). */
const webhookEndpoint = async (description: string) => {
  const created = await send(
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { ... on CreateWebhookEndpointSuccess { webhookEndpoint { id } } } }`,
    { input: { url: publicHook, events: ['*'], description } },
  );
  return (created.data!.createWebhookEndpoint as { webhookEndpoint: { id: string } }).webhookEndpoint.id;
};

// A real 1x1 PNG.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

interface Case {
  /** The mutation, when the case's name is not it. */
  field?: string;
  /** The operation, with SELECTION where the mutation's selection goes. */
  operation: string;
  /** Creates what the mutation works on; gives its variables and a check of what it did. */
  setup(unique: string): Promise<{ variables: Variables; files?: Record<string, Blob>; check(): Promise<void> }>;
}

let counter = 0;

const cases: Record<string, Case> = {
  createPerson: {
    operation: 'mutation($input: PersonInput!) { createPerson(input: $input) SELECTION }',
    async setup(unique) {
      return {
        variables: { input: { familyName: unique, companies: [{ name: `${unique} Corp` }] } },
        async check() {
          const people = await test.prisma.person.findMany({ where: { familyName: unique }, include: { companies: true } });
          expect(people).toHaveLength(1);
          expect(people[0]!.companies).toHaveLength(1);
          expect(await events(globalPerson(people[0]!.id), 'PERSON_CREATED')).toBe(1);
        },
      };
    },
  },
  replacePerson: {
    operation: 'mutation($id: ID!, $input: PersonInput!) { replacePerson(id: $id, input: $input) SELECTION }',
    async setup(unique) {
      const id = await person(unique, { givenName: 'Ann' });
      return {
        variables: { id, input: { familyName: `${unique}-replaced` } },
        async check() {
          const row = await test.prisma.person.findUniqueOrThrow({ where: { id: localIdOf(id) } });
          expect([row.familyName, row.givenName]).toEqual([`${unique}-replaced`, null]);
          expect(await events(id, 'PERSON_UPDATED')).toBe(1);
        },
      };
    },
  },
  updatePerson: {
    operation: 'mutation($id: ID!, $input: UpdatePersonInput!) { updatePerson(id: $id, input: $input) SELECTION }',
    async setup(unique) {
      const id = await person(unique);
      return {
        variables: { id, input: { jobTitle: 'Engineer' } },
        async check() {
          expect((await test.prisma.person.findUniqueOrThrow({ where: { id: localIdOf(id) } })).jobTitle).toBe('Engineer');
          expect(await events(id, 'PERSON_UPDATED')).toBe(1);
        },
      };
    },
  },
  archivePerson: {
    operation: 'mutation($id: ID!) { archivePerson(id: $id) SELECTION }',
    async setup(unique) {
      const id = await person(unique);
      return {
        variables: { id },
        async check() {
          expect((await test.prisma.person.findUniqueOrThrow({ where: { id: localIdOf(id) } })).archivedAt).not.toBeNull();
          expect(await events(id, 'PERSON_ARCHIVED')).toBe(1);
        },
      };
    },
  },
  unarchivePerson: {
    operation: 'mutation($id: ID!) { unarchivePerson(id: $id) SELECTION }',
    async setup(unique) {
      const id = await person(unique);
      await send('mutation($id: ID!) { archivePerson(id: $id) { __typename } }', { id });
      return {
        variables: { id },
        async check() {
          expect((await test.prisma.person.findUniqueOrThrow({ where: { id: localIdOf(id) } })).archivedAt).toBeNull();
          expect(await events(id, 'PERSON_UNARCHIVED')).toBe(1);
        },
      };
    },
  },
  deletePerson: {
    operation: 'mutation($id: ID!) { deletePerson(id: $id) SELECTION }',
    async setup(unique) {
      const id = await person(unique);
      return {
        variables: { id },
        async check() {
          expect(await test.prisma.person.count({ where: { id: localIdOf(id) } })).toBe(0);
        },
      };
    },
  },
  exportPerson: {
    operation: 'mutation($id: ID!) { exportPerson(id: $id) SELECTION }',
    async setup(unique) {
      const id = await person(unique);
      return {
        variables: { id },
        async check() {
          expect(await events(id, 'PERSON_EXPORTED')).toBe(1);
        },
      };
    },
  },
  erasePerson: {
    operation: 'mutation($id: ID!) { erasePerson(id: $id, reason: "payload test") SELECTION }',
    async setup(unique) {
      const id = await person(unique);
      return {
        variables: { id },
        async check() {
          expect(await test.prisma.person.count({ where: { id: localIdOf(id) } })).toBe(0);
          expect(await test.prisma.personErasure.count({ where: { personId: localIdOf(id) } })).toBe(1);
        },
      };
    },
  },
  dismissDuplicate: {
    operation: 'mutation($personId: ID!, $otherId: ID!) { dismissDuplicate(personId: $personId, otherId: $otherId) SELECTION }',
    async setup(unique) {
      const personId = await person(unique);
      const otherId = await person(`${unique}-other`);
      return {
        variables: { personId, otherId },
        async check() {
          const ids = [localIdOf(personId), localIdOf(otherId)];
          expect(await test.prisma.dismissedDuplicate.count({ where: { personId: { in: ids }, otherId: { in: ids } } })).toBe(1);
        },
      };
    },
  },
  createNote: {
    operation: 'mutation($personId: ID!, $input: NoteInput!) { createNote(personId: $personId, input: $input) SELECTION }',
    async setup(unique) {
      const personId = await person(unique);
      const categoryId = await noteCategory(unique);
      return {
        variables: { personId, input: { description: unique, categoryId } },
        async check() {
          expect(await test.prisma.note.count({ where: { personId: localIdOf(personId), description: unique } })).toBe(1);
          expect(await events(personId, 'NOTE_ADDED')).toBe(1);
        },
      };
    },
  },
  replaceNote: {
    operation: 'mutation($id: ID!, $input: NoteInput!) { replaceNote(id: $id, input: $input) SELECTION }',
    async setup(unique) {
      const personId = await person(unique);
      const categoryId = await noteCategory(unique);
      const id = await note(personId, categoryId);
      return {
        variables: { id, input: { description: `${unique} replaced`, categoryId } },
        async check() {
          expect((await test.prisma.note.findUniqueOrThrow({ where: { id: localIdOf(id) } })).description).toBe(`${unique} replaced`);
          expect(await events(personId, 'NOTE_CHANGED')).toBe(1);
        },
      };
    },
  },
  updateNote: {
    operation: 'mutation($id: ID!, $input: UpdateNoteInput!) { updateNote(id: $id, input: $input) SELECTION }',
    async setup(unique) {
      const personId = await person(unique);
      const id = await note(personId, await noteCategory(unique));
      return {
        variables: { id, input: { flagged: true } },
        async check() {
          expect((await test.prisma.note.findUniqueOrThrow({ where: { id: localIdOf(id) } })).flagged).toBe(true);
          expect(await events(personId, 'NOTE_CHANGED')).toBe(1);
        },
      };
    },
  },
  deleteNote: {
    operation: 'mutation($id: ID!) { deleteNote(id: $id) SELECTION }',
    async setup(unique) {
      const personId = await person(unique);
      const id = await note(personId, await noteCategory(unique));
      return {
        variables: { id },
        async check() {
          expect(await test.prisma.note.count({ where: { id: localIdOf(id) } })).toBe(0);
          expect(await events(personId, 'NOTE_DELETED')).toBe(1);
        },
      };
    },
  },
  createNoteCategory: {
    operation: 'mutation($input: NoteCategoryInput!) { createNoteCategory(input: $input) SELECTION }',
    async setup(unique) {
      return {
        variables: { input: { title: unique } },
        async check() {
          expect(await test.prisma.noteCategory.count({ where: { title: unique } })).toBe(1);
        },
      };
    },
  },
  updateNoteCategory: {
    operation: 'mutation($id: ID!, $input: NoteCategoryInput!) { updateNoteCategory(id: $id, input: $input) SELECTION }',
    async setup(unique) {
      const id = await noteCategory(unique);
      return {
        variables: { id, input: { title: `${unique} renamed` } },
        async check() {
          expect((await test.prisma.noteCategory.findUniqueOrThrow({ where: { id: localIdOf(id) } })).title).toBe(`${unique} renamed`);
        },
      };
    },
  },
  deleteNoteCategory: {
    operation: 'mutation($id: ID!) { deleteNoteCategory(id: $id) SELECTION }',
    async setup(unique) {
      const id = await noteCategory(unique);
      return {
        variables: { id },
        async check() {
          expect(await test.prisma.noteCategory.count({ where: { id: localIdOf(id) } })).toBe(0);
        },
      };
    },
  },
  createTag: {
    operation: 'mutation($input: TagInput!) { createTag(input: $input) SELECTION }',
    async setup(unique) {
      return {
        variables: { input: { title: unique } },
        async check() {
          expect(await test.prisma.tag.count({ where: { title: unique } })).toBe(1);
        },
      };
    },
  },
  createProject: {
    operation: 'mutation($input: ProjectInput!) { createProject(input: $input) SELECTION }',
    async setup(unique) {
      return {
        variables: { input: { title: unique } },
        async check() {
          expect(await test.prisma.project.count({ where: { title: unique } })).toBe(1);
        },
      };
    },
  },
  updateProject: {
    operation: 'mutation($id: ID!, $input: UpdateProjectInput!) { updateProject(id: $id, input: $input) SELECTION }',
    async setup(unique) {
      const id = await project(unique);
      return {
        variables: { id, input: { title: `${unique} renamed` } },
        async check() {
          expect((await test.prisma.project.findUniqueOrThrow({ where: { id: localIdOf(id) } })).title).toBe(`${unique} renamed`);
        },
      };
    },
  },
  deleteProject: {
    operation: 'mutation($id: ID!) { deleteProject(id: $id) SELECTION }',
    async setup(unique) {
      const id = await project(unique);
      const personId = await person(unique, { projectIds: [id] });
      return {
        variables: { id },
        async check() {
          expect(await test.prisma.project.count({ where: { id: localIdOf(id) } })).toBe(0);
          expect(await test.prisma.person.count({ where: { id: localIdOf(personId), projects: { some: {} } } })).toBe(0);
        },
      };
    },
  },
  updateTag: {
    operation: 'mutation($id: ID!, $input: UpdateTagInput!) { updateTag(id: $id, input: $input) SELECTION }',
    async setup(unique) {
      const id = await tag(unique);
      return {
        variables: { id, input: { color: '#112233' } },
        async check() {
          expect((await test.prisma.tag.findUniqueOrThrow({ where: { id: localIdOf(id) } })).color).toBe('#112233');
        },
      };
    },
  },
  deleteTag: {
    operation: 'mutation($id: ID!) { deleteTag(id: $id) SELECTION }',
    async setup(unique) {
      const id = await tag(unique);
      const personId = await person(unique);
      await send('mutation($personId: ID!, $tagId: ID!) { tagPerson(personId: $personId, tagId: $tagId) { __typename } }', { personId, tagId: id });
      return {
        variables: { id },
        async check() {
          expect(await test.prisma.tag.count({ where: { id: localIdOf(id) } })).toBe(0);
          expect(await events(personId, 'TAG_REMOVED')).toBe(1);
        },
      };
    },
  },
  tagPerson: {
    operation: 'mutation($personId: ID!, $tagId: ID!) { tagPerson(personId: $personId, tagId: $tagId) SELECTION }',
    async setup(unique) {
      const personId = await person(unique);
      const tagId = await tag(unique);
      return {
        variables: { personId, tagId },
        async check() {
          expect(await test.prisma.personTag.count({ where: { personId: localIdOf(personId), tagId: localIdOf(tagId) } })).toBe(1);
          expect(await events(personId, 'TAG_ADDED')).toBe(1);
        },
      };
    },
  },
  untagPerson: {
    operation: 'mutation($personId: ID!, $tagId: ID!) { untagPerson(personId: $personId, tagId: $tagId) SELECTION }',
    async setup(unique) {
      const personId = await person(unique);
      const tagId = await tag(unique);
      await send('mutation($personId: ID!, $tagId: ID!) { tagPerson(personId: $personId, tagId: $tagId) { __typename } }', { personId, tagId });
      return {
        variables: { personId, tagId },
        async check() {
          expect(await test.prisma.personTag.count({ where: { personId: localIdOf(personId) } })).toBe(0);
          expect(await events(personId, 'TAG_REMOVED')).toBe(1);
        },
      };
    },
  },
  createGroup: {
    operation: 'mutation($input: GroupInput!) { createGroup(input: $input) SELECTION }',
    async setup(unique) {
      return {
        variables: { input: { title: unique } },
        async check() {
          expect(await test.prisma.group.count({ where: { title: unique } })).toBe(1);
        },
      };
    },
  },
  updateGroup: {
    operation: 'mutation($id: ID!, $input: UpdateGroupInput!) { updateGroup(id: $id, input: $input) SELECTION }',
    async setup(unique) {
      const id = await group(unique);
      return {
        variables: { id, input: { description: 'Renamed' } },
        async check() {
          expect((await test.prisma.group.findUniqueOrThrow({ where: { id: localIdOf(id) } })).description).toBe('Renamed');
        },
      };
    },
  },
  deleteGroup: {
    operation: 'mutation($id: ID!) { deleteGroup(id: $id) SELECTION }',
    async setup(unique) {
      const id = await group(unique);
      const personId = await person(unique);
      await join(id, personId);
      return {
        variables: { id },
        async check() {
          expect(await test.prisma.group.count({ where: { id: localIdOf(id) } })).toBe(0);
          expect(await events(personId, 'GROUP_LEFT')).toBe(1);
        },
      };
    },
  },
  addGroupMember: {
    operation: 'mutation($groupId: ID!, $personId: ID!) { addGroupMember(groupId: $groupId, personId: $personId, role: MANAGER) SELECTION }',
    async setup(unique) {
      const groupId = await group(unique);
      const personId = await person(unique);
      return {
        variables: { groupId, personId },
        async check() {
          const memberships = await test.prisma.groupMembership.findMany({ where: { groupId: localIdOf(groupId) } });
          expect(memberships.map((membership) => membership.role)).toEqual(['MANAGER']);
          expect(await events(personId, 'GROUP_JOINED')).toBe(1);
        },
      };
    },
  },
  updateGroupMember: {
    operation: 'mutation($groupId: ID!, $personId: ID!) { updateGroupMember(groupId: $groupId, personId: $personId, role: MANAGER) SELECTION }',
    async setup(unique) {
      const groupId = await group(unique);
      const personId = await person(unique);
      await join(groupId, personId);
      return {
        variables: { groupId, personId },
        async check() {
          const memberships = await test.prisma.groupMembership.findMany({ where: { groupId: localIdOf(groupId) } });
          expect(memberships.map((membership) => membership.role)).toEqual(['MANAGER']);
          expect(await events(personId, 'GROUP_ROLE_CHANGED')).toBe(1);
        },
      };
    },
  },
  removeGroupMember: {
    operation: 'mutation($groupId: ID!, $personId: ID!) { removeGroupMember(groupId: $groupId, personId: $personId) SELECTION }',
    async setup(unique) {
      const groupId = await group(unique);
      const personId = await person(unique);
      await join(groupId, personId);
      return {
        variables: { groupId, personId },
        async check() {
          expect(await test.prisma.groupMembership.count({ where: { groupId: localIdOf(groupId) } })).toBe(0);
          expect(await events(personId, 'GROUP_LEFT')).toBe(1);
        },
      };
    },
  },
  createGroupCategory: {
    operation: 'mutation($input: GroupCategoryInput!) { createGroupCategory(input: $input) SELECTION }',
    async setup(unique) {
      return {
        variables: { input: { title: unique } },
        async check() {
          expect(await test.prisma.groupCategory.count({ where: { title: unique } })).toBe(1);
        },
      };
    },
  },
  updateGroupCategory: {
    operation: 'mutation($id: ID!, $input: UpdateGroupCategoryInput!) { updateGroupCategory(id: $id, input: $input) SELECTION }',
    async setup(unique) {
      const id = await groupCategory(unique);
      return {
        variables: { id, input: { description: 'About them' } },
        async check() {
          expect((await test.prisma.groupCategory.findUniqueOrThrow({ where: { id: localIdOf(id) } })).description).toBe('About them');
        },
      };
    },
  },
  deleteGroupCategory: {
    operation: 'mutation($id: ID!) { deleteGroupCategory(id: $id) SELECTION }',
    async setup(unique) {
      const id = await groupCategory(unique);
      return {
        variables: { id },
        async check() {
          expect(await test.prisma.groupCategory.count({ where: { id: localIdOf(id) } })).toBe(0);
        },
      };
    },
  },
  createCustomField: {
    operation: 'mutation($input: CreateCustomFieldInput!) { createCustomField(input: $input) SELECTION }',
    async setup(unique) {
      return {
        variables: { input: { title: unique, slug: unique, type: 'TEXT' } },
        async check() {
          expect(await test.prisma.customField.count({ where: { slug: unique } })).toBe(1);
        },
      };
    },
  },
  updateCustomField: {
    operation: 'mutation($idOrSlug: String!, $input: UpdateCustomFieldInput!) { updateCustomField(idOrSlug: $idOrSlug, input: $input) SELECTION }',
    async setup(unique) {
      await customField(unique);
      return {
        variables: { idOrSlug: unique, input: { description: 'Why we ask' } },
        async check() {
          expect((await test.prisma.customField.findFirstOrThrow({ where: { slug: unique } })).description).toBe('Why we ask');
        },
      };
    },
  },
  deleteCustomField: {
    operation: 'mutation($idOrSlug: String!) { deleteCustomField(idOrSlug: $idOrSlug) SELECTION }',
    async setup(unique) {
      await customField(unique);
      return {
        variables: { idOrSlug: unique },
        async check() {
          expect(await test.prisma.customField.count({ where: { slug: unique } })).toBe(0);
        },
      };
    },
  },
  setPersonField: {
    operation: 'mutation($personId: ID!, $field: String!) { setPersonField(personId: $personId, field: $field, value: "blue") SELECTION }',
    async setup(unique) {
      const personId = await person(unique);
      await customField(unique);
      return {
        variables: { personId, field: unique },
        async check() {
          const values = await test.prisma.personFieldValue.findMany({ where: { personId: localIdOf(personId) } });
          expect(values.map((row) => row.value)).toEqual(['blue']);
          expect(await events(personId, 'FIELD_SET')).toBe(1);
        },
      };
    },
  },
  unsetPersonField: {
    operation: 'mutation($personId: ID!, $field: String!) { unsetPersonField(personId: $personId, field: $field) SELECTION }',
    async setup(unique) {
      const personId = await person(unique);
      await customField(unique);
      await send('mutation($personId: ID!, $field: String!) { setPersonField(personId: $personId, field: $field, value: "blue") { __typename } }', {
        personId,
        field: unique,
      });
      return {
        variables: { personId, field: unique },
        async check() {
          expect(await test.prisma.personFieldValue.count({ where: { personId: localIdOf(personId) } })).toBe(0);
          expect(await events(personId, 'FIELD_UNSET')).toBe(1);
        },
      };
    },
  },
  setPersonFields: {
    operation: 'mutation($personId: ID!, $groups: [GroupFieldValuesInput!]!) { setPersonFields(personId: $personId, groups: $groups) SELECTION }',
    async setup(unique) {
      const personId = await person(unique);
      const groupId = await group(unique);
      await join(groupId, personId);
      await customField(unique, groupId);
      return {
        variables: { personId, groups: [{ groupId, values: [{ field: unique, value: 'green' }] }] },
        async check() {
          const values = await test.prisma.personFieldValue.findMany({ where: { personId: localIdOf(personId) } });
          expect(values.map((row) => row.value)).toEqual(['green']);
          expect(await events(personId, 'FIELD_SET')).toBe(1);
        },
      };
    },
  },
  setPersonAvatar: {
    operation: 'mutation($personId: ID!, $file: File!) { setPersonAvatar(personId: $personId, file: $file) SELECTION }',
    async setup(unique) {
      const personId = await person(unique);
      return {
        variables: { personId, file: null },
        files: { file: new File([png], 'me.png', { type: 'image/png' }) },
        async check() {
          expect(await test.prisma.personAvatar.count({ where: { personId: localIdOf(personId) } })).toBe(1);
          expect(await events(personId, 'AVATAR_CHANGED')).toBe(1);
        },
      };
    },
  },
  removePersonAvatar: {
    operation: 'mutation($personId: ID!) { removePersonAvatar(personId: $personId) SELECTION }',
    async setup(unique) {
      const personId = await person(unique);
      await test.prisma.personAvatar.create({ data: { personId: localIdOf(personId), contentType: 'image/png', data: png } });
      return {
        variables: { personId },
        async check() {
          expect(await test.prisma.personAvatar.count({ where: { personId: localIdOf(personId) } })).toBe(0);
          expect(await events(personId, 'AVATAR_CHANGED')).toBe(1);
        },
      };
    },
  },
  importPeople: {
    operation: 'mutation($input: ImportPeopleInput!) { importPeople(input: $input) SELECTION }',
    async setup(unique) {
      const before = await test.prisma.import.count();
      return {
        variables: { input: { rows: [{ familyName: unique, emails: [`${unique}@example.org`] }] } },
        async check() {
          expect(await test.prisma.import.count()).toBe(before + 1);
          const people = await test.prisma.person.findMany({ where: { familyName: unique } });
          expect(people).toHaveLength(1);
          expect(await events(globalPerson(people[0]!.id), 'IMPORTED')).toBe(1);
        },
      };
    },
  },
  mergePeople: {
    operation: 'mutation($input: MergePeopleInput!) { mergePeople(input: $input) SELECTION }',
    async setup(unique) {
      const primaryId = await person(unique, { emails: [`${unique}@example.org`] });
      const otherId = await person(`${unique}-other`, { emails: [`${unique}@example.com`] });
      return {
        variables: { input: { personIds: [primaryId, otherId], primaryId } },
        async check() {
          expect(await test.prisma.person.count({ where: { id: localIdOf(otherId) } })).toBe(0);
          const primary = await test.prisma.person.findUniqueOrThrow({ where: { id: localIdOf(primaryId) } });
          expect(primary.emails).toEqual([`${unique}@example.org`, `${unique}@example.com`]);
          expect(await events(primaryId, 'MERGED')).toBe(1);
          expect(await test.prisma.merge.count({ where: { primaryId: localIdOf(primaryId) } })).toBe(1);
        },
      };
    },
  },
  'mergePeople (dry run)': {
    field: 'mergePeople',
    operation: 'mutation($input: MergePeopleInput!) { mergePeople(input: $input) SELECTION }',
    async setup(unique) {
      const primaryId = await person(unique);
      const otherId = await person(`${unique}-other`);
      return {
        variables: { input: { personIds: [primaryId, otherId], primaryId, dryRun: true } },
        async check() {
          expect(await test.prisma.person.count({ where: { id: { in: [localIdOf(primaryId), localIdOf(otherId)] } } })).toBe(2);
          expect(await events(primaryId, 'MERGED')).toBe(0);
        },
      };
    },
  },
  createApiKey: {
    operation: 'mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) SELECTION }',
    async setup(unique) {
      return {
        variables: { input: { name: unique } },
        async check() {
          expect(await test.prisma.apiKey.count({ where: { name: unique } })).toBe(1);
        },
      };
    },
  },
  revokeApiKey: {
    operation: 'mutation($id: ID!) { revokeApiKey(id: $id) SELECTION }',
    async setup(unique) {
      const created = await send(
        `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { ... on CreateApiKeySuccess { apiKey { id } } } }`,
        { input: { name: unique } },
      );
      const id = (created.data!.createApiKey as { apiKey: { id: string } }).apiKey.id;
      return {
        variables: { id },
        async check() {
          expect((await test.prisma.apiKey.findUniqueOrThrow({ where: { id: localIdOf(id) } })).revokedAt).toBeInstanceOf(Date);
        },
      };
    },
  },
  updateApiKey: {
    operation: 'mutation($id: ID!, $input: UpdateApiKeyInput!) { updateApiKey(id: $id, input: $input) SELECTION }',
    async setup(unique) {
      const created = await send(
        `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { ... on CreateApiKeySuccess { apiKey { id } } } }`,
        { input: { name: unique } },
      );
      const id = (created.data!.createApiKey as { apiKey: { id: string } }).apiKey.id;
      return {
        variables: { id, input: { rateLimit: { capacity: 1_000, refillPerSecond: 10 } } },
        async check() {
          const key = await test.prisma.apiKey.findUniqueOrThrow({ where: { id: localIdOf(id) } });
          expect([key.rateLimitCapacity, key.rateLimitRefillPerSecond, key.rateLimitExempt]).toEqual([1_000, 10, false]);
        },
      };
    },
  },
  createWebhookEndpoint: {
    operation: 'mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) SELECTION }',
    async setup(unique) {
      return {
        variables: { input: { url: publicHook, events: ['*'], description: unique } },
        async check() {
          expect(await test.prisma.webhookEndpoint.count({ where: { description: unique } })).toBe(1);
        },
      };
    },
  },
  updateWebhookEndpoint: {
    operation: 'mutation($id: ID!, $input: UpdateWebhookEndpointInput!) { updateWebhookEndpoint(id: $id, input: $input) SELECTION }',
    async setup(unique) {
      const id = await webhookEndpoint(unique);
      return {
        variables: { id, input: { events: ['PERSON_CREATED'] } },
        async check() {
          expect((await test.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: localIdOf(id) } })).events).toEqual(['PERSON_CREATED']);
        },
      };
    },
  },
  deleteWebhookEndpoint: {
    operation: 'mutation($id: ID!) { deleteWebhookEndpoint(id: $id) SELECTION }',
    async setup(unique) {
      const id = await webhookEndpoint(unique);
      return {
        variables: { id },
        async check() {
          expect(await test.prisma.webhookEndpoint.count({ where: { id: localIdOf(id) } })).toBe(0);
        },
      };
    },
  },
  rotateWebhookSecret: {
    operation: 'mutation($id: ID!) { rotateWebhookSecret(id: $id) SELECTION }',
    async setup(unique) {
      const id = await webhookEndpoint(unique);
      const before = (await test.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: localIdOf(id) } })).secret;
      return {
        variables: { id },
        async check() {
          expect((await test.prisma.webhookEndpoint.findUniqueOrThrow({ where: { id: localIdOf(id) } })).secret).not.toBe(before);
        },
      };
    },
  },
  redeliverWebhook: {
    operation: 'mutation($id: ID!) { redeliverWebhook(id: $id) SELECTION }',
    async setup(unique) {
      const endpointId = localIdOf(await webhookEndpoint(unique));
      await person(unique);
      const delivery = await test.prisma.webhookDelivery.findFirstOrThrow({ where: { endpointId } });
      return {
        variables: { id: Buffer.from(`WebhookDelivery:${delivery.id}`).toString('base64') },
        async check() {
          expect(await test.prisma.webhookDelivery.count({ where: { endpointId, eventId: delivery.eventId } })).toBe(2);
        },
      };
    },
  },
  createUser: {
    operation: 'mutation($input: CreateUserInput!) { createUser(input: $input) SELECTION }',
    async setup(unique) {
      return {
        variables: { input: { email: `${unique}@example.org` } },
        async check() {
          expect(await test.prisma.user.count({ where: { email: `${unique}@example.org` } })).toBe(1);
        },
      };
    },
  },
  updateUser: {
    operation: 'mutation($id: ID!, $input: UpdateUserInput!) { updateUser(id: $id, input: $input) SELECTION }',
    async setup(unique) {
      const id = await user(unique);
      return {
        variables: { id, input: { role: 'VIEWER' } },
        async check() {
          expect((await test.prisma.user.findUniqueOrThrow({ where: { id: localIdOf(id) } })).role).toBe('VIEWER');
        },
      };
    },
  },
  deactivateUser: {
    operation: 'mutation($id: ID!) { deactivateUser(id: $id) SELECTION }',
    async setup(unique) {
      const id = await user(unique);
      return {
        variables: { id },
        async check() {
          expect((await test.prisma.user.findUniqueOrThrow({ where: { id: localIdOf(id) } })).deactivatedAt).toBeInstanceOf(Date);
        },
      };
    },
  },
  reactivateUser: {
    operation: 'mutation($id: ID!) { reactivateUser(id: $id) SELECTION }',
    async setup(unique) {
      const id = await user(unique);
      await send(`mutation($id: ID!) { deactivateUser(id: $id) { __typename } }`, { id });
      return {
        variables: { id },
        async check() {
          expect((await test.prisma.user.findUniqueOrThrow({ where: { id: localIdOf(id) } })).deactivatedAt).toBeNull();
        },
      };
    },
  },
  'importPeople (a CSV file)': {
    field: 'importPeople',
    operation: 'mutation($input: ImportPeopleInput!) { importPeople(input: $input) SELECTION }',
    async setup(unique) {
      const before = await test.prisma.import.count();
      return {
        variables: { input: { file: null } },
        files: { 'input.file': new File([`family_name,email\n${unique},${unique}@example.org\n`], 'people.csv', { type: 'text/csv' }) },
        async check() {
          expect(await test.prisma.import.count()).toBe(before + 1);
          const people = await test.prisma.person.findMany({ where: { familyName: unique } });
          expect(people).toHaveLength(1);
          expect(await events(globalPerson(people[0]!.id), 'IMPORTED')).toBe(1);
        },
      };
    },
  },
};

function globalPerson(id: string): string {
  return Buffer.from(`Person:${id}`).toString('base64');
}

const selections = {
  'only __typename': () => '{ __typename }',
  'the success type without its record': (field: string) =>
    `{ __typename ... on ${field[0]!.toUpperCase()}${field.slice(1)}Success { __typename } }`,
};

describe('Mutation payloads, whatever is selected', () => {
  it('covers every mutation of the schema', async () => {
    const response = await send('{ __schema { mutationType { fields { name } } } }');
    const schema = response.data!.__schema as { mutationType: { fields: { name: string }[] } };
    const covered = new Set(Object.entries(cases).map(([name, testCase]) => testCase.field ?? name));
    expect(schema.mutationType.fields.map((field) => field.name).sort()).toEqual([...covered].sort());
  });

  for (const [selectionName, selection] of Object.entries(selections)) {
    describe(selectionName, () => {
      for (const [name, testCase] of Object.entries(cases)) {
        const field = testCase.field ?? name;
        it(`${name} succeeds and does what it says, once`, async () => {
          const unique = `payload-${++counter}-${field.toLowerCase()}`;
          const { variables, files, check } = await testCase.setup(unique);
          const query = testCase.operation.replace('SELECTION', selection(field));
          const response = files
            ? ((await requestWithFiles(test, acme, parse(query), variables, files)) as RawResult<Payloads>)
            : await send(query, variables);
          expect(response.errors).toBeUndefined();
          expect(response.data?.[field]).toEqual({ __typename: `${field[0]!.toUpperCase()}${field.slice(1)}Success` });
          await check();
        });
      }
    });
  }
});
