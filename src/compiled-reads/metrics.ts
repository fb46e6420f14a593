import { Counter } from 'prom-client';

/**
 * Selections answered by the resolvers instead of a compiled statement, by root field and reason
 * (a type or field name the compiler does not know, an argument it does not take: bounded by the
 * schema). Counted once per request that falls back. Registered in each app's registry
 * (http/metrics.ts), as tests build several apps in one process.
 */
export const compiledReadFallbacks = new Counter({
  name: 'compiled_read_fallbacks_total',
  help: 'Reads the compiled read path handed back to the resolvers, by root field and reason',
  labelNames: ['field', 'reason'],
  registers: [],
});
