import { printSubgraphSchema } from '@apollo/subgraph';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import {
  type ASTNode,
  type FieldDefinitionNode,
  type GraphQLAbstractType,
  type GraphQLFieldConfigArgumentMap,
  GraphQLInterfaceType,
  GraphQLObjectType,
  type GraphQLSchema,
  type GraphQLTypeResolver,
  GraphQLUnionType,
  isAbstractType,
  isInterfaceType,
  isObjectType,
  Kind,
  visit,
} from 'graphql';

/** Relay's entry points, which only one subgraph of a supergraph can own (see federationSchema). */
const leftOutQueryFields = new Set(['node', 'nodes']);

/** Where a type's name appears in SDL: a reference, or the definition itself. */
const renamedNameKinds = new Set<string>([Kind.NAMED_TYPE, Kind.OBJECT_TYPE_DEFINITION, Kind.INTERFACE_TYPE_DEFINITION]);

/**
 * The schema a federation gateway gets (served at /subgraph, see src/yoga.ts): the public schema
 * with the two things that cannot compose with other subgraphs changed, the same resolvers.
 *
 * - `Query.node` and `Query.nodes` are left out. Every Relay subgraph has them, and a gateway can
 *   send one `node(id)` to one subgraph only (marked @shareable they do not compose, each
 *   subgraph's Node having other types, and our ids would go to the other subgraph). Our ids are
 *   ours alone to resolve, so through a gateway our objects are reached by their own fields
 *   (`person(id)`, ...) and by `_entities`; the `Node` interface stays (interfaces merge).
 * - The error types (the `Error` interface, every type implementing it, `FieldError`) get a prefix:
 *   other subgraphs have their own `Error`, `ValidationError` or `FieldError` in other shapes (an
 *   interface here, an object there), which no directive reconciles. Renaming them only in the
 *   printed SDL would break at query time (the gateway then asks `... on PeopleValidationError`),
 *   so this schema really has the prefixed names, and its type resolvers answer them.
 *
 * It is a schema of its own down to its field objects (mapSchema builds every type again), so
 * that what a plugin sets on a field here (the ftv1 trace wraps every `field.resolve` it finds)
 * never reaches the public schema served at /graphql.
 */
export function federationSchema(publicSchema: GraphQLSchema, typePrefix: string): GraphQLSchema {
  let derived = derivedSchemas.get(publicSchema)?.get(typePrefix);
  if (!derived) {
    derived = deriveFederationSchema(publicSchema, typePrefix);
    derivedSchemas.set(publicSchema, (derivedSchemas.get(publicSchema) ?? new Map()).set(typePrefix, derived));
  }
  return derived;
}

/** The default prefix: our error types are PeopleError, PeopleValidationError, ... to a gateway. */
export const defaultFederationTypePrefix = 'People';

/** One derived schema per public schema and prefix: every app of a process (and every test) shares it. */
const derivedSchemas = new WeakMap<GraphQLSchema, Map<string, GraphQLSchema>>();

function deriveFederationSchema(publicSchema: GraphQLSchema, typePrefix: string): GraphQLSchema {
  const renamed = errorTypeNames(publicSchema);
  const newName = (name: string) => (renamed.has(name) ? `${typePrefix}${name}` : name);
  let sdl = '';
  // Apollo's printer prints from the AST nodes Pothos attaches (they carry the directives), so
  // the names they mention are renamed too.
  const renameAst = <Node extends ASTNode>(node: Node | null | undefined): Node | undefined =>
    node
      ? (visit(node, {
          Name: (name, _key, parent) =>
            renamed.has(name.value) && parent && 'kind' in parent && renamedNameKinds.has(parent.kind)
              ? { ...name, value: newName(name.value) }
              : undefined,
        }) as Node)
      : undefined;
  const renameFields = <Fields extends Record<string, { astNode?: FieldDefinitionNode | null }>>(fields: Fields): Fields =>
    Object.fromEntries(Object.entries(fields).map(([key, field]) => [key, { ...field, astNode: renameAst(field.astNode) }])) as Fields;
  const mapped = mapSchema(publicSchema, {
    [MapperKind.OBJECT_TYPE]: (type) => {
      const config = type.toConfig();
      if (type.name !== publicSchema.getQueryType()?.name) {
        return new GraphQLObjectType({ ...config, name: newName(type.name), astNode: renameAst(config.astNode), fields: renameFields(config.fields) });
      }
      const fields = Object.entries(config.fields)
        .filter(([name]) => !leftOutQueryFields.has(name))
        .map(([name, field]) => {
          if (name === '_service') return [name, { ...field, resolve: () => ({ sdl }) }] as const;
          return [name, name === '_entities' ? withBatchBound(field) : field] as const;
        });
      const astNode = renameAst(config.astNode);
      return new GraphQLObjectType({
        ...config,
        astNode: astNode && { ...astNode, fields: astNode.fields?.filter((field) => !leftOutQueryFields.has(field.name.value)) },
        fields: renameFields(Object.fromEntries(fields)),
      });
    },
    [MapperKind.INTERFACE_TYPE]: (type) => {
      const config = type.toConfig();
      return new GraphQLInterfaceType({ ...config, name: newName(type.name), astNode: renameAst(config.astNode), fields: renameFields(config.fields) });
    },
    [MapperKind.UNION_TYPE]: (type) => new GraphQLUnionType({ ...type.toConfig(), astNode: renameAst(type.astNode) }),
  });
  // Pothos' and Apollo's type resolvers answer with the public names.
  for (const type of Object.values(mapped.getTypeMap())) {
    if (isAbstractType(type) && type.resolveType) (type as GraphQLAbstractType).resolveType = renamedResolver(type.resolveType, newName);
  }
  sdl = printSubgraphSchema(mapped);
  return mapped;
}

/**
 * A gateway sends every reference of one fetch in one `_entities` call (a list of 500 deals gives
 * 500 Person representations), so here it may hold more than a client's list argument may; what
 * is selected beneath still costs once per representation (src/http/limits.ts).
 */
export const representationsPerCall = 1_000;

function withBatchBound<Field extends { args?: GraphQLFieldConfigArgumentMap }>(field: Field): Field {
  const representations = field.args?.representations;
  if (!representations) return field;
  return {
    ...field,
    args: { ...field.args, representations: { ...representations, extensions: { ...representations.extensions, maxItems: representationsPerCall } } },
  };
}

/** The `Error` interface, the types implementing it, and the types only they use (FieldError). */
function errorTypeNames(schema: GraphQLSchema): Set<string> {
  const errorInterface = schema.getType('Error');
  if (!isInterfaceType(errorInterface)) return new Set();
  const names = new Set([errorInterface.name, ...schema.getPossibleTypes(errorInterface).map((type) => type.name)]);
  const fieldError = schema.getType('FieldError');
  if (isObjectType(fieldError)) names.add(fieldError.name);
  return names;
}

function renamedResolver(
  resolve: GraphQLTypeResolver<unknown, unknown>,
  newName: (name: string) => string,
): GraphQLTypeResolver<unknown, unknown> {
  return (value, context, info, abstractType) => {
    const name = resolve(value, context, info, abstractType);
    return isPromise(name) ? name.then((resolved) => resolved && newName(resolved)) : name && newName(name);
  };
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as Promise<T> | undefined)?.then === 'function';
}
