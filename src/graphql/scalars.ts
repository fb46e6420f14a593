import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { builder } from './builder.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import { isPlainObject } from '../shared/text-values.ts';
import { parseCalendarDate, parseInstant } from '../shared/validation.ts';

/**
 * Bounds on any JSON argument, far above what a custom field or a filter takes (their own rules
 * are stricter) and low enough that code walking a value (serialising it, comparing it, Prisma)
 * cannot run out of stack: a value nested 10,000 deep is refused here.
 */
export const jsonLimits = { depth: 32, size: 1_000_000 } as const;

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string with a time zone, e.g. 2026-11-23T10:15:00.000Z, from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z.',
  // A compiled read (src/compiled-reads) gives the instant already written so, by PostgreSQL.
  serialize: (value) => (typeof value === 'string' ? value : (value as Date).toISOString()),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('Date', {
  description: 'A calendar date, YYYY-MM-DD, from 0001-01-01 to 9999-12-31.',
  serialize: (value) => (typeof value === 'string' ? value : (value as Date).toISOString().slice(0, 10)),
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('JSON', {
  description: `Any JSON value, nested at most ${jsonLimits.depth} levels deep and at most ${jsonLimits.size.toLocaleString('en')} values and characters in all.`,
  serialize: (value) => value,
  parseValue: (value) => checkJsonShape(value) as InputJsonValue,
  parseLiteral: (ast, variables) => checkJsonShape(literalToJson(ast, variables, 1)) as InputJsonValue,
});

builder.scalarType('File', {
  description: 'A file uploaded with the GraphQL multipart request spec; input only.',
  serialize: () => {
    throw new GraphQLError('A File is input only.');
  },
  parseValue: (value) => {
    // yoga's multipart parser gives a File of @whatwg-node/fetch, which is not Node's File class.
    if (isFile(value)) return value;
    throw new GraphQLError('File must be an upload sent as a multipart request (see the GraphQL multipart request spec).');
  },
  parseLiteral: () => {
    throw new GraphQLError('A File cannot be written in the query: send it as a multipart upload in a variable.');
  },
});

function isFile(value: unknown): value is File {
  const file = value as Partial<File> | null;
  return typeof file === 'object' && file !== null && typeof file.stream === 'function' && typeof file.arrayBuffer === 'function' && typeof file.size === 'number';
}

/** A refused scalar value is the client's mistake; graphql-js names the variable path or the literal. */
function badValue(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

/** A value as it may be quoted in a message: short (it may be anything a client sent). */
function quote(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  return typeof value === 'string' && value.length > 40 ? `${text.slice(0, -1)}..."` : text;
}

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' ? parseInstant(value) : undefined;
  if (!date) {
    throw badValue(`DateTime must be an ISO 8601 date and time with a zone, from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z; got ${quote(value)}.`);
  }
  return date;
}

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? parseCalendarDate(value) : undefined;
  if (!date) throw badValue(`Date must be a real date as YYYY-MM-DD, from 0001-01-01 to 9999-12-31; got ${quote(value)}.`);
  return date;
}

/** Checks depth and size with a stack of its own (no recursion), and returns the value as it is. */
function checkJsonShape(value: unknown): unknown {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 1 }];
  let size = 0;
  while (stack.length > 0) {
    const next = stack.pop()!;
    size += 1 + (typeof next.value === 'string' ? next.value.length : 0);
    const children = Array.isArray(next.value) ? next.value : isPlainObject(next.value) ? Object.entries(next.value).flat() : undefined;
    if (children && children.length > 0) {
      if (next.depth >= jsonLimits.depth) throw badValue(`JSON may nest at most ${jsonLimits.depth} levels deep.`);
      for (const child of children) stack.push({ value: child, depth: next.depth + 1 });
    }
    if (size > jsonLimits.size) throw badValue(`JSON may hold at most ${jsonLimits.size} values and characters.`);
  }
  return value;
}

function literalToJson(ast: ValueNode, variables: Record<string, unknown> | null | undefined, depth: number): unknown {
  if (depth > jsonLimits.depth) throw badValue(`JSON may nest at most ${jsonLimits.depth} levels deep.`);
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((item) => literalToJson(item, variables, depth + 1));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((field) => [field.name.value, literalToJson(field.value, variables, depth + 1)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value] ?? null;
    case Kind.ENUM:
      return ast.value;
  }
}
