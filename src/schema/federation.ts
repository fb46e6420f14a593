import { createContextCache } from '@pothos/core';
import { queryFromInfo, type SelectionMap } from '@pothos/plugin-prisma';
import DataLoader from 'dataloader';
import { GraphQLError, type GraphQLResolveInfo, type GraphQLSchema, isUnionType, type ResponsePath } from 'graphql';
import { builder } from '../graphql/builder.ts';
import { type GraphQLContext, organizationOf, serviceContext } from '../graphql/context.ts';
import { visibleNotesWhere } from '../notes/index.ts';
import { Company } from '../people/index.ts';
import { CustomField } from '../fields/index.ts';
import { Group } from '../groups/index.ts';
import { GroupCategory } from '../groups/index.ts';
import { localId } from '../graphql/ids.ts';
import { Import } from '../imports/index.ts';
import { Merge } from '../merges/index.ts';
import { Note } from '../notes/index.ts';
import { NoteCategory } from '../notes/index.ts';
import { fieldCost } from '../graphql/pagination.ts';
import { Person } from '../people/index.ts';
import { Project } from '../projects/index.ts';
import { Tag } from '../tags/index.ts';
import { TimelineEvent } from '../timeline/index.ts';
import { User } from '../accounts/index.ts';

/**
 * Every Node is an Apollo Federation entity keyed by its global id: another subgraph stores and
 * sends the same opaque `id` a client sees, so one id names one object everywhere. A reference
 * resolves only within the caller's organisation; any other id gives null, as node(id) does.
 */
const globalIdKey = builder.selection<{ id: string }>('id');

type EntityQuery = Pick<SelectionMap, 'select' | 'include'>;
type LoadRows<Row> = (ctx: GraphQLContext, keys: string[], query: EntityQuery) => Promise<Row[]>;

const entityLoaders = createContextCache(() => new Map<string, DataLoader<string, unknown>>());

/**
 * resolveReference runs once per representation: the references of one type by one key in one
 * `_entities` field share a DataLoader, so they cost one statement together, with everything
 * selected beneath them planned into it (as node(id) does) rather than fetched again per entity.
 * A key value that more than one row has (a Person's externalId may repeat) names no one: null.
 */
function loadReference<Row extends Record<string, unknown>>(
  ctx: GraphQLContext,
  info: GraphQLResolveInfo,
  typename: string,
  column: string & keyof Row,
  value: string,
  loadRows: LoadRows<Row>,
): Promise<Row | null> {
  const loaders = entityLoaders(ctx);
  const key = `${typename}.${column}@${responseKey(info.path)}`;
  let loader = loaders.get(key) as DataLoader<string, Row | null> | undefined;
  if (!loader) {
    const query = withColumn(queryFromInfo({ context: ctx, info, typeName: typename }), column);
    loader = new DataLoader<string, Row | null>(async (values) => {
      const rows = await loadRows(ctx, [...values], query);
      const matches = new Map<unknown, Row[]>();
      for (const row of rows) matches.set(row[column], [...(matches.get(row[column]) ?? []), row]);
      return values.map((value) => {
        const found = matches.get(value) ?? [];
        return found.length === 1 ? found[0]! : null;
      });
    });
    loaders.set(key, loader as DataLoader<string, unknown>);
  }
  return loader.load(value);
}

/** Resolves a reference by the global id, to a row of this type in the caller's reach. */
function referenceResolver<Row extends { id: string }>(typename: string, loadRows: LoadRows<Row>) {
  return ({ id }: { id: string }, ctx: GraphQLContext, info: GraphQLResolveInfo): Promise<Row | null> | null => {
    const rowId = typeof id === 'string' ? localId(id, typename) : undefined;
    if (rowId === undefined) return null;
    return loadReference(ctx, info, typename, 'id', rowId, loadRows);
  };
}

/** Rows are matched to their references by the key column, selected even when no one asked for it. */
function withColumn(query: EntityQuery, column: string): EntityQuery {
  return query.select ? { ...query, select: { ...query.select, [column]: true } } : query;
}

/** The field's path without list indices: an aliased second `_entities` gets loaders of its own. */
function responseKey(path: ResponsePath | undefined): string {
  const keys: string[] = [];
  for (let link = path; link; link = link.prev) if (typeof link.key === 'string') keys.unshift(link.key);
  return keys.join('.');
}

const inOrganization = (ctx: GraphQLContext, ids: string[]) => ({ id: { in: ids }, organizationId: organizationOf(ctx) });

/**
 * A Person is also found by its externalId (the id another system gave it), within the caller's
 * organisation like every reference. External ids are not unique (imports report a row that
 * matches several people), so one that several people share resolves to null, never to one of them.
 */
const externalIdKey = builder.selection<{ externalId: string }>('externalId');
const personById = referenceResolver('Person', (ctx, ids, query) =>
  ctx.prisma.person.findMany({ ...query, where: inOrganization(ctx, ids) }),
);

builder.asEntity(Person, {
  key: [globalIdKey, externalIdKey],
  resolveReference: (reference, ctx, info) => {
    if ('id' in reference) return personById(reference, ctx, info);
    const { externalId } = reference as { externalId?: unknown };
    if (typeof externalId !== 'string' || externalId === '') return null;
    return loadReference(ctx, info, 'Person', 'externalId', externalId, (ctx, externalIds, query) =>
      ctx.prisma.person.findMany({ ...query, where: { organizationId: organizationOf(ctx), externalId: { in: externalIds } } }),
    );
  },
});

builder.asEntity(Group, {
  key: globalIdKey,
  resolveReference: referenceResolver('Group', (ctx, ids, query) =>
    ctx.prisma.group.findMany({ ...query, where: inOrganization(ctx, ids) }),
  ),
});

builder.asEntity(GroupCategory, {
  key: globalIdKey,
  resolveReference: referenceResolver('GroupCategory', (ctx, ids, query) =>
    ctx.prisma.groupCategory.findMany({ ...query, where: inOrganization(ctx, ids) }),
  ),
});

builder.asEntity(Project, {
  key: globalIdKey,
  resolveReference: referenceResolver('Project', (ctx, ids, query) =>
    ctx.prisma.project.findMany({ ...query, where: inOrganization(ctx, ids) }),
  ),
});

builder.asEntity(Tag, {
  key: globalIdKey,
  resolveReference: referenceResolver('Tag', (ctx, ids, query) =>
    ctx.prisma.tag.findMany({ ...query, where: inOrganization(ctx, ids) }),
  ),
});

// Someone else's private note does not exist for the caller, here as everywhere.
builder.asEntity(Note, {
  key: globalIdKey,
  resolveReference: referenceResolver('Note', (ctx, ids, query) =>
    ctx.prisma.note.findMany({ ...query, where: { id: { in: ids }, ...visibleNotesWhere(serviceContext(ctx).actor) } }),
  ),
});

builder.asEntity(NoteCategory, {
  key: globalIdKey,
  resolveReference: referenceResolver('NoteCategory', (ctx, ids, query) =>
    ctx.prisma.noteCategory.findMany({ ...query, where: inOrganization(ctx, ids) }),
  ),
});

builder.asEntity(CustomField, {
  key: globalIdKey,
  resolveReference: referenceResolver('CustomField', (ctx, ids, query) =>
    ctx.prisma.customField.findMany({ ...query, where: inOrganization(ctx, ids) }),
  ),
});

builder.asEntity(Company, {
  key: globalIdKey,
  resolveReference: referenceResolver('Company', (ctx, ids, query) =>
    ctx.prisma.company.findMany({ ...query, where: inOrganization(ctx, ids) }),
  ),
});

builder.asEntity(User, {
  key: globalIdKey,
  resolveReference: referenceResolver('User', (ctx, ids, query) =>
    ctx.prisma.user.findMany({ ...query, where: inOrganization(ctx, ids) }),
  ),
});

builder.asEntity(TimelineEvent, {
  key: globalIdKey,
  resolveReference: referenceResolver('TimelineEvent', (ctx, ids, query) =>
    ctx.prisma.timelineEvent.findMany({ ...query, where: inOrganization(ctx, ids) }),
  ),
});

builder.asEntity(Merge, {
  key: globalIdKey,
  resolveReference: referenceResolver('Merge', (ctx, ids, query) =>
    ctx.prisma.merge.findMany({ ...query, where: inOrganization(ctx, ids) }),
  ),
});

builder.asEntity(Import, {
  key: globalIdKey,
  resolveReference: referenceResolver('Import', (ctx, ids, query) =>
    ctx.prisma.import.findMany({ ...query, where: inOrganization(ctx, ids) }),
  ),
});

/**
 * `_entities` answers a representation of a type that is not an entity with a clear error, not
 * Apollo's plain Error (which would be masked as unexpected): it is the gateway's mistake to fix.
 * It costs what nodes(ids) costs: added by the federation plugin after Pothos built the fields, it
 * gets the cost model here (its selection counts once per representation; see fieldCost), and
 * its representations are a list argument, at most inputLimits.listItems like the ids of nodes.
 */
export function refuseNonEntityRepresentations(schema: GraphQLSchema): GraphQLSchema {
  const entitiesField = schema.getQueryType()?.getFields()._entities;
  const entityUnion = schema.getType('_Entity');
  const resolve = entitiesField?.resolve;
  if (!entitiesField || !resolve || !isUnionType(entityUnion)) return schema;
  entitiesField.extensions = { ...entitiesField.extensions, complexity: fieldCost };
  const entityNames = entityUnion.getTypes().map((type) => type.name);
  entitiesField.resolve = (source, args: { representations: readonly unknown[] }, ctx, info) => {
    for (const representation of args.representations) {
      const typename = typeof representation === 'object' && representation !== null && '__typename' in representation
        ? representation.__typename
        : undefined;
      if (typeof typename !== 'string' || !entityNames.includes(typename)) {
        throw new GraphQLError(
          `${JSON.stringify(typename ?? null)} is not an entity of this subgraph; its entities are ${entityNames.join(', ')}.`,
          { extensions: { code: 'BAD_USER_INPUT' } },
        );
      }
    }
    return resolve(source, args, ctx, info);
  };
  return schema;
}
