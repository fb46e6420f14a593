import { decodeCursorChunk } from '@pothos/core';
import {
  type DocumentNode,
  type FieldNode,
  getNamedType,
  GraphQLError,
  type GraphQLField,
  type GraphQLSchema,
  isUnionType,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  type ValueNode,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import type { OperationCheck } from './auth.ts';
import type { FieldIssue } from '../shared/errors.ts';
import { textIssues } from '../shared/text-values.ts';

/**
 * Values no resolver should ever see, refused before execution as one BAD_USER_INPUT error whose
 * `fieldErrors` give the field and the argument path of each: text the database cannot store
 * (U+0000, lone surrogates) in any argument at any depth, literal or variable, and cursors of the
 * library connections that are not ones they issue. Checking here, once, covers every path,
 * nested fields included: plugin-prisma reads a nested connection's arguments and cursor while it
 * plans its parent's query, before that field's own resolver could look at them.
 *
 * Root mutations that answer a ValidationError are left to graphql/text-check.ts, which answers it
 * as that typed result. The people connection checks its own (signed, typed) cursors.
 */
export function useBadValueCheck(): Plugin<GraphQLContext> {
  const plans = new WeakMap<DocumentNode, Map<string, ArgumentUse[]>>();
  const check: OperationCheck = ({ args, setResultAndStopExecution }) => {
    const operationName = args.operationName ?? '';
    let byOperation = plans.get(args.document);
    if (!byOperation) plans.set(args.document, (byOperation = new Map()));
    let uses = byOperation.get(operationName);
    if (!uses) byOperation.set(operationName, (uses = planArguments(args.schema, args.document, args.operationName)));
    if (uses.length === 0) return;

    const variables = (args.variableValues ?? {}) as Record<string, unknown>;
    const issues: (FieldIssue & { field: string })[] = [];
    for (const use of uses) {
      // The first few say enough: a document of many aliased fields cannot make a huge answer.
      if (issues.length >= maxIssues) break;
      const value = valueOf(use.value, variables, use.defaults);
      if (use.checkText) {
        for (const issue of textIssues(value, [use.argument])) issues.push({ field: use.field, ...issue });
      }
      if (use.cursor && typeof value === 'string' && !isLibraryCursor(value, use.cursor)) {
        issues.push({ field: use.field, path: [use.argument], message: 'Not a valid cursor: give one this connection returned.' });
      }
    }
    if (issues.length === 0) return;
    const [first] = issues;
    const message =
      issues.length === 1 ? `${first!.field}(${first!.path.join('.')}): ${first!.message}` : `The arguments have ${issues.length} bad values.`;
    setResultAndStopExecution({
      errors: [new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', fieldErrors: issues } })],
    });
  };
  return { onExecute: check, onSubscribe: check };
}

const maxIssues = 20;

interface ArgumentUse {
  /** The field's schema coordinate, e.g. Person.notes. */
  field: string;
  argument: string;
  value: ValueNode;
  defaults: ReadonlyMap<string, ValueNode>;
  checkText: boolean;
  /** For a cursor of a plugin-prisma or array connection: the form it must have (see isLibraryCursor). */
  cursor: LibraryCursor | undefined;
}

/** The arguments of one operation of a document, found once per document (yoga caches parsed documents). */
function planArguments(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): ArgumentUse[] {
  const operations = document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((op) => op.name?.value === operationName) : operations[0];
  if (!operation) return [];
  const defaults = new Map(
    (operation.variableDefinitions ?? []).flatMap((definition) =>
      definition.defaultValue ? [[definition.variable.name.value, definition.defaultValue] as const] : [],
    ),
  );
  const mutationType = schema.getMutationType();
  const uses: ArgumentUse[] = [];
  const typeInfo = new TypeInfo(schema);
  const visitor = visitWithTypeInfo(typeInfo, {
    Field(node: FieldNode) {
      const field = typeInfo.getFieldDef();
      const parent = typeInfo.getParentType();
      if (!field || !parent || !node.arguments?.length) return;
      const typedMutation = parent === mutationType && answersValidationError(field);
      const connection = field.args.some((arg) => arg.name === 'first' || arg.name === 'last');
      for (const argument of node.arguments) {
        const name = argument.name.value;
        const cursor = connection && (name === 'after' || name === 'before') ? libraryCursorOf(field) : undefined;
        if (typedMutation && !cursor) continue;
        uses.push({ field: `${parent.name}.${field.name}`, argument: name, value: argument.value, defaults, checkText: !typedMutation, cursor });
      }
    },
  });
  // Fragments are visited where they are defined: their arguments are the same wherever they are spread.
  for (const definition of document.definitions) {
    if (definition === operation || definition.kind === Kind.FRAGMENT_DEFINITION) visit(definition, visitor);
  }
  return uses;
}

function answersValidationError(field: GraphQLField<unknown, unknown>): boolean {
  const type = getNamedType(field.type);
  return isUnionType(type) && type.getTypes().some((member) => member.name === 'ValidationError');
}

/** An argument's value as the client sent it: a literal, or a variable's raw value (or its default). */
function valueOf(node: ValueNode, variables: Record<string, unknown>, defaults: ReadonlyMap<string, ValueNode>): unknown {
  switch (node.kind) {
    case Kind.VARIABLE: {
      const name = node.name.value;
      if (Object.hasOwn(variables, name)) return variables[name];
      const fallback = defaults.get(name);
      return fallback ? valueOf(fallback, variables, defaults) : undefined;
    }
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.LIST:
      return node.values.map((item) => valueOf(item, variables, defaults));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, valueOf(field.value, variables, defaults)]));
    default:
      return null;
  }
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The cursors the library connections issue: plugin-prisma's (`GPC:` and a tagged chunk of the
 * cursor columns, which are ids, uuids, everywhere in this schema) and plugin-relay's array
 * offsets. Any other value would reach the database as a wrongly typed key (a masked error) or
 * come back as an error without a code.
 */
type LibraryCursor = { form: 'offset' } | { form: 'ids'; keys: number };

/**
 * A connection's cursor form, from its field's extensions: `cursorForm: 'keyset'` (people, which
 * checks its own), `'offset'` (an array connection), or by default plugin-prisma's, of
 * `cursorKeys` ids (1 when absent).
 */
function libraryCursorOf(field: GraphQLField<unknown, unknown>): LibraryCursor | undefined {
  const form = field.extensions?.cursorForm;
  if (form === 'keyset') return undefined;
  if (form === 'offset') return { form: 'offset' };
  return { form: 'ids', keys: (field.extensions?.cursorKeys as number | undefined) ?? 1 };
}

function isLibraryCursor(cursor: string, expected: LibraryCursor): boolean {
  const decoded = Buffer.from(cursor, 'base64').toString('utf8');
  if (expected.form === 'offset') return /^OffsetConnection:\d{1,9}$/.test(decoded);
  const keys = expected.keys;
  if (!decoded.startsWith('GPC:')) return false;
  try {
    const value = decodeCursorChunk(decoded.slice('GPC:'.length)) as unknown;
    const isId = (id: unknown) => typeof id === 'string' && uuid.test(id);
    // One id is a plain chunk; several are a tuple of as many.
    return keys === 1 ? isId(value) : Array.isArray(value) && value.length === keys && value.every(isId);
  } catch {
    return false;
  }
}
