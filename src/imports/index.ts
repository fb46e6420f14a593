// The imports domain's public entry: what other domains and the entry points may use of it.
export { interruptImportsRunningHere, markAbandonedImports } from './import-service.ts';
export { Import } from './schema/import.ts';
