import { createHash } from 'node:crypto';
import { type DocumentNode, type ExecutionResult, getOperationAST, GraphQLError, print } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import type { PrismaClient } from '../db/prisma.ts';
import { claimIdempotencyKey, saveIdempotentResponse } from './idempotency-store.ts';

/** An Idempotency-Key: 1 to 255 visible ASCII characters (a UUID is usual). */
const keyPattern = /^[\x21-\x7e]{1,255}$/;

/**
 * How long a mutation sent with a key may run in its one transaction: as long as a dry-run import
 * may, the longest work a request does.
 */
const idempotentTransactionTimeoutMs = 10 * 60_000;

/** A mutation's answer that must not be kept: its transaction is rolled back and this is answered. */
class Rollback extends Error {
  constructor(readonly result: ExecutionResult) {
    super('rolled back');
  }
}

/**
 * `Idempotency-Key` on a mutation: the whole operation runs in one transaction that first claims
 * the key (see claimIdempotencyKey), then runs the resolvers with that transaction as the
 * request's Prisma client (each service's own `$transaction` becomes a savepoint in it, so a
 * typed error still undoes what its mutation began), and saves the response in it before it
 * commits. So a response is stored exactly when the mutation's effects are, and a replay of the
 * same request gets that response back and changes nothing. Queries ignore the header: they
 * write nothing.
 *
 * Only complete answers are stored: data with typed errors (NotFoundError, ValidationError, …)
 * is; a response with errors in `errors` (an unexpected failure, the database unreachable, a bad
 * argument found while running) is not, and neither is anything it wrote: the transaction is
 * rolled back, the client gets the errors with `data: null`, and may retry with the same key.
 */
export function useIdempotentMutations(): Plugin<GraphQLContext & YogaInitialContext> {
  const replays = new WeakSet<Request>();
  return {
    onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const { request, actor } = args.contextValue;
      const key = request.headers.get('idempotency-key');
      if (key === null || !actor) return;
      if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      if (!keyPattern.test(key)) {
        setResultAndStopExecution({ errors: [invalidKey()] });
        return;
      }
      setExecuteFn(async (executionArgs) => {
        const context = executionArgs.contextValue as GraphQLContext;
        const prisma = context.prisma;
        try {
          const requestHash = await hashRequest(executionArgs.document, executionArgs.operationName, executionArgs.variableValues);
          return await prisma.$transaction(
            async (tx) => {
              const claim = await claimIdempotencyKey(tx, context.dbSchema, actor, key, requestHash);
              if (claim.kind === 'reused') return { errors: [keyReused()] };
              if (claim.kind === 'replay') {
                replays.add(request);
                return replayedResult(claim.response);
              }
              // A transaction client can open nested transactions (savepoints), as services do.
              context.prisma = tx as unknown as PrismaClient;
              let result;
              try {
                result = await executeFn({ ...executionArgs, contextValue: context });
              } finally {
                context.prisma = prisma;
              }
              if (Symbol.asyncIterator in result) {
                await result.return?.();
                throw new Rollback({ errors: [incrementalRefused()] });
              }
              if (result.errors?.length) throw new Rollback({ data: null, errors: result.errors });
              await saveIdempotentResponse(tx, actor, key, JSON.stringify({ data: result.data }));
              return result;
            },
            { timeout: idempotentTransactionTimeoutMs },
          );
        } catch (error) {
          if (error instanceof Rollback) return error.result;
          // Reported as any unexpected error of execution: masked and logged by useMaskUnexpectedErrors.
          return { data: null, errors: [new GraphQLError('Unexpected error.', { originalError: error as Error })] };
        }
      });
    },
    onResponse({ request, response }) {
      if (replays.has(request)) response.headers.set('Idempotent-Replayed', 'true');
    },
  };
}

/**
 * A saved answer as an execution result. Saved answers are successes ({ data }), except one an
 * erasure replaced (src/privacy/erasure.ts), whose errors become GraphQL errors again.
 */
function replayedResult(response: string): ExecutionResult {
  const saved = JSON.parse(response) as { data?: ExecutionResult['data']; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  if (!saved.errors) return saved as ExecutionResult;
  return { data: saved.data, errors: saved.errors.map((error) => new GraphQLError(error.message, { extensions: error.extensions })) };
}

function invalidKey(): GraphQLError {
  return new GraphQLError('The Idempotency-Key header must be 1 to 255 visible ASCII characters (a UUID, say).', {
    extensions: { code: 'IDEMPOTENCY_KEY_INVALID', http: { status: 400 } },
  });
}

function keyReused(): GraphQLError {
  return new GraphQLError(
    'This Idempotency-Key was used for another request (another operation, other variables or another user) in the last 24 hours: send a new key for a new request.',
    { extensions: { code: 'IDEMPOTENCY_KEY_REUSED', http: { status: 422 } } },
  );
}

function incrementalRefused(): GraphQLError {
  return new GraphQLError('A mutation sent with an Idempotency-Key cannot use @defer or @stream: its one response is what is kept.', {
    extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
  });
}

/** The request as a replay must match it: the document, the operation's name and the variables, files by their content. */
async function hashRequest(document: DocumentNode, operationName: string | null | undefined, variables: unknown): Promise<string> {
  const canonical = JSON.stringify({ document: print(document), operationName: operationName ?? null, variables: await canonicalValue(variables) });
  return createHash('sha256').update(canonical).digest('hex');
}

/** Objects with their keys sorted (so key order does not matter), files as their name, type and digest. */
async function canonicalValue(value: unknown): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map(canonicalValue));
  if (isFile(value)) {
    const digest = createHash('sha256').update(new Uint8Array(await value.arrayBuffer())).digest('hex');
    return { file: { name: 'name' in value ? value.name : null, type: value.type, size: value.size, sha256: digest } };
  }
  if (typeof value !== 'object' || value === null) return value ?? null;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(await Promise.all(entries.map(async ([name, inner]) => [name, await canonicalValue(inner)] as const)));
}

// By shape: the File of a multipart request is whatwg-node's, not always the global class.
function isFile(value: unknown): value is Blob & { name?: string } {
  return typeof value === 'object' && value !== null && typeof (value as Blob).arrayBuffer === 'function' && typeof (value as Blob).size === 'number';
}
