import { GraphQLError } from 'graphql';
import type { Plugin, YogaInitialContext } from 'graphql-yoga';
import type { GraphQLContext } from '../graphql/context.ts';
import { hashApiKey } from '../shared/api-key-hash.ts';
import type { KeyRateLimit } from '../shared/actor.ts';
import { bearerToken } from './auth.ts';
import { operationCostOf, queryTooComplex } from './limits.ts';
import type { RateLimitPolicy, RateLimitStore } from './rate-limit-store.ts';

export interface RateLimitOptions extends RateLimitPolicy {
  store: RateLimitStore;
}

/** What every charged response says about its cost, as `extensions.cost`. */
export interface CostReport {
  /** What this operation costs: its complexity (see "Cost" in docs/limits.md), at least 1. */
  requested: number;
  /** Tokens left in the key's bucket after this operation (before it, when it was refused). */
  remaining: number;
  /** The bucket's capacity. */
  limit: number;
  refillPerSecond: number;
  /** Seconds until the bucket is full again. */
  resetSeconds: number;
}

/**
 * A token bucket per API key, charged with each operation's cost as useOperationLimits measured
 * it, before any resolver runs. The options' capacity and refill are the default bucket; a key
 * an admin gave its own capacity or refill (createApiKey/updateApiKey, carried by the key cache
 * with the actor) has those instead, and an exempt key (a trusted gateway's) is not charged at
 * all. An operation that costs more than the bucket holds is refused
 * whole (429, RATE_LIMITED) and takes nothing, so a client that waits `retryAfter` seconds is
 * sure to get through. Requests without a key (introspection) are not charged: their own limits
 * bound them. When the store cannot be reached (Redis down) the request goes through, with a
 * warning in the log: the limit protects the service, it must not take it down.
 */
export function useRateLimit({ store, ...defaultPolicy }: RateLimitOptions): Plugin<GraphQLContext & YogaInitialContext> {
  const headersOf = new WeakMap<Request, Record<string, string>>();
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const { actor, request, log } = args.contextValue;
      const token = actor ? bearerToken(request) : undefined;
      if (!token || actor?.rateLimit?.exempt) return;
      const policy = policyOf(actor?.rateLimit, defaultPolicy);
      const cost = Math.max(1, Math.ceil(operationCostOf(args.contextValue) ?? 1));
      if (cost > policy.capacity) {
        // It could never run, however long the client waits.
        setResultAndStopExecution({ errors: [queryTooComplex('complexity', cost, policy.capacity)] });
        return;
      }
      let taken;
      try {
        taken = await store.take(hashApiKey(token), cost, policy);
      } catch (error) {
        log.warn('rate limit store unavailable: the request goes through uncharged', { error });
        return;
      }
      const report: CostReport = {
        requested: cost,
        remaining: Math.floor(taken.tokens),
        limit: policy.capacity,
        refillPerSecond: policy.refillPerSecond,
        resetSeconds: Math.ceil((policy.capacity - taken.tokens) / policy.refillPerSecond),
      };
      const headers = {
        'RateLimit-Limit': String(report.limit),
        'RateLimit-Remaining': String(report.remaining),
        'RateLimit-Reset': String(report.resetSeconds),
      };
      headersOf.set(request, headers);
      if (!taken.allowed) {
        const retryAfter = Math.max(1, Math.ceil((cost - taken.tokens) / policy.refillPerSecond));
        setResultAndStopExecution({ errors: [rateLimited(report, retryAfter, headers)], extensions: { cost: report } });
        return;
      }
      return {
        onExecuteDone({ result, setResult }) {
          // An incremental (@defer/@stream) result has no single body to carry it: the headers do.
          if (Symbol.asyncIterator in result) return;
          setResult({ ...result, extensions: { ...result.extensions, cost: report } });
        },
      };
    },
    onResponse({ request, response }) {
      for (const [name, value] of Object.entries(headersOf.get(request) ?? {})) response.headers.set(name, value);
    },
  };
}

/** The key's own capacity and refill where it has them, the default's elsewhere. */
function policyOf(own: KeyRateLimit | undefined, defaultPolicy: RateLimitPolicy): RateLimitPolicy {
  return {
    capacity: own?.capacity ?? defaultPolicy.capacity,
    refillPerSecond: own?.refillPerSecond ?? defaultPolicy.refillPerSecond,
  };
}

function rateLimited(report: CostReport, retryAfter: number, headers: Record<string, string>): GraphQLError {
  return new GraphQLError(
    `Rate limit exceeded: this operation costs ${report.requested} and ${report.remaining} of ${report.limit} are left; retry in ${retryAfter} s.`,
    {
      extensions: {
        code: 'RATE_LIMITED',
        retryAfter,
        http: { status: 429, headers: { ...headers, 'Retry-After': String(retryAfter) } },
      },
    },
  );
}
