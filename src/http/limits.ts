import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { createComplexityRule } from '@pothos/plugin-complexity';
import {
  type DocumentNode,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  parse,
  type SelectionSetNode,
  validate,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { queryLimits } from '../graphql/builder.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { isGraphQLError } from './errors.ts';
import { readBodyUnless } from './read-body.ts';
import { useStrictUtf8 } from './utf8.ts';
import type { OperationCheck } from './auth.ts';
import { inputLimitErrors } from '../graphql/input-limits.ts';
import { useInputNestingLimit } from './input-nesting.ts';
import { maxCsvBytes } from '../graphql/input-limits.ts';

/**
 * Limits on the request and its document, applied as it is read, parsed and validated: before the
 * API key is looked up, so that a request without one costs only a small, bounded amount. (A
 * document's validation is cached by its text, so a client's usual queries pay for it once.)
 */
export const documentLimits = {
  /** Bytes of a request body sent without an Authorization header (introspection is about 2 KB). */
  anonymousBodyBytes: 64 * 1024,
  /**
   * Lexical tokens in a document (GraphiQL's introspection query has under 200). It also bounds
   * nesting: the parser recurses once per level, and 2,000 nested lists overflow its stack.
   */
  tokens: 1_000,
  /** Aliased fields in an operation (aliases of __typename aside). */
  aliases: 30,
  /** Directives in an operation. */
  directives: 50,
  /** `__schema` and `__type` fields in an operation: introspection cannot be multiplied. */
  introspectionFields: 3,
};

/**
 * The largest request body with a key (yoga's maxRequestBodySize, in yoga.ts): the largest upload
 * the API takes (a CSV import of 20 MB) with room for the operation and the multipart framing, so
 * that a file over its own limit (an avatar over 2 MB, a CSV over 20 MB) still reaches its
 * resolver and gets a typed ValidationError, while anything larger is refused with 413 before it
 * is held in memory.
 */
export const maxRequestBodyBytes = maxCsvBytes + 1024 * 1024;

type DocumentLimit = 'tokens' | 'aliases' | 'directives' | 'introspection';

function documentTooComplex(kind: DocumentLimit, message: string, max: number, measure?: number): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: 'QUERY_TOO_COMPLEX', kind, ...(measure === undefined ? {} : { measure }), max },
  });
}

/**
 * The limits of a request before its caller is known, in the order it meets them: the content type
 * and (without a key) the body size as it is read, the nesting of its JSON before it is parsed,
 * tokens as the document is parsed, aliases, directives, introspection and the nesting of values
 * as it is validated. useOperationLimits follows authentication.
 */
export function useRequestLimits(): Plugin[] {
  return [
    useJsonOrMultipartOnly(),
    // A plugin listed later wraps the parsers of those before it: the nesting scan reads the body
    // only once the UTF-8 check and the anonymous limit have (so a multipart form is parsed from
    // bytes known to be UTF-8), and the multipart status fix sees its errors.
    ...useInputNestingLimit(),
    useStrictUtf8(),
    useAnonymousBodyLimit(),
    useMultipartTooLargeStatus(),
    useTokenLimit(),
    useDocumentRules(),
  ];
}

/**
 * Kept by hand because yoga 5.24's multipart parser turns its own maxRequestBodySize error, met
 * while reading a chunked body, into a 400 "invalid multipart data": this restores the 413 it
 * gives every other body over the limit (yoga's message is all that is left to recognise it by).
 */
function useMultipartTooLargeStatus(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser }) {
      if (!requestParser || request.method !== 'POST' || !(request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) return;
      const parse = requestParser;
      setRequestParser(async (limited) => {
        try {
          return await parse(limited);
        } catch (error) {
          if (error instanceof Error && error.message.endsWith('invalid multipart data: Request body too large')) {
            throw new GraphQLError('Request body too large', { extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', http: { status: 413 } } });
          }
          throw error;
        }
      });
    },
  };
}

/**
 * Only JSON and multipart (uploads) POST bodies run: a form or text/plain POST, which a browser
 * sends from another site without asking first, is refused with 415 before it is read. (Yoga
 * itself refuses a mutation by GET.)
 */
function useJsonOrMultipartOnly(): Plugin {
  const allowed = ['application/json', 'application/graphql+json', 'multipart/form-data'];
  return {
    onRequestParse({ request }) {
      if (request.method !== 'POST') return;
      const contentType = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (allowed.includes(contentType)) return;
      throw new GraphQLError(
        `Unsupported content type ${JSON.stringify(contentType)}: send application/json, or multipart/form-data for uploads.`,
        { extensions: { code: 'UNSUPPORTED_MEDIA_TYPE', http: { status: 415 } } },
      );
    },
  };
}

function anonymousBodyTooLarge(): GraphQLError {
  return new GraphQLError(
    `Request body too large: without an Authorization header a request may be at most ${documentLimits.anonymousBodyBytes} bytes.`,
    { extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', http: { status: 413 } } },
  );
}

/** A request without a key can only ask about the schema; its body is refused past a small size. */
function useAnonymousBodyLimit(limit = documentLimits.anonymousBodyBytes): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (!requestParser || request.method !== 'POST' || request.headers.has('authorization')) return;
      const contentLength = request.headers.get('content-length');
      if (contentLength !== null && Number(contentLength) > limit) throw anonymousBodyTooLarge();
      const parseRequest = requestParser;
      setRequestParser(async (original) => {
        const body = await readAtMost(original, limit, anonymousBodyTooLarge);
        return parseRequest(new fetchAPI.Request(original.url, { method: original.method, headers: original.headers, body }));
      });
    },
  };
}

/**
 * graphql-js stops parsing at `maxTokens`: 1 MB of `id id id` or 10,000 nested braces are
 * refused at the thousandth token, before they cost memory or overflow the parser's stack.
 */
function useTokenLimit(maxTokens = documentLimits.tokens): Plugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parse(source, { ...options, maxTokens });
        } catch (error) {
          // graphql-js: "Document contains more that 1000 tokens. Parsing aborted."
          if (error instanceof GraphQLError && /\d+ tokens\. Parsing aborted/.test(error.message)) {
            throw documentTooComplex('tokens', `The document has more than ${maxTokens} tokens; at most ${maxTokens} are allowed.`, maxTokens);
          }
          throw error;
        }
      });
    },
  };
}

/**
 * GraphQL Armor's alias and directive limits, with errors in this API's form; and a limit on
 * introspection fields. (graphql-js's own MaxIntrospectionDepthRule already bounds how deep one
 * introspection may go; the query's depth is among queryLimits.)
 */
function useDocumentRules(): Plugin {
  // Armor reports "Syntax Error: Aliases limit of 30 exceeded, found 31."; the count is taken from it.
  const rejectAs = (kind: DocumentLimit, max: number, noun: string) => [
    (context: ValidationContext | null, error: GraphQLError) => {
      const found = /found (\d+)/.exec(error.message)?.[1];
      const measure = found === undefined ? undefined : Number(found);
      const message = `The operation has ${measure ?? `more than ${max}`} ${noun}; at most ${max} are allowed.`;
      context?.reportError(documentTooComplex(kind, message, max, measure));
    },
  ];
  const rules = [
    maxAliasesRule({ n: documentLimits.aliases, propagateOnRejection: false, onReject: rejectAs('aliases', documentLimits.aliases, 'aliases') }),
    maxDirectivesRule({ n: documentLimits.directives, propagateOnRejection: false, onReject: rejectAs('directives', documentLimits.directives, 'directives') }),
    introspectionLimitRule(documentLimits.introspectionFields),
  ];
  return {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule as ValidationRule);
    },
  };
}

/** At most `max` `__schema`/`__type` fields in an operation (they are only valid at its root). */
function introspectionLimitRule(max: number): ValidationRule {
  return (context) => {
    const count = (selectionSet: SelectionSetNode, spreading: Set<string>): number => {
      let total = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          if (selection.name.value === '__schema' || selection.name.value === '__type') total += 1;
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          total += count(selection.selectionSet, spreading);
        } else if (!spreading.has(selection.name.value)) {
          const fragment = context.getFragment(selection.name.value);
          if (fragment) total += count(fragment.selectionSet, new Set([...spreading, selection.name.value]));
        }
      }
      return total;
    };
    return {
      OperationDefinition(operation) {
        const measure = count(operation.selectionSet, new Set());
        if (measure <= max) return;
        context.reportError(
          documentTooComplex('introspection', `The operation asks for introspection (__schema, __type) ${measure} times; at most ${max} are allowed.`, max, measure),
        );
      },
    };
  };
}

/**
 * Once the caller is known (an anonymous operation that is not about the schema has been refused
 * by then): the bounds on every argument of the operation (graphql/input-limits.ts), then its cost
 * against queryLimits, measured by @pothos/plugin-complexity's rule with the fields' cost model.
 * Both before any resolver runs, so a refused operation sends no SQL.
 */
export function useOperationLimits(): Plugin<GraphQLContext> {
  const check: OperationCheck = ({ args, setResultAndStopExecution }) => {
    const operation = getOperationAST(args.document, args.operationName);
    if (!operation) return;
    const rawVariables = (args.variableValues ?? {}) as Record<string, unknown>;
    const variables = getVariableValues(args.schema, operation.variableDefinitions ?? [], rawVariables);
    if (variables.errors) {
      setResultAndStopExecution({ errors: variables.errors.map(variableError) });
      return;
    }
    const inputErrors = inputLimitErrors(args.schema, args.document, operation, variables.coerced);
    if (inputErrors.length > 0) {
      setResultAndStopExecution({ errors: inputErrors });
      return;
    }
    const { errors, complexity } = measureOperation(args.schema, args.document, args.operationName, rawVariables, args.contextValue);
    if (errors.length > 0) {
      setResultAndStopExecution({ errors });
      return;
    }
    if (complexity !== undefined) operationCosts.set(args.contextValue, complexity);
  };
  return { onExecute: check, onSubscribe: check };
}

/**
 * A variable that does not coerce to its type is the client's mistake: BAD_USER_INPUT (as Apollo
 * Server answers it), unless its scalar gave a code of its own. Anything but a GraphQLError (a
 * bug) is rethrown, to be masked and logged.
 */
function variableError(error: GraphQLError): GraphQLError {
  if (!isGraphQLError(error)) throw error;
  if (error.extensions.code) return error;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    originalError: error.originalError,
    extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
  });
}

/** The cost measured by useOperationLimits, kept for the rate limit (http/rate-limit.ts) so it is measured once. */
const operationCosts = new WeakMap<object, number>();

/** The operation's cost as useOperationLimits measured it; undefined when it did not run. */
export function operationCostOf(context: object): number | undefined {
  return operationCosts.get(context);
}

/** Errors about anything but cost (variables that do not coerce) are left to execution. */
function measureOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variableValues: Record<string, unknown>,
  context: object,
): { errors: readonly GraphQLError[]; complexity: number | undefined } {
  let measured: number | undefined;
  const rule = createComplexityRule({
    context,
    variableValues,
    operationName,
    validate: ({ complexity, depth, breadth }, reportError) => {
      measured = complexity;
      if (depth > queryLimits.depth) reportError(queryTooComplex('depth', depth, queryLimits.depth));
      else if (breadth > queryLimits.breadth) reportError(queryTooComplex('breadth', breadth, queryLimits.breadth));
      else if (complexity > queryLimits.complexity) reportError(queryTooComplex('complexity', complexity, queryLimits.complexity));
    },
  });
  const errors = validate(schema, document, [rule]).filter((error) => error.extensions.code === 'QUERY_TOO_COMPLEX');
  return { errors, complexity: measured };
}

export function queryTooComplex(kind: 'complexity' | 'depth' | 'breadth', measure: number, max: number): GraphQLError {
  return new GraphQLError(`The query's ${kind} is ${measure}; at most ${max} is allowed. Ask for smaller pages or less nesting.`, {
    extensions: { code: 'QUERY_TOO_COMPLEX', kind, measure, max },
  });
}

/** The body, buffered, or a 413 as soon as it passes `limit` bytes (the rest is not read). */
function readAtMost(request: Request, limit: number, tooLarge: () => GraphQLError): Promise<Uint8Array<ArrayBuffer>> {
  return readBodyUnless(request, (_chunk, bytesSoFar) => (bytesSoFar > limit ? tooLarge() : undefined));
}
