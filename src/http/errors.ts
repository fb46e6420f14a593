import { type ExecutionResult, GraphQLError } from 'graphql';
import { handleStreamOrSingleExecutionResult, type Plugin } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import { isDatabaseUnavailable } from '../db/unavailable.ts';
import type { Logger } from '../logger.ts';
import { ShuttingDownError } from '../shared/errors.ts';

/** What a client is told to wait before retrying while the database cannot be reached. */
export const retryAfterSeconds = 5;

/**
 * Errors the client should see are GraphQLErrors (bad arguments, cursors, page sizes) or typed
 * results. Anything else is a bug or an outage: the client gets a generic message with the
 * request id, and the log gets the whole error under the same id.
 */
export function useMaskUnexpectedErrors(): Plugin<GraphQLContext> {
  const masking = ({ requestId, log }: GraphQLContext) => {
    const mask = (errors: readonly GraphQLError[]) =>
      errors.map((error) => {
        if (!isUnexpected(error)) return error;
        const masked = maskUnexpected(error.originalError ?? error, requestId, log, { fields: { path: error.path } });
        return new GraphQLError(masked.message, { path: error.path, nodes: error.nodes, extensions: masked.extensions });
      });
    // A @defer or @stream operation gives a stream of results: the first, then incremental parts,
    // each of which may carry errors of its own.
    return ({ result, setResult }: { result: ExecutionResult; setResult(result: ExecutionResult): void }) => {
      const incremental = (result as IncrementalResult).incremental;
      const hasErrors = Boolean(result.errors?.length) || Boolean(incremental?.some((part) => part.errors?.length));
      if (!hasErrors) return;
      setResult({
        ...result,
        ...(result.errors?.length ? { errors: mask(result.errors) } : {}),
        ...(incremental ? { incremental: incremental.map((part) => (part.errors?.length ? { ...part, errors: mask(part.errors) } : part)) } : {}),
      } as typeof result);
    };
  };
  return {
    onExecute({ args }) {
      const mask = masking(args.contextValue);
      return { onExecuteDone: (payload) => handleStreamOrSingleExecutionResult(payload, mask) };
    },
    // A subscription's events are masked one by one, as each is sent.
    onSubscribe({ args }) {
      const mask = masking(args.contextValue);
      return { onSubscribeResult: (payload) => handleStreamOrSingleExecutionResult(payload, mask) };
    },
  };
}

/**
 * Yoga's masking of errors outside execution (parsing, variables, the context, the checks before
 * execution, serialising the answer), told to keep the cause: it replaces yoga's default, which
 * drops it, so that useRequestErrors can log it with the request id (yoga's own log line has
 * none). The client sees only "Unexpected error." either way.
 */
export function maskKeepingCause(error: unknown, message: string): Error {
  if (isGraphQLErrorThroughout(error)) return error as GraphQLError;
  const cause = isGraphQLError(error) ? ((error as GraphQLError).originalError ?? error) : error;
  return new GraphQLError(message, {
    originalError: cause instanceof Error ? cause : new Error(String(cause)),
    extensions: { code: 'INTERNAL_SERVER_ERROR', unexpected: true },
  });
}

/** A GraphQLError whose causes, if any, are GraphQLErrors too: an error meant for the client. */
function isGraphQLErrorThroughout(error: unknown): boolean {
  for (let current: unknown = error; ; current = (current as GraphQLError).originalError) {
    if (!isGraphQLError(current)) return false;
    if (!(current as GraphQLError).originalError) return true;
  }
}

/**
 * What every answer's errors get before they are written, whatever phase they come from:
 * - an unexpected error (see maskKeepingCause) is masked and logged once, at error level, with the
 *   request id, like one thrown during execution (maskUnexpected);
 * - a result without `data` is a request error (GraphQL over HTTP): its errors that carry no status
 *   of their own get 400, with `spec` so that yoga still answers 200 to a client that accepts only
 *   `application/json`, as GraphQL over HTTP allows for that media type.
 */
export function useRequestErrors(log: Logger, requestIdOf: (request: Request) => string): Plugin {
  return {
    onResultProcess({ request, result, setResult }) {
      if (Array.isArray(result) || !isSingleResult(result) || !result.errors?.length) return;
      const requestFailed = !('data' in result);
      const errors = result.errors.map((error) => {
        const extensions = error.extensions as { unexpected?: boolean; http?: { status?: number } };
        if (extensions.unexpected && error.originalError) {
          return maskUnexpected(error.originalError, requestIdOf(request), log, { beforeExecution: requestFailed });
        }
        if (!requestFailed || extensions.http?.status) return error;
        return new GraphQLError(error.message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          path: error.path,
          originalError: error.originalError,
          extensions: { ...error.extensions, http: { ...extensions.http, status: 400, spec: true } },
        });
      });
      setResult({ ...result, errors });
    },
  };
}

function isSingleResult(result: unknown): result is ExecutionResult {
  return typeof result === 'object' && result !== null && !(Symbol.asyncIterator in result);
}

/** The part of a subsequent @defer/@stream result that may carry errors. */
interface IncrementalResult {
  incremental?: readonly { errors?: readonly GraphQLError[] }[];
}

/**
 * The one place an unexpected error becomes what the client sees, wherever it was thrown (the
 * context factory, execution, the avatar route): logged once, at error level, with its request
 * id and cause; answered as SERVICE_UNAVAILABLE (503, Retry-After) when the database cannot be
 * reached, as INTERNAL_SERVER_ERROR otherwise. The message never carries the cause.
 */
export function maskUnexpected(
  error: unknown,
  requestId: string,
  log: Logger,
  { fields = {}, beforeExecution = false }: { fields?: Record<string, unknown>; beforeExecution?: boolean } = {},
): GraphQLError {
  const unavailable = (message: string) =>
    new GraphQLError(message, {
      extensions: {
        code: 'SERVICE_UNAVAILABLE',
        requestId,
        http: { status: 503, headers: { 'Retry-After': String(retryAfterSeconds) } },
      },
    });
  if (error instanceof ShuttingDownError) {
    log.error('stopped by the shutdown', { requestId, ...fields, error });
    return unavailable(`${error.message} Quote request id ${requestId} if needed.`);
  }
  if (isDatabaseUnavailable(error)) {
    log.error('database unavailable', { requestId, ...fields, error });
    return unavailable(`The database cannot be reached; retry in a few seconds. Quote request id ${requestId} if it lasts.`);
  }
  log.error('unexpected error', { requestId, ...fields, error });
  return new GraphQLError(`Unexpected error. Quote request id ${requestId} when reporting it.`, {
    // Before execution there is no data to go with it: the request failed as a whole (HTTP 500).
    // During execution, other fields may have data, which GraphQL over HTTP answers with 200.
    extensions: { code: 'INTERNAL_SERVER_ERROR', requestId, ...(beforeExecution ? { http: { status: 500 } } : {}) },
  });
}

/** A masked error as a plain HTTP JSON response, for routes outside GraphQL (avatars). */
export function maskedErrorResponse(error: GraphQLError, ResponseClass: typeof Response): Response {
  const { http, ...extensions } = error.extensions as { http?: { status: number; headers?: Record<string, string> } };
  return ResponseClass.json(
    { errors: [{ message: error.message, extensions }] },
    { status: http?.status ?? 500, headers: http?.headers ?? {} },
  );
}

function isUnexpected(error: GraphQLError): boolean {
  const original = error.originalError;
  return original !== undefined && original !== null && !isGraphQLError(original);
}

// By the prototype chain's names, not instanceof: graphql's ESM and CommonJS builds are two
// different GraphQLError classes, and the libraries here load one or the other.
export function isGraphQLError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  for (let proto: unknown = Object.getPrototypeOf(error); proto; proto = Object.getPrototypeOf(proto)) {
    if ((proto as { constructor?: { name?: string } }).constructor?.name === 'GraphQLError') return true;
  }
  return false;
}
