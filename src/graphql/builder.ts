import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import DirectivesPlugin from '@pothos/plugin-directives';
import ErrorsPlugin from '@pothos/plugin-errors';
import FederationPlugin from '@pothos/plugin-federation';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import type { GraphQLContext } from './context.ts';
import type { Company, Person } from '../generated/prisma/client.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import type PrismaTypes from '../generated/pothos-prisma-types.ts';
import { getDatamodel } from '../generated/pothos-prisma-types.ts';
import { assertNodeType, decodeArgumentGlobalId } from './node-ids.ts';
import { defaultPageSize, fieldCost, maxPageSize, PageSizePlugin } from './pagination.ts';
import { MutationTextCheckPlugin } from './text-check.ts';
import { actorScopes, type RoleScopes, unauthorizedError } from './roles.ts';

/** Plugins and scalars only; the types live in schema/, one file each. */
export interface BuilderOptions {
  Context: GraphQLContext;
  PrismaTypes: PrismaTypes;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: false;
  AuthScopes: RoleScopes;
  /**
   * Types named by string where a domain below people returns one (a tag's untagPerson, a field's
   * setPersonField): the people domain defines them, and the domains it builds on cannot import it.
   */
  Objects: {
    Person: Person;
    Company: Company;
  };
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    Date: { Input: Date; Output: Date };
    JSON: { Input: InputJsonValue; Output: unknown };
    // An upload (GraphQL multipart request spec), which yoga hands over as a web File.
    File: { Input: File; Output: never };
  };
}

/**
 * What one operation may ask for, checked before it runs (src/http/limits.ts; see fieldCost). A page
 * of 50 people with their companies, tags, groups, notes, timeline and field values (the
 * benchmark's) costs 17,301, a page of 100 of them 34,601; 100 people with 100 tags each and the
 * tags' people again would cost over a million.
 */
export const queryLimits = { complexity: 50_000, depth: 15, breadth: 1_000 };

export const builder = new SchemaBuilder<BuilderOptions>({
  // The federation plugin reads the directives plugin's output, so it comes after it. The role
  // check and the mutation text check come after the errors plugin, which turns their
  // ForbiddenError and ValidationError into data; the role check comes first, so a viewer is told
  // no before being told what is wrong with their input.
  plugins: [ComplexityPlugin, PageSizePlugin, ErrorsPlugin, ScopeAuthPlugin, MutationTextCheckPlugin, DirectivesPlugin, SimpleObjectsPlugin, RelayPlugin, PrismaPlugin, DataloaderPlugin, FederationPlugin],
  defaultFieldNullability: false,
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    // A relation read without spreading `query` would silently cost one more SQL statement per row.
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'error',
    maxConnectionSize: maxPageSize,
    defaultConnectionSize: defaultPageSize,
  },
  relay: {
    clientMutationId: 'omit',
    // Every connection also offers `nodes`, for clients that need no cursors.
    nodesOnConnection: true,
    // Every Relay subgraph defines PageInfo; federation lets them share it only when all mark it so.
    pageInfoTypeOptions: { shareable: true },
    cursorType: 'String',
    decodeGlobalID: decodeArgumentGlobalId,
    nodeQueryOptions: {
      description: 'Any object by its global id; null when it does not exist or is not yours.',
      resolve: (_root, { id }, _context, info, resolveNode) => {
        assertNodeType(id, info);
        return resolveNode(id);
      },
    },
    nodesQueryOptions: {
      description: 'Objects by their global ids, in the same order; null for each that does not exist.',
      resolve: (_root, { ids }, _context, info, resolveNodes) => {
        for (const id of ids) assertNodeType(id, info);
        return resolveNodes(ids);
      },
    },
  },
  errors: {
    defaultTypes: [],
  },
  scopeAuth: {
    authScopes: actorScopes,
    unauthorizedError,
  },
  complexity: {
    fieldComplexity: fieldCost,
    // queryLimits are checked for the whole operation before it runs, by src/http/limits.ts. That
    // covers `_entities` too: it is no Pothos field, so the plugin's own check, made as each Pothos
    // root field resolves, never ran for an operation of `_entities` alone.
    disabled: true,
  },
});

// Who may use a field (src/graphql/roles.ts): every query needs a key (any role), every mutation
// an editor's unless its field says otherwise.
builder.queryType({ authScopes: { viewer: true } });
builder.mutationType({ authScopes: { editor: true } });

/** The builder's full type map, for helpers that build fields outside a type's own definition. */
export type BuilderTypes = PothosSchemaTypes.ExtendDefaultTypes<BuilderOptions>;
