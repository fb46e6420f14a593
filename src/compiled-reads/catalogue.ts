import {
  column,
  compileObject,
  connection,
  day,
  type FieldCompiler,
  globalId,
  id,
  instant,
  jsonObject,
  list,
  noArgs,
  objectTypeOf,
  organizationParam,
  toOne,
  typeSpecs,
  userParam,
} from './sql.ts';
import { selectFields, Unsupported } from './selection.ts';
import { lastInteractedByLimit } from '../timeline/index.ts';

/**
 * What each compiled field reads, written after the resolvers it stands for (src/schema/*.ts):
 * the same columns, relations, orders and visibility rules. A field missing here makes its
 * selection fall back to the resolvers.
 */

const byId = (foreignKey: string) => (row: string, target: string) => `${target}.id = ${row}."${foreignKey}"`;
const ofPerson = (row: string, target: string) => `${target}."personId" = ${row}.id`;

/** plugin-prisma's cursor of a one-column key: base64 of `GPC:` and @pothos/core's tagged chunk. */
const base64 = (text: string) => `translate(encode(convert_to(${text}, 'UTF8'), 'base64'), E'\\n', '')`;
const idCursor = (target: string) => base64(`'GPC:S:' || ${target}.id`);
/** A compound key's cursor: `GPC:T:` and the JSON list of the tagged values (ids need no escaping). */
const tupleCursor = (columns: string[]) => (target: string) =>
  base64(`'GPC:T:["' || ${columns.map((name) => `'S:' || ${target}."${name}"`).join(` || '","' || `)} || '"]'`);

const same = (name: string) => column(name);

typeSpecs.set('User', {
  fields: { id: id('User'), email: same('email'), name: same('name'), role: same('role'), createdAt: instant('createdAt'), deactivatedAt: instant('deactivatedAt') },
});

typeSpecs.set('Company', { fields: { id: id('Company'), name: same('name'), createdAt: instant('createdAt') } });

typeSpecs.set('Tag', {
  fields: {
    id: id('Tag'),
    title: same('title'),
    description: same('description'),
    color: same('color'),
    hidden: same('hidden'),
    valueType: same('valueType'),
    createdAt: instant('createdAt'),
  },
});

typeSpecs.set('TagAssignment', {
  fields: { tag: toOne('Tag', byId('tagId')), value: same('value'), assignedAt: instant('createdAt') },
});

typeSpecs.set('Group', {
  fields: { id: id('Group'), title: same('title'), description: same('description'), createdAt: instant('createdAt'), updatedAt: instant('updatedAt') },
});

typeSpecs.set('GroupMembership', {
  fields: { group: toOne('Group', byId('groupId')), role: same('role'), joinedAt: instant('createdAt') },
});

typeSpecs.set('NoteCategory', { fields: { id: id('NoteCategory'), title: same('title'), createdAt: instant('createdAt') } });

typeSpecs.set('Note', {
  fields: {
    id: id('Note'),
    title: same('title'),
    description: same('description'),
    category: toOne('NoteCategory', byId('categoryId')),
    flagged: same('flagged'),
    isPrivate: same('isPrivate'),
    author: toOne('User', byId('authorId')),
    createdAt: instant('createdAt'),
    updatedAt: instant('updatedAt'),
    version: same('version'),
  },
});

typeSpecs.set('TimelineEvent', {
  fields: { id: id('TimelineEvent'), type: same('type'), occurredAt: instant('occurredAt'), actor: toOne('User', byId('actorId')) },
});

typeSpecs.set('CustomField', {
  fields: {
    id: id('CustomField'),
    title: same('title'),
    slug: same('slug'),
    description: same('description'),
    type: same('type'),
    options: list('options'),
    groupId: column('groupId', (col) => `CASE WHEN ${col} IS NULL THEN NULL ELSE ${globalId('Group', col)} END`),
    createdAt: instant('createdAt'),
    updatedAt: instant('updatedAt'),
  },
});

typeSpecs.set('FieldValue', {
  fields: { field: toOne('CustomField', byId('fieldId')), value: same('value'), updatedAt: instant('updatedAt'), updatedBy: toOne('User', byId('updatedById')) },
});

/** The caller's and everyone's events on the person (timeline/interaction-metadata.ts), in one aggregate. */
const interactionMetadata: FieldCompiler = (c, row, field) => {
  noArgs(field);
  const events = c.alias();
  const figures = c.alias();
  return `(SELECT ${compileObject(c, objectTypeOf(c, field), figures, field.nodes)} FROM (
    SELECT ${row}.id AS "personId", count(*) AS "count", max(${events}."occurredAt") AS "lastAt",
      count(*) FILTER (WHERE ${events}."actorId" = ${userParam}) AS "userCount",
      max(${events}."occurredAt") FILTER (WHERE ${events}."actorId" = ${userParam}) AS "userLastAt"
    FROM ${c.table('TimelineEvent')} ${events} WHERE ${events}."personId" = ${row}.id) ${figures})`;
};
const sameRow: FieldCompiler = (c, row, field) => compileObject(c, objectTypeOf(c, field), row, field.nodes);
typeSpecs.set('InteractionMetadata', { fields: { user: sameRow, workspace: sameRow } });
typeSpecs.set('UserInteractionMetadata', { fields: { approximateCount: column('userCount'), lastInteractedAt: instant('userLastAt') } });
/** The last distinct users who did something, newest first, ties by id byte-wise; users since gone or of another organisation left out. */
const lastInteractedBy: FieldCompiler = (c, row, field) => {
  noArgs(field);
  const events = c.alias();
  const recent = c.alias();
  const user = c.alias();
  return `coalesce((SELECT json_agg(${compileObject(c, objectTypeOf(c, field), user, field.nodes)} ORDER BY ${recent}."lastAt" DESC, ${recent}."actorId" COLLATE "C")
    FROM (SELECT ${events}."actorId", max(${events}."occurredAt") AS "lastAt" FROM ${c.table('TimelineEvent')} ${events}
      WHERE ${events}."personId" = ${row}."personId" AND ${events}."actorId" IS NOT NULL GROUP BY ${events}."actorId"
      ORDER BY "lastAt" DESC, ${events}."actorId" COLLATE "C" LIMIT ${lastInteractedByLimit}) ${recent}
    JOIN ${c.table('User')} ${user} ON ${user}.id = ${recent}."actorId" AND ${user}."organizationId" = ${organizationParam}), '[]'::json)`;
};
typeSpecs.set('WorkspaceInteractionMetadata', {
  fields: { approximateCount: column('count'), lastInteractedAt: instant('lastAt'), lastInteractedBy },
});

/** avatarPath(): /avatars/<encodeURIComponent(global id)>?v=<updatedAt in ms>, null without a picture. */
const avatarUrl: FieldCompiler = (c, row, field) => {
  noArgs(field);
  const avatar = c.alias();
  const escaped = `replace(replace(replace(${globalId('Person', `${row}.id`)}, '+', '%2B'), '/', '%2F'), '=', '%3D')`;
  return `(SELECT '/avatars/' || ${escaped} || '?v=' || (extract(epoch FROM ${avatar}."updatedAt") * 1000)::bigint
    FROM ${c.table('PersonAvatar')} ${avatar} WHERE ${avatar}."personId" = ${row}.id)`;
};

/** A person's companies in the order given (position), all of them: at most 20 (company.ts). */
const companies: FieldCompiler = (c, row, field) => {
  noArgs(field);
  const link = c.alias();
  const company = c.alias();
  const entries: [string, string][] = [];
  const type = objectTypeOf(c, field);
  for (const part of selectFields(c.selection, type, field.nodes)) {
    if (part.field.name === 'totalCount') {
      entries.push([part.responseKey, `(SELECT count(*) FROM ${c.table('PersonCompany')} ${link} WHERE ${link}."personId" = ${row}.id)`]);
    } else if (part.field.name === 'nodes') {
      entries.push([
        part.responseKey,
        `coalesce((SELECT json_agg(${compileObject(c, objectTypeOf(c, part), company, part.nodes)} ORDER BY ${link}.position, ${link}."companyId")
          FROM ${c.table('PersonCompany')} ${link} JOIN ${c.table('Company')} ${company} ON ${company}.id = ${link}."companyId"
          WHERE ${link}."personId" = ${row}.id), '[]'::json)`,
      ]);
    } else {
      throw new Unsupported(`${type.name}.${part.field.name}`);
    }
  }
  return jsonObject(entries);
};

const primaryCompany: FieldCompiler = (c, row, field) => {
  noArgs(field);
  const link = c.alias();
  const company = c.alias();
  return `(SELECT ${compileObject(c, objectTypeOf(c, field), company, field.nodes)}
    FROM ${c.table('PersonCompany')} ${link} JOIN ${c.table('Company')} ${company} ON ${company}.id = ${link}."companyId"
    WHERE ${link}."personId" = ${row}.id ORDER BY ${link}.position, ${link}."companyId" LIMIT 1)`;
};

const text = ['givenName', 'familyName', 'additionalName', 'honorificPrefix', 'jobTitle', 'description', 'gender', 'language', 'timezone', 'profileColor'];
const moreText = ['externalId', 'customerId', 'linkedinId', 'externalSource', 'role', 'isTracked', 'suspended', 'dealSize', 'totalDeals', 'totalWonDeals', 'totalLostDeals', 'version'];
const instants = ['invitedAt', 'archivedAt', 'createdAt', 'updatedAt', 'importedAt', 'lastActiveAt'];
const lists = ['emails', 'phones', 'urls', 'addresses'];
const primary = (name: string) => column(name, (col) => `${col}[1]`);

typeSpecs.set('Person', {
  fields: {
    id: id('Person'),
    ...Object.fromEntries([...text, ...moreText].map((name) => [name, same(name)])),
    ...Object.fromEntries(instants.map((name) => [name, instant(name)])),
    ...Object.fromEntries(lists.map((name) => [name, list(name)])),
    birthday: day('birthday'),
    // As set, or else the given, additional and family names joined, empty ones left out (filter(Boolean)).
    fullName: column('fullName', (col) => {
      const row = col.slice(0, col.indexOf('.'));
      return `coalesce(${col}, concat_ws(' ', nullif(${row}."givenName", ''), nullif(${row}."additionalName", ''), nullif(${row}."familyName", '')))`;
    }),
    primaryEmail: primary('emails'),
    primaryPhone: primary('phones'),
    primaryUrl: primary('urls'),
    primaryAddress: primary('addresses'),
    isArchived: column('archivedAt', (col) => `${col} IS NOT NULL`),
    owner: toOne('User', byId('ownerId')),
    createdBy: toOne('User', byId('createdById')),
    primaryCompany,
    companies,
    tags: connection({ table: 'PersonTag', where: ofPerson, orderBy: (t) => `${t}."createdAt", ${t}."tagId"`, cursor: tupleCursor(['personId', 'tagId']) }),
    groups: connection({
      table: 'GroupMembership',
      where: ofPerson,
      orderBy: (t) => `${t}."createdAt", ${t}."groupId"`,
      cursor: tupleCursor(['groupId', 'personId']),
    }),
    // Only the notes the caller may see: not private, or their own (visibleNotesWhere); flagged, newest, id.
    notes: connection({
      table: 'Note',
      where: (row, t) => `${t}."personId" = ${row}.id AND ${t}."organizationId" = ${organizationParam} AND (NOT ${t}."isPrivate" OR ${t}."authorId" = ${userParam})`,
      orderBy: (t) => `${t}.flagged DESC, ${t}."createdAt" DESC, ${t}.id DESC`,
      cursor: idCursor,
      absentArgs: ['filter'],
    }),
    timeline: connection({
      table: 'TimelineEvent',
      where: ofPerson,
      orderBy: (t) => `${t}."occurredAt" DESC, ${t}.id DESC`,
      cursor: idCursor,
      absentArgs: ['types', 'occurredAfter', 'occurredBefore'],
    }),
    fields: connection({ table: 'PersonFieldValue', where: ofPerson, orderBy: (t) => `${t}."fieldId"`, cursor: tupleCursor(['personId', 'fieldId']) }),
    interactionMetadata,
    avatarUrl,
  },
});
