import { createHash } from 'node:crypto';

/**
 * What an API key is known by: its sha256. Only this is stored (accounts/), so a leaked database
 * leaks no usable key; the rate limiter keys its buckets on it too (http/rate-limit.ts), so that
 * no secret sits in Redis either.
 */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex');
}
