import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../../graphql/builder.ts';
import { organizationOf, serviceContext } from '../../graphql/context.ts';
import { IssueList } from '../../shared/errors.ts';
import {
  maxMergeSize,
  type MergeInput,
  mergePeople,
  minMergeSize,
  type PersonMergeField,
  personMergeFields,
} from '../merge-service.ts';
import { mutationResult, payloadQuery } from '../../graphql/errors.ts';
import { primeInteractionMetadata } from '../../timeline/index.ts';
import { inputId, localId } from '../../graphql/ids.ts';
import { Person } from '../../people/index.ts';

/** givenName → GIVEN_NAME; ownerId → OWNER, as Person's field is `owner`. */
function enumName(field: PersonMergeField): string {
  if (field === 'ownerId') return 'OWNER';
  return field.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();
}

export const PersonMergeFieldEnum = builder.enumType('PersonMergeField', {
  description: 'A person field for which a merge keeps one value (AVATAR is the picture).',
  values: Object.fromEntries(personMergeFields.map((field) => [enumName(field), { value: field }])) as Record<
    string,
    { value: PersonMergeField }
  >,
});

const PersonMergeOverrideInput = builder.inputType('PersonMergeOverride', {
  description: "Take this field's value from this person, as it is (an empty value included).",
  fields: (t) => ({
    field: t.field({ type: PersonMergeFieldEnum, required: true }),
    fromPersonId: t.id({ required: true, description: 'One of the merged people.' }),
  }),
});

const MergePeopleInput = builder.inputType('MergePeopleInput', {
  description: [
    'The primary keeps its id. For each field of PersonMergeField, the primary\'s value wins unless it is empty',
    '(then the first non-empty value in the order of personIds) or an override names another person;',
    'initials and fullName, derived from the names when not set, are taken from another person only by override.',
    'Emails, phones, urls, addresses, companies, tags and group memberships are united without duplicates',
    '(a membership keeps the strongest role, MANAGER over MEMBER); notes, custom field values (the primary\'s',
    'wins, then the first in personIds order) and timeline events move to the primary; the others are deleted.',
  ].join(' '),
  fields: (t) => ({
    personIds: t.idList({
      required: true,
      description: `${minMergeSize} to ${maxMergeSize} distinct people of your organisation, the primary among them.`,
    }),
    primaryId: t.id({ required: true, description: 'The person who remains; one of personIds.' }),
    overrides: t.field({
      type: [PersonMergeOverrideInput],
      defaultValue: [],
      description: 'At most one per field.',
    }),
    dryRun: t.boolean({
      defaultValue: false,
      description: 'Return the merged person as the merge would leave them, and write nothing.',
    }),
  }),
});

function toMergeInput(input: typeof MergePeopleInput.$inferInput): MergeInput {
  const issues = new IssueList();
  // Refused before their ids are decoded, each of which could be an issue of its own.
  if (input.personIds.length > maxMergeSize) {
    issues.add(['input', 'personIds'], `Give ${minMergeSize} to ${maxMergeSize} people to merge (got ${input.personIds.length}).`);
  }
  if ((input.overrides?.length ?? 0) > personMergeFields.length) {
    issues.add(['input', 'overrides'], `At most ${personMergeFields.length} overrides, one per field (got ${input.overrides!.length}).`);
  }
  issues.throwIfAny();
  const personIds = input.personIds.map((id, index) => inputId(issues, ['input', 'personIds', String(index)], id, 'Person'));
  const primaryId = inputId(issues, ['input', 'primaryId'], input.primaryId, 'Person');
  const overrides = (input.overrides ?? []).map((override, index) => ({
    field: override.field,
    fromPersonId: inputId(issues, ['input', 'overrides', String(index), 'fromPersonId'], override.fromPersonId, 'Person'),
  }));
  issues.throwIfAny();
  return { personIds, primaryId, overrides, dryRun: input.dryRun ?? false };
}

builder.mutationField('mergePeople', (t) =>
  t.prismaField({
    type: 'Person',
    description:
      'Merges 2 to 10 people into one (seed 000). In one transaction, with a Merge record and a MERGED timeline ' +
      'event on the primary. A dry run runs the same transaction and rolls it back.',
    errors: mutationResult('MergePeople', 'person'),
    args: { input: t.arg({ type: MergePeopleInput, required: true }) },
    resolve: (query, _root, { input }, ctx) =>
      // What is loaded beside the person's own query would otherwise be read after the dry run's
      // rollback, from the people as they were.
      mergePeople(serviceContext(ctx), toMergeInput(input), payloadQuery(query), (tx, person) => primeInteractionMetadata(ctx, tx, person.id)),
  }),
);

interface StoredOverride {
  field: PersonMergeField;
  fromPersonId: string;
}

const MergeOverrideRecord = builder.objectRef<StoredOverride>('MergeOverrideRecord').implement({
  description: 'An override a merge was given.',
  fields: (t) => ({
    field: t.field({ type: PersonMergeFieldEnum, resolve: (override) => override.field }),
    fromPersonId: t.id({ resolve: (override) => encodeGlobalID('Person', override.fromPersonId) }),
  }),
});

export const Merge = builder.prismaNode('Merge', {
  description: 'A merge of several people into one.',
  id: { field: 'id' },
  // node(id) answers null, not an error, for an id that is not (or not yours).
  nullable: true,
  findUnique: (id, ctx) => ({ id, organizationId: organizationOf(ctx) }),
  fields: (t) => ({
    primaryId: t.id({
      description: 'The person who remained.',
      select: { primaryId: true },
      resolve: (merge) => encodeGlobalID('Person', merge.primaryId),
    }),
    primary: t.loadable({
      type: Person,
      nullable: true,
      description: 'The person who remained; null once they are deleted.',
      load: (ids: string[], ctx) => loadPeople(ctx, ids),
      resolve: (merge) => merge.primaryId,
    }),
    mergedPersonIds: t.idList({
      description: 'The people merged into the primary; they no longer exist.',
      select: { mergedIds: true },
      resolve: (merge) => merge.mergedIds.map((id) => encodeGlobalID('Person', id)),
    }),
    overrides: t.field({
      type: [MergeOverrideRecord],
      select: { overrides: true },
      resolve: (merge) => merge.overrides as unknown as StoredOverride[],
    }),
    actor: t.relation('actor', { nullable: true, description: 'Who merged; null once that user is deleted.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
  }),
});

async function loadPeople(ctx: Parameters<typeof organizationOf>[0], ids: string[]) {
  const people = await ctx.prisma.person.findMany({ where: { id: { in: ids }, organizationId: organizationOf(ctx) } });
  const byId = new Map(people.map((person) => [person.id, person]));
  return ids.map((id) => byId.get(id) ?? null);
}

builder.queryField('merges', (t) =>
  t.prismaConnection({
    type: 'Merge',
    cursor: 'id',
    description: 'The merges made in your organisation, newest first.',
    args: {
      personId: t.arg.id({ description: 'Only merges into or of this person (an id that no longer exists still finds them).' }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.merge.findMany({ ...query, where: mergesWhere(ctx, args.personId), orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
    totalCount: (_root, args, ctx) => ctx.prisma.merge.count({ where: mergesWhere(ctx, args.personId) }),
  }),
);

function mergesWhere(ctx: Parameters<typeof organizationOf>[0], personId: string | null | undefined) {
  const where = { organizationId: organizationOf(ctx) };
  if (personId == null) return where;
  const id = localId(personId, 'Person');
  // An id that is not a person id names no merge.
  if (id === undefined) return { ...where, id: { in: [] } };
  return { ...where, OR: [{ primaryId: id }, { mergedIds: { has: id } }] };
}
