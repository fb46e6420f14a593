import type { InputFieldBuilder } from '@pothos/core';
import { queryFromInfo } from '@pothos/plugin-prisma';
import { type BuilderTypes, builder } from '../../graphql/builder.ts';
import { organizationOf, serviceContext } from '../../graphql/context.ts';
import { ConflictError, IssueList, SuppressedPersonError } from '../../shared/errors.ts';
import { maxTagIds, type PersonInput } from '../person-input.ts';
import {
  archivePerson,
  createPerson,
  deletePerson,
  replacePerson,
  unarchivePerson,
  updatePerson,
} from '../person-service.ts';
import { Company, CompanyRefInput, personCompanyLinksSelect } from './company.ts';
import { expectedVersionDescription, mutationResult } from '../../graphql/errors.ts';
import { FieldValueInput, GroupFieldValuesInput, toPersonFieldsInput } from '../../fields/index.ts';
import { inputId, localId, targetId } from '../../graphql/ids.ts';

export const Person = builder.prismaNode('Person', {
  description: 'Someone the organisation knows: a contact, a member, a colleague.',
  id: { field: 'id' },
  select: { id: true },
  // node(id) answers null, not an error, for an id that is not (or not yours).
  nullable: true,
  findUnique: (id, ctx) => ({ id, organizationId: organizationOf(ctx) }),
  fields: (t) => ({
    givenName: t.exposeString('givenName', { nullable: true }),
    familyName: t.exposeString('familyName'),
    additionalName: t.exposeString('additionalName', { nullable: true }),
    honorificPrefix: t.exposeString('honorificPrefix', { nullable: true }),
    fullName: t.string({
      description: 'As set, or else the given, additional and family names joined.',
      select: { fullName: true, givenName: true, additionalName: true, familyName: true },
      resolve: (person) =>
        person.fullName ??
        [person.givenName, person.additionalName, person.familyName].filter(Boolean).join(' '),
    }),
    initials: t.string({
      description: 'As set, or else the first letters of the given and family names.',
      select: { initials: true, givenName: true, familyName: true },
      resolve: (person) =>
        person.initials ??
        [person.givenName, person.familyName].map((name) => name?.trim().charAt(0).toUpperCase() ?? '').join(''),
    }),
    jobTitle: t.exposeString('jobTitle', { nullable: true }),
    description: t.exposeString('description', { nullable: true }),
    birthday: t.expose('birthday', { type: 'Date', nullable: true }),
    gender: t.exposeString('gender', { nullable: true }),
    language: t.exposeString('language', { nullable: true, description: 'A language tag, e.g. "en".' }),
    timezone: t.exposeString('timezone', { nullable: true }),
    profileColor: t.exposeString('profileColor', { nullable: true }),
    externalId: t.exposeString('externalId', { nullable: true }),
    customerId: t.exposeString('customerId', { nullable: true }),
    linkedinId: t.exposeString('linkedinId', { nullable: true }),
    externalSource: t.exposeString('externalSource', { nullable: true }),
    isTracked: t.exposeBoolean('isTracked', { nullable: true }),
    role: t.exposeString('role', { nullable: true, description: 'The role in the account (seed 001).' }),
    suspended: t.exposeBoolean('suspended'),
    invitedAt: t.expose('invitedAt', { type: 'DateTime', nullable: true }),
    emails: t.exposeStringList('emails', { description: 'In order; the first is the primary one.' }),
    primaryEmail: t.string({ nullable: true, select: { emails: true }, resolve: (p) => p.emails[0] ?? null }),
    phones: t.exposeStringList('phones', { description: 'In order; the first is the primary one.' }),
    primaryPhone: t.string({ nullable: true, select: { phones: true }, resolve: (p) => p.phones[0] ?? null }),
    urls: t.exposeStringList('urls', { description: 'In order; the first is the primary one.' }),
    primaryUrl: t.string({ nullable: true, select: { urls: true }, resolve: (p) => p.urls[0] ?? null }),
    addresses: t.exposeStringList('addresses', { description: 'In order; the first is the primary one.' }),
    primaryAddress: t.string({
      nullable: true,
      select: { addresses: true },
      resolve: (p) => p.addresses[0] ?? null,
    }),
    primaryCompany: t.field({
      type: Company,
      nullable: true,
      select: personCompanyLinksSelect,
      resolve: (person) => person.companies[0]?.company ?? null,
    }),
    owner: t.relation('owner', { nullable: true }),
    createdBy: t.relation('createdBy', { nullable: true }),
    dealSize: t.exposeInt('dealSize', { nullable: true }),
    totalDeals: t.exposeInt('totalDeals', { nullable: true }),
    totalWonDeals: t.exposeInt('totalWonDeals', { nullable: true }),
    totalLostDeals: t.exposeInt('totalLostDeals', { nullable: true }),
    isArchived: t.boolean({ select: { archivedAt: true }, resolve: (p) => p.archivedAt !== null }),
    archivedAt: t.expose('archivedAt', { type: 'DateTime', nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
    importedAt: t.expose('importedAt', { type: 'DateTime', nullable: true }),
    lastActiveAt: t.expose('lastActiveAt', { type: 'DateTime', nullable: true }),
    version: t.exposeInt('version', {
      description:
        'One more with every change to the person (their fields, lists, tags, groups, custom-field values, avatar); give it as expectedVersion to refuse a stale edit.',
    }),
  }),
});

// The fields create, replace, update and import rows share; only familyName's requiredness differs.
export function personInputFields(t: InputFieldBuilder<BuilderTypes, 'InputObject'>) {
  return {
    givenName: t.string({ description: 'At most 500 characters.' }),
    additionalName: t.string(),
    honorificPrefix: t.string(),
    initials: t.string({ description: 'Derived from the names when not set.' }),
    fullName: t.string({ description: 'At most 1000 characters; derived from the names when not set.' }),
    jobTitle: t.string(),
    description: t.string({ description: 'At most 5000 characters.' }),
    birthday: t.field({ type: 'Date' }),
    gender: t.string(),
    language: t.string({ description: 'A language tag, e.g. "en" or "pt-BR".' }),
    timezone: t.string({ description: 'An IANA zone ("Europe/Stockholm") or an offset ("+08:00").' }),
    profileColor: t.string({ description: 'A colour as #rrggbb.' }),
    externalId: t.string(),
    customerId: t.string(),
    linkedinId: t.string(),
    externalSource: t.string(),
    isTracked: t.boolean(),
    role: t.string(),
    suspended: t.boolean(),
    sendInvite: t.boolean({ description: 'When true, the person is (re)invited now: invitedAt is set.' }),
    ownerId: t.id({ description: 'A User of this organisation.' }),
    emails: t.stringList({ description: 'At most 20; the first is the primary one.' }),
    phones: t.stringList({ description: 'At most 20; the first is the primary one.' }),
    urls: t.stringList({ description: 'At most 20 http(s) URLs; the first is the primary one.' }),
    addresses: t.stringList({ description: 'At most 20; the first is the primary one.' }),
    companies: t.field({
      type: [CompanyRefInput],
      description: 'At most 20, by id or by name; the first is the primary one.',
    }),
    dealSize: t.int(),
    totalDeals: t.int(),
    totalWonDeals: t.int(),
    totalLostDeals: t.int(),
    groups: t.idList({ description: 'The groups the person is in (seed 003), at most 100; new members join as MEMBER.' }),
    fields: t.field({
      type: [FieldValueInput],
      description: 'Custom-field values. On replace (PUT) every field not given is unset; on update only these are touched.',
    }),
    fieldsByGroup: t.field({
      type: [GroupFieldValuesInput],
      description: "Seed 003's customFieldValues, grouped by group: each group must be in `groups` (update without `groups`: one the person is in).",
    }),
  };
}

// Seed 002's body fields that createPerson, replacePerson and updatePerson take (import rows do not).
function personBodyFields(t: InputFieldBuilder<BuilderTypes, 'InputObject'>) {
  return {
    archivedAt: t.field({
      type: 'DateTime',
      description:
        'Archived at this instant (seed 002), never in the future; null: not archived. Archiving and unarchiving write PERSON_ARCHIVED and PERSON_UNARCHIVED, as archivePerson and unarchivePerson do.',
    }),
    allowSuppressed: t.boolean({
      description:
        'Write the person even though an email or phone of theirs was suppressed when someone was erased (docs/personal-data.md); without it that is a SuppressedPersonError.',
    }),
    tagIds: t.idList({
      description: `Seed 002's tags: the person's tags, exactly these (at most ${maxTagIds}, each once). A tag the person has keeps its value; a new one is added without a value, so a tag with a value type is added with tagPerson. TAG_ADDED and TAG_REMOVED as tagPerson and untagPerson write them.`,
    }),
  };
}

const CreatePersonInput = builder.inputType('PersonInput', {
  description: 'Every field of a person. On replace (PUT), fields not given are cleared.',
  fields: (t) => ({
    id: t.id({ description: clientIdDescription }),
    familyName: t.string({ required: true, description: 'Required; at most 500 characters.' }),
    ...personInputFields(t),
    ...personBodyFields(t),
    projectIds: t.idList({ description: "Seed 001's projects the person is on, at most 100; on replace (PUT) not given clears them." }),
  }),
});

const UpdatePersonInput = builder.inputType('UpdatePersonInput', {
  description: 'Some fields of a person (PATCH): an absent field is kept, null clears it.',
  fields: (t) => ({
    familyName: t.string({ description: 'Cannot be cleared: a person always has a family name.' }),
    ...personInputFields(t),
    ...personBodyFields(t),
    projectIds: t.idList({ description: "Seed 001's projects the person is on, at most 100: absent keeps them, null or [] clears." }),
  }),
});

const clientIdDescription =
  'The id the client chose (seed 002): a UUID, or the Person id made from one; the person\'s id is then the Person id of that UUID. ' +
  'An id already taken is a ConflictError. On replacePerson it may only be the id of the person replaced.';

// A UUID as PostgreSQL writes one; a client's is taken in any case and stored in lower case.
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A client's person id, as a UUID or the Person global id of one: the lower-case UUID, or an issue at `path`. */
export function clientPersonId(issues: IssueList, path: string[], id: string): string {
  const uuid = uuidPattern.test(id) ? id : localId(id, 'Person');
  if (uuid === undefined || !uuidPattern.test(uuid)) {
    issues.add(path, 'Must be a UUID such as "0190c1d2-7e3a-7b4c-9d5e-6f708192a3b4", or the Person id of one.');
    return id;
  }
  return uuid.toLowerCase();
}

// Create's input is this one with familyName required.
export type PersonInputArg = typeof UpdatePersonInput.$inferInput & { id?: string | null };

/** Turns the GraphQL input into the service's, decoding the global ids it holds. */
export function toPersonInput(input: PersonInputArg): PersonInput {
  const issues = new IssueList();
  const { id, ownerId, companies, groups, fields, fieldsByGroup, tagIds, projectIds, ...rest } = input;
  const result: PersonInput = { ...rest, ...toPersonFieldsInput(issues, { groups, fields, fieldsByGroup }) };
  if (id != null) result.id = clientPersonId(issues, ['input', 'id'], id);
  if (projectIds !== undefined) {
    result.projectIds = projectIds?.map((projectId, index) => inputId(issues, ['input', 'projectIds', String(index)], projectId, 'Project')) ?? null;
  }
  if (tagIds !== undefined) {
    // Bounded before it is decoded: the service says so again, with the path, for any caller.
    result.tagIds =
      tagIds && tagIds.length <= maxTagIds ? tagIds.map((tagId, index) => inputId(issues, ['input', 'tagIds', String(index)], tagId, 'Tag')) : tagIds;
  }
  if (ownerId !== undefined) result.ownerId = ownerId && inputId(issues, ['input', 'ownerId'], ownerId, 'User');
  if (companies !== undefined) {
    // null is kept as null: in a PATCH it clears the companies, as [] does.
    result.companies = companies && companies.map((ref, index) =>
      ref.id != null ? { id: inputId(issues, ['input', 'companies', String(index), 'id'], ref.id, 'Company') } : ref,
    );
  }
  issues.throwIfAny();
  return result;
}

builder.queryField('person', (t) =>
  t.field({
    type: Person,
    nullable: true,
    description: 'A person by global id; null when there is none in your organisation.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx, info) => {
      // A malformed id names no one: null, without asking the database.
      const personId = localId(id, 'Person');
      if (!personId) return null;
      return ctx.prisma.person.findFirst({
        ...queryFromInfo({ context: ctx, info, typeName: 'Person' }),
        where: { id: personId, organizationId: organizationOf(ctx) },
      });
    },
  }),
);

builder.mutationField('createPerson', (t) =>
  t.field({
    type: Person,
    description: 'Creates a person. familyName is required (seed 002).',
    errors: mutationResult('CreatePerson', 'person', [ConflictError, SuppressedPersonError]),
    args: { input: t.arg({ type: CreatePersonInput, required: true }) },
    resolve: (_root, { input }, ctx) => createPerson(serviceContext(ctx), toPersonInput(input)),
  }),
);

builder.mutationField('replacePerson', (t) =>
  t.field({
    type: Person,
    description: 'Replaces every field of a person (PUT): fields not given are cleared.',
    errors: mutationResult('ReplacePerson', 'person', [ConflictError, SuppressedPersonError]),
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: CreatePersonInput, required: true }),
      expectedVersion: t.arg.int({ description: expectedVersionDescription }),
    },
    resolve: (_root, { id, input, expectedVersion }, ctx) =>
      replacePerson(serviceContext(ctx), targetId(id, 'Person'), toPersonInput(input), expectedVersion),
  }),
);

builder.mutationField('updatePerson', (t) =>
  t.field({
    type: Person,
    description: 'Changes some fields of a person (PATCH): absent fields are kept, null clears.',
    errors: mutationResult('UpdatePerson', 'person', [ConflictError, SuppressedPersonError]),
    args: {
      id: t.arg.id({ required: true }),
      input: t.arg({ type: UpdatePersonInput, required: true }),
      expectedVersion: t.arg.int({ description: expectedVersionDescription }),
    },
    resolve: (_root, { id, input, expectedVersion }, ctx) =>
      updatePerson(serviceContext(ctx), targetId(id, 'Person'), toPersonInput(input), expectedVersion),
  }),
);

builder.mutationField('archivePerson', (t) =>
  t.field({
    type: Person,
    description: 'Archives a person instead of deleting them (seed 002); archiving twice keeps the first date.',
    errors: mutationResult('ArchivePerson', 'person'),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => archivePerson(serviceContext(ctx), targetId(id, 'Person')),
  }),
);

builder.mutationField('unarchivePerson', (t) =>
  t.field({
    type: Person,
    errors: mutationResult('UnarchivePerson', 'person'),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => unarchivePerson(serviceContext(ctx), targetId(id, 'Person')),
  }),
);

builder.mutationField('deletePerson', (t) =>
  t.field({
    type: 'ID',
    description: 'Deletes a person with their notes, tags, memberships, field values and timeline.',
    errors: mutationResult('DeletePerson', 'deletedId'),
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, { id }, ctx) => {
      await deletePerson(serviceContext(ctx), targetId(id, 'Person'));
      return id;
    },
  }),
);
