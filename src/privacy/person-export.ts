import { createHash } from 'node:crypto';
import type { Db } from '../db/prisma.ts';
import { lockPerson } from '../db/row-locks.ts';
import { requireAdmin, type ServiceContext } from '../shared/actor.ts';
import { encodeGlobalId } from '../shared/global-ids.ts';
import { eventDataWithGlobalIds, recordEvent } from '../timeline/index.ts';

/** The export's `format`: a reader checks it before reading the rest; a change of shape is a new number. */
export const personExportFormat = 'people-gateway.person-export/1';

type JsonObject = { [key: string]: unknown };

/**
 * Everything the organisation holds about one person (GDPR articles 15 and 20), as one JSON
 * document with global ids: every field and list, companies, projects, custom-field values with
 * their fields, tags with values, groups with roles, every note (private ones marked), the
 * timeline, the merges into them, the imports that wrote them, and the avatar as a data URL with
 * its digest. Admins only. Recorded as PERSON_EXPORTED on the person's timeline, in the same
 * transaction, with who exported and no data.
 */
export async function exportPerson(ctx: ServiceContext, personId: string): Promise<JsonObject> {
  requireAdmin(ctx.actor);
  return ctx.prisma.$transaction(async (tx) => {
    // Read as of one moment, and not while another write of the person is half-way.
    await lockPerson(tx, ctx, personId);
    const document = await readExport(tx, personId);
    await recordEvent(tx, ctx.actor, personId, 'PERSON_EXPORTED');
    return document;
  });
}

const userSelect = { id: true, name: true, email: true } as const;

function userRef(user: { id: string; name: string | null; email: string } | null): JsonObject | null {
  return user && { id: encodeGlobalId('User', user.id), name: user.name, email: user.email };
}

async function readExport(tx: Db, personId: string): Promise<JsonObject> {
  const person = await tx.person.findUniqueOrThrow({
    where: { id: personId },
    include: {
      owner: { select: userSelect },
      createdBy: { select: userSelect },
      companies: { orderBy: { position: 'asc' }, include: { company: { select: { id: true, name: true } } } },
      projects: { orderBy: { titleKey: 'asc' }, select: { id: true, title: true } },
      fieldValues: { orderBy: { fieldId: 'asc' }, include: { field: true, updatedBy: { select: userSelect } } },
      tags: { orderBy: { createdAt: 'asc' }, include: { tag: { select: { id: true, title: true, valueType: true } } } },
      memberships: { orderBy: { createdAt: 'asc' }, include: { group: { select: { id: true, title: true } } } },
      notes: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], include: { author: { select: userSelect }, category: { select: { id: true, title: true } } } },
      timelineEvents: { orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }], include: { actor: { select: userSelect } } },
      avatar: true,
    },
  });
  const merges = await tx.merge.findMany({
    where: { organizationId: person.organizationId, primaryId: personId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    include: { actor: { select: userSelect } },
  });
  // The imports that wrote the person are those their IMPORTED events name.
  const importIds = [
    ...new Set(person.timelineEvents.flatMap((event) => (event.type === 'IMPORTED' ? [String((event.data as JsonObject).importId)] : []))),
  ];
  const imports = await tx.import.findMany({
    where: { organizationId: person.organizationId, id: { in: importIds } },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    include: { actor: { select: userSelect } },
  });
  const {
    id,
    organizationId: _organization,
    searchText: _derived,
    ownerId: _ownerId,
    createdById: _createdById,
    owner,
    createdBy,
    companies,
    projects,
    fieldValues,
    tags,
    memberships,
    notes,
    timelineEvents,
    avatar,
    ...fields
  } = person;
  return {
    format: personExportFormat,
    exportedAt: new Date().toISOString(),
    person: {
      id: encodeGlobalId('Person', id),
      ...fields,
      birthday: fields.birthday?.toISOString().slice(0, 10) ?? null,
      owner: userRef(owner),
      createdBy: userRef(createdBy),
    },
    companies: companies.map((link) => ({ id: encodeGlobalId('Company', link.company.id), name: link.company.name, primary: link.position === 0 })),
    projects: projects.map((project) => ({ id: encodeGlobalId('Project', project.id), title: project.title })),
    customFieldValues: fieldValues.map((value) => ({
      field: { id: encodeGlobalId('CustomField', value.field.id), slug: value.field.slug, title: value.field.title, type: value.field.type },
      value: value.value,
      updatedAt: value.updatedAt,
      updatedBy: userRef(value.updatedBy),
    })),
    tags: tags.map((link) => ({ id: encodeGlobalId('Tag', link.tag.id), title: link.tag.title, valueType: link.tag.valueType, value: link.value, addedAt: link.createdAt })),
    groups: memberships.map((membership) => ({
      id: encodeGlobalId('Group', membership.group.id),
      title: membership.group.title,
      role: membership.role,
      joinedAt: membership.createdAt,
    })),
    notes: notes.map((note) => ({
      id: encodeGlobalId('Note', note.id),
      title: note.title,
      description: note.description,
      isPrivate: note.isPrivate,
      flagged: note.flagged,
      category: { id: encodeGlobalId('NoteCategory', note.category.id), title: note.category.title },
      author: userRef(note.author),
      createdAt: note.createdAt,
      updatedAt: note.updatedAt,
    })),
    timeline: timelineEvents.map((event) => ({
      id: encodeGlobalId('TimelineEvent', event.id),
      type: event.type,
      occurredAt: event.occurredAt,
      actor: userRef(event.actor),
      data: eventDataWithGlobalIds(event.data),
    })),
    merges: merges.map((merge) => ({
      id: encodeGlobalId('Merge', merge.id),
      mergedPersonIds: merge.mergedIds.map((mergedId) => encodeGlobalId('Person', mergedId)),
      overrides: (merge.overrides as { field: string; fromPersonId: string }[]).map(({ field, fromPersonId }) => ({
        field,
        fromPersonId: encodeGlobalId('Person', fromPersonId),
      })),
      actor: userRef(merge.actor),
      createdAt: merge.createdAt,
    })),
    imports: imports.map((record) => ({
      id: encodeGlobalId('Import', record.id),
      status: record.status,
      dryRun: record.dryRun,
      actor: userRef(record.actor),
      createdAt: record.createdAt,
      finishedAt: record.finishedAt,
    })),
    avatar: avatar && {
      contentType: avatar.contentType,
      sha256: createHash('sha256').update(avatar.data).digest('hex'),
      dataUrl: `data:${avatar.contentType};base64,${Buffer.from(avatar.data).toString('base64')}`,
      updatedAt: avatar.updatedAt,
    },
  };
}
