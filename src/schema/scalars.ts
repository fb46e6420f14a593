import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { builder } from '../builder.ts';
import type { InputJsonValue } from '../generated/prisma/internal/prismaNamespace.ts';
import { parseCalendarDate } from '../services/validation.ts';

builder.scalarType('DateTime', {
  description: 'An instant, as an ISO 8601 string with a time zone, e.g. 2026-11-23T10:15:00.000Z.',
  serialize: (value) => (value as Date).toISOString(),
  parseValue: (value) => parseDateTime(value),
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('Date', {
  description: 'A calendar date, YYYY-MM-DD.',
  serialize: (value) => (value as Date).toISOString().slice(0, 10),
  parseValue: (value) => parseDate(value),
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value as InputJsonValue,
  parseLiteral: (ast, variables) => literalToJson(ast, variables) as InputJsonValue,
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

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new GraphQLError(`DateTime must be an ISO 8601 date and time, got ${JSON.stringify(value)}.`);
  }
  return date;
}

function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? parseCalendarDate(value) : undefined;
  if (!date) throw new GraphQLError(`Date must be a real date as YYYY-MM-DD, got ${JSON.stringify(value)}.`);
  return date;
}

function literalToJson(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
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
      return ast.values.map((item) => literalToJson(item, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((field) => [field.name.value, literalToJson(field.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value] ?? null;
    case Kind.ENUM:
      return ast.value;
  }
}
