// The privacy domain's public entry: what other domains and the entry points may use of it.
export { findSuppressed, refuseSuppressed, suppressedRowMessage } from './suppression.ts';
export { usePersonExportRoute } from './export-route.ts';
