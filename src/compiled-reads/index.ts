/**
 * The compiled read path: `people` and `person` answered by one SQL statement that builds the
 * answer's JSON, executed over plain objects (see hook.ts). Whatever it cannot compile falls back
 * to the resolvers, whole, and is counted (metrics.ts).
 */
export { compiledReads, installCompiledReads } from './hook.ts';
export { compiledReadFallbacks } from './metrics.ts';
