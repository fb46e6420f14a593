import { Redis } from 'ioredis';

/** A token bucket's size and how fast it fills again. */
export interface RateLimitPolicy {
  /** Tokens a full bucket holds: the most one key may spend in a burst. */
  capacity: number;
  /** Tokens added back every second, up to the capacity. */
  refillPerSecond: number;
}

export interface TakeResult {
  /** True when the tokens were taken; false when the bucket held fewer than asked (nothing taken). */
  allowed: boolean;
  /** Tokens left in the bucket after this request (a fraction while it refills). */
  tokens: number;
}

/**
 * Where the buckets live. `take` checks and takes in one step, so that two requests of one key
 * never both spend the last tokens: the whole cost is taken, or nothing is.
 */
export interface RateLimitStore {
  take(bucket: string, cost: number, policy: RateLimitPolicy): Promise<TakeResult>;
  close(): Promise<void>;
}

/** The tokens a bucket holds `elapsedMs` after it held `tokens`. */
function refilled(tokens: number, elapsedMs: number, policy: RateLimitPolicy): number {
  return Math.min(policy.capacity, tokens + (Math.max(0, elapsedMs) * policy.refillPerSecond) / 1000);
}

/**
 * Buckets in this process's memory: right for one instance (several instances would each allow
 * the whole rate). A bucket that has filled up again is the same as no bucket, so such entries
 * are dropped once the map grows past `maxBuckets`.
 */
export function memoryRateLimitStore({ maxBuckets = 100_000 }: { maxBuckets?: number } = {}): RateLimitStore {
  // Each bucket keeps the policy it was last charged under: keys may have policies of their own.
  const buckets = new Map<string, { tokens: number; at: number; policy: RateLimitPolicy }>();
  const dropFullBuckets = (now: number) => {
    for (const [bucket, state] of buckets) {
      if (refilled(state.tokens, now - state.at, state.policy) >= state.policy.capacity) buckets.delete(bucket);
    }
  };
  return {
    async take(bucket, cost, policy) {
      const now = Date.now();
      const state = buckets.get(bucket);
      let tokens = state ? refilled(state.tokens, now - state.at, policy) : policy.capacity;
      const allowed = tokens >= cost;
      if (allowed) tokens -= cost;
      if (!state && buckets.size >= maxBuckets) dropFullBuckets(now);
      buckets.set(bucket, { tokens, at: now, policy });
      return { allowed, tokens };
    },
    async close() {
      buckets.clear();
    },
  };
}

/**
 * The same bucket as memoryRateLimitStore, in Redis, read and written by one Lua script so that
 * instances sharing the Redis share each key's bucket atomically. The clock is Redis's (TIME),
 * so instances whose clocks differ still agree. A bucket expires once it would be full again.
 */
const takeScript = `
local capacity = tonumber(ARGV[1])
local refillPerMs = tonumber(ARGV[2]) / 1000
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = capacity
else
  tokens = math.min(capacity, tokens + math.max(0, now - at) * refillPerMs)
end
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / refillPerMs) + 1000)
return { allowed, tostring(tokens) }
`;

interface RedisWithTake extends Redis {
  pgwTakeTokens(key: string, capacity: number, refillPerSecond: number, cost: number): Promise<[number, string]>;
}

export interface RedisRateLimitStoreOptions {
  url: string;
  /** Put before every key, so that several deployments (or test runs) can share one Redis. */
  keyPrefix: string;
  /** Told when Redis cannot be reached (the store then throws, and the caller decides). */
  onError?: (error: Error) => void;
}

export function redisRateLimitStore({ url, keyPrefix, onError }: RedisRateLimitStoreOptions): RateLimitStore {
  const redis = new Redis(url, {
    // A request must not wait long for Redis: while it is unreachable a command fails after
    // one reconnection attempt, and after a second when Redis stops answering.
    maxRetriesPerRequest: 1,
    commandTimeout: 1_000,
  }) as RedisWithTake;
  redis.on('error', (error: Error) => onError?.(error));
  redis.defineCommand('pgwTakeTokens', { numberOfKeys: 1, lua: takeScript });
  return {
    async take(bucket, cost, policy) {
      const [allowed, tokens] = await redis.pgwTakeTokens(`${keyPrefix}bucket:${bucket}`, policy.capacity, policy.refillPerSecond, cost);
      return { allowed: allowed === 1, tokens: Number(tokens) };
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
