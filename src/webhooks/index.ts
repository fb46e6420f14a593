// The webhooks domain's public entry: what other domains and the entry points may use of it.
export { recordPersonDeleted, recordPersonErased } from './outbox.ts';
export { startWebhookWorker, type WebhookWorker, type WebhookWorkerOptions } from './worker.ts';
export { webhookMetrics } from './metrics.ts';
