import { timelineEventTypes } from '../timeline/index.ts';

/**
 * What an endpoint can subscribe to: every kind of timeline event, and PERSON_DELETED and
 * PERSON_ERASED, which have none (the person's timeline goes with them). `*` is every one, those
 * added later included.
 */
export const webhookEventTypes = [...timelineEventTypes, 'PERSON_DELETED', 'PERSON_ERASED'] as const;

export const allWebhookEvents = '*';
