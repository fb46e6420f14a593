import {
  type FieldNode,
  type FragmentDefinitionNode,
  getArgumentValues,
  getDirectiveValues,
  GraphQLIncludeDirective,
  type GraphQLObjectType,
  type GraphQLSchema,
  GraphQLSkipDirective,
  isAbstractType,
  Kind,
  type SelectionSetNode,
  type GraphQLField,
} from 'graphql';

/** Why a selection cannot be compiled; the resolvers as they are answer it instead. */
export class Unsupported extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/** One response key of a selection: the field, its arguments as executed, and its own merged nodes. */
export interface SelectedField {
  responseKey: string;
  field: GraphQLField<unknown, unknown>;
  args: Record<string, unknown>;
  nodes: FieldNode[];
}

export interface SelectionContext {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
}

/**
 * The fields selected on an object type under `nodes`, keyed by response key, as graphql-js's
 * collectFields sees them: fragments spread, type conditions checked, @include/@skip honoured,
 * arguments coerced with the variables. `__typename` is answered by the executor itself.
 */
export function selectFields(ctx: SelectionContext, type: GraphQLObjectType, nodes: readonly FieldNode[]): SelectedField[] {
  const byKey = new Map<string, FieldNode[]>();
  const visited = new Set<string>();
  const collect = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (!included(ctx, selection)) continue;
      switch (selection.kind) {
        case Kind.FIELD: {
          const key = selection.alias?.value ?? selection.name.value;
          const list = byKey.get(key);
          if (list) list.push(selection);
          else byKey.set(key, [selection]);
          break;
        }
        case Kind.INLINE_FRAGMENT:
          if (!selection.typeCondition || applies(ctx, selection.typeCondition.name.value, type)) collect(selection.selectionSet);
          break;
        case Kind.FRAGMENT_SPREAD: {
          const name = selection.name.value;
          if (visited.has(name)) break;
          visited.add(name);
          const fragment = ctx.fragments[name];
          if (fragment && applies(ctx, fragment.typeCondition.name.value, type)) collect(fragment.selectionSet);
          break;
        }
      }
    }
  };
  for (const node of nodes) if (node.selectionSet) collect(node.selectionSet);

  const fields: SelectedField[] = [];
  const definitions = type.getFields();
  for (const [responseKey, fieldNodes] of byKey) {
    const name = fieldNodes[0]!.name.value;
    if (name === '__typename') continue;
    const field = definitions[name];
    if (!field) throw new Unsupported(`${type.name}.${name} is unknown`);
    let args: Record<string, unknown>;
    try {
      args = getArgumentValues(field, fieldNodes[0]!, ctx.variables);
    } catch {
      throw new Unsupported('bad arguments');
    }
    fields.push({ responseKey, field: field as GraphQLField<unknown, unknown>, args, nodes: fieldNodes });
  }
  return fields;
}

function included(ctx: SelectionContext, node: Parameters<typeof getDirectiveValues>[1]): boolean {
  if (!node.directives?.length) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, ctx.variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, ctx.variables)?.if !== false;
}

function applies(ctx: SelectionContext, condition: string, type: GraphQLObjectType): boolean {
  if (condition === type.name) return true;
  const conditionType = ctx.schema.getType(condition);
  return conditionType !== undefined && isAbstractType(conditionType) && ctx.schema.isSubType(conditionType, type);
}

/** The names of the variables used anywhere under these nodes (fragments included): what a plan depends on. */
export function variablesUsed(nodes: readonly FieldNode[], fragments: Record<string, FragmentDefinitionNode>): string[] {
  const names = new Set<string>();
  const seen = new Set<string>();
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const node = value as { kind?: string; name?: { value: string } };
    if (node.kind === Kind.VARIABLE && node.name) names.add(node.name.value);
    if (node.kind === Kind.FRAGMENT_SPREAD && node.name && !seen.has(node.name.value)) {
      seen.add(node.name.value);
      walk(fragments[node.name.value]);
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'loc') walk(child);
  };
  for (const node of nodes) walk(node.selectionSet);
  return [...names].sort();
}
