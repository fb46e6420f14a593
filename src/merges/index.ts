// The merges domain's public entry: what other domains and the entry points may use of it.
export { Merge } from './schema/merge.ts';
