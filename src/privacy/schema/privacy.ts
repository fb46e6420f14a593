import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from '../../graphql/builder.ts';
import { organizationOf, serviceContext } from '../../graphql/context.ts';
import { mutationResult, payloadQuery } from '../../graphql/errors.ts';
import { targetId } from '../../graphql/ids.ts';
import { erasePerson, maxErasureReasonLength } from '../erasure.ts';
import { exportPerson, personExportFormat } from '../person-export.ts';

builder.mutationField('exportPerson', (t) =>
  t.field({
    type: 'JSON',
    // Admins only: the field's own scope replaces its type's, so an editor or a viewer is told why.
    skipTypeScopes: true,
    authScopes: { admin: true },
    description:
      `Admins only. Everything your organisation holds about the person, as one JSON document (format "${personExportFormat}"): ` +
      'every field and list, companies, projects, custom-field values with their fields, tags with values, groups with roles, ' +
      'every note (private ones marked, with authors), the timeline, merges into them, the imports that wrote them, and the avatar ' +
      'as a data URL. Recorded on their timeline as PERSON_EXPORTED. Also GET /people/<id>/export (docs/personal-data.md).',
    errors: mutationResult('ExportPerson', 'export'),
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, { id }, ctx) => exportPerson(serviceContext(ctx), targetId(id, 'Person')),
  }),
);

export const PersonErasure = builder.prismaObject('PersonErasure', {
  description:
    'The audit record of an erased person (PERSON_ERASED): which id, who erased them, when and why. It holds no personal data; the person and their data are gone.',
  fields: (t) => ({
    id: t.id({ resolve: (erasure) => encodeGlobalID('PersonErasure', erasure.id) }),
    personId: t.id({ description: 'The erased person\'s id; it names no one any more.', resolve: (erasure) => encodeGlobalID('Person', erasure.personId) }),
    erasedBy: t.relation('actor', { nullable: true, description: 'The admin who erased; null once that user is deleted.' }),
    erasedAt: t.expose('erasedAt', { type: 'DateTime' }),
    reason: t.exposeString('reason'),
    suppressed: t.exposeBoolean('suppressed', { description: 'Whether their emails and phones were suppressed (creates and imports refuse them).' }),
  }),
});

builder.mutationField('erasePerson', (t) =>
  t.prismaField({
    type: 'PersonErasure',
    // Admins only: the field's own scope replaces its type's, so an editor or a viewer is told why.
    skipTypeScopes: true,
    authScopes: { admin: true },
    description:
      'Admins only. Erases a person and every trace of them, in one transaction: their record, notes, values, memberships, tags, ' +
      'links, avatar and timeline, merges into them, and what names them elsewhere (other timeline events, custom-field values, ' +
      'import row errors, saved idempotent answers). What stays is a PersonErasure record (see `erasures`). With suppress, ' +
      'the SHA-256 of each email and phone is kept, and creates and imports refuse them (SuppressedPersonError) unless they say allowSuppressed.',
    errors: mutationResult('ErasePerson', 'erasure'),
    args: {
      id: t.arg.id({ required: true }),
      reason: t.arg.string({ required: true, description: `Why (1 to ${maxErasureReasonLength} characters; kept, so write no personal data in it), e.g. "GDPR request 2026-118".` }),
      suppress: t.arg.boolean({ defaultValue: false, description: 'Keep digests of their emails and phones, so that they are not added again.' }),
    },
    resolve: async (query, _root, { id, reason, suppress }, ctx) => {
      const erasure = await erasePerson(serviceContext(ctx), targetId(id, 'Person'), { reason, suppress: suppress ?? false });
      return ctx.prisma.personErasure.findUniqueOrThrow({ ...payloadQuery(query), where: { id: erasure.id } });
    },
  }),
);

builder.queryField('erasures', (t) =>
  t.prismaConnection({
    type: 'PersonErasure',
    cursor: 'id',
    // Admins only: the field's own scope replaces its type's, so an editor or a viewer is told why.
    skipTypeScopes: true,
    authScopes: { admin: true },
    description: 'Admins only. The people erased in your organisation, newest first.',
    resolve: (query, _root, _args, ctx) =>
      ctx.prisma.personErasure.findMany({ ...query, where: { organizationId: organizationOf(ctx) }, orderBy: [{ erasedAt: 'desc' }, { id: 'desc' }] }),
    totalCount: (_root, _args, ctx) => ctx.prisma.personErasure.count({ where: { organizationId: organizationOf(ctx) } }),
  }),
);
