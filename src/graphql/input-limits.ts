import {
  type DocumentNode,
  type FragmentDefinitionNode,
  getArgumentValues,
  getNamedType,
  getNullableType,
  GraphQLError,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/**
 * Bounds on what the arguments of a read may hold, checked for the whole operation before any
 * resolver runs (so before any SQL): every list, the text of searches and filters, and how deep
 * and how large a filter may grow. Mutations' own inputs are left to their services, which
 * answer each bound with a typed ValidationError; the fields read beneath a mutation are checked.
 */
export const inputLimits = {
  /** Items in any list argument (ids, `in`, identifiers...), unless the argument says otherwise. */
  listItems: 100,
  /** Characters in a search or filter text (`q`, `contains`, titles, identifiers). */
  searchText: 200,
  /** Characters in an ID: a global id is about 50. */
  idLength: 200,
  /** How many PersonFilters may nest inside each other through and/or/not (the top one counts). */
  filterNesting: 10,
  /** PersonFilters in one argument, at every depth: each `q` in them costs a statement. */
  filters: 50,
  /** Custom field conditions in one argument, at every depth: each costs a statement. */
  customFieldConditions: 20,
};

/** Extensions an argument or input field may declare (`extensions: searchTextBound`). */
type FieldBounds = {
  /** Most items in the list (default inputLimits.listItems). */
  maxItems?: number;
  /** Most characters in the text, or in each text of the list. */
  maxLength?: number;
};

/** Extensions an input object type may declare. */
type TypeBounds = {
  /** How many of this type may nest inside each other in one argument. */
  maxNesting?: number;
  /** How many of this type one argument may hold, at every depth. */
  maxPerArgument?: number;
};

export const searchTextBound: FieldBounds = { maxLength: inputLimits.searchText };

const maxErrors = 10;

type BoundKind = 'items' | 'length' | 'nesting' | 'count';

interface ArgumentCheck {
  coordinate: string;
  errors: GraphQLError[];
  /** The input object types on the way to the current value, with how often each occurs. */
  nesting: Map<string, number>;
  counts: Map<GraphQLNamedType, number>;
}

/**
 * Every bound the arguments of `operation` break, as BAD_USER_INPUT errors naming the field, the
 * argument's path, the bound and what was given. `variableValues` are the coerced ones.
 */
export function inputLimitErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variableValues: Record<string, unknown>,
): GraphQLError[] {
  const fragments = new Map(
    document.definitions.flatMap((definition) =>
      definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
    ),
  );
  const mutationType = schema.getMutationType();
  const errors: GraphQLError[] = [];
  // A fragment's arguments are the same wherever it is spread: each is checked once.
  const checkedFragments = new Set<string>();

  const visit = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType | null | undefined) => {
    for (const selection of selectionSet.selections) {
      if (errors.length >= maxErrors) return;
      if (selection.kind === Kind.FIELD) {
        const field = isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[selection.name.value] : undefined;
        // __typename, __schema and __type are not fields of the type; their arguments are names.
        if (!field) continue;
        if (parentType !== mutationType && field.args.length > 0) {
          checkArguments(field, `${parentType!.name}.${field.name}`, () => getArgumentValues(field, selection, variableValues), errors);
        }
        if (selection.selectionSet) visit(selection.selectionSet, getNamedType(field.type));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet, selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType);
      } else {
        const fragment: FragmentDefinitionNode | undefined = fragments.get(selection.name.value);
        if (!fragment || checkedFragments.has(fragment.name.value)) continue;
        checkedFragments.add(fragment.name.value);
        visit(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value));
      }
    }
  };
  visit(operation.selectionSet, schema.getRootType(operation.operation));
  return errors;
}

function checkArguments(
  field: GraphQLField<unknown, unknown>,
  coordinate: string,
  argumentValues: () => Record<string, unknown>,
  errors: GraphQLError[],
): void {
  let values: Record<string, unknown>;
  try {
    values = argumentValues();
  } catch {
    return; // A value that does not coerce is execution's error to report.
  }
  for (const argument of field.args) {
    const check: ArgumentCheck = { coordinate, errors, nesting: new Map(), counts: new Map() };
    checkValue(values[argument.name], argument.type, argument.extensions as FieldBounds, [argument.name], check);
    for (const [type, count] of check.counts) {
      const max = (type.extensions as TypeBounds).maxPerArgument;
      if (max !== undefined && count > max) {
        report(check, 'count', [argument.name], `holds ${count} ${type.name} objects`, max, count);
      }
    }
  }
}

function checkValue(value: unknown, type: GraphQLInputType, bounds: FieldBounds, path: string[], check: ArgumentCheck): void {
  if (value === null || value === undefined || check.errors.length >= maxErrors) return;
  const nullable = getNullableType(type);
  if (isListType(nullable) && Array.isArray(value)) {
    const max = bounds.maxItems ?? inputLimits.listItems;
    if (value.length > max) {
      report(check, 'items', path, `has ${value.length} items`, max, value.length);
      return;
    }
    value.forEach((item, index) => checkValue(item, nullable.ofType as GraphQLInputType, bounds, [...path, String(index)], check));
    return;
  }
  if (isInputObjectType(nullable)) {
    const typeBounds = nullable.extensions as TypeBounds;
    const depth = (check.nesting.get(nullable.name) ?? 0) + 1;
    if (typeBounds.maxNesting !== undefined && depth > typeBounds.maxNesting) {
      report(check, 'nesting', [path[0]!], `nests ${nullable.name} more than ${typeBounds.maxNesting} deep`, typeBounds.maxNesting);
      return;
    }
    check.counts.set(nullable, (check.counts.get(nullable) ?? 0) + 1);
    check.nesting.set(nullable.name, depth);
    const fields = value as Record<string, unknown>;
    for (const field of Object.values(nullable.getFields())) {
      checkValue(fields[field.name], field.type, field.extensions as FieldBounds, [...path, field.name], check);
    }
    check.nesting.set(nullable.name, depth - 1);
    return;
  }
  if (typeof value === 'string') {
    const max = bounds.maxLength ?? (getNamedType(nullable).name === 'ID' ? inputLimits.idLength : undefined);
    if (max !== undefined && value.length > max) report(check, 'length', path, `has ${value.length} characters`, max, value.length);
  }
}

function report(check: ArgumentCheck, kind: BoundKind, argument: string[], what: string, max: number, measure?: number): void {
  const allowed = kind === 'nesting' ? '.' : `; at most ${max} are allowed.`;
  check.errors.push(
    new GraphQLError(`Argument "${argument.join('.')}" of ${check.coordinate} ${what}${allowed}`, {
      extensions: { code: 'BAD_USER_INPUT', kind, field: check.coordinate, argument, ...(measure === undefined ? {} : { measure }), max },
    }),
  );
}

/**
 * The largest CSV an import takes. A CSV of 10,000 rows is about 1.5 MB; this leaves room for wide
 * rows and still bounds memory. Here rather than in imports/ because the transport checks it too,
 * before it reads an upload's body (http/limits.ts).
 */
export const maxCsvBytes = 20 * 1024 * 1024;
