// The duplicates domain's public entry: what other domains and the entry points may use of it.
export { duplicateCandidates, dismissDuplicate, possibleDuplicates } from './duplicate-service.ts';
