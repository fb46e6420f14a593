// The timeline domain's public entry: what other domains and the entry points may use of it.
export { lastInteractedByLimit } from './interaction-metadata.ts';
export { primeInteractionMetadata } from './schema/interaction-metadata.ts';
export { TimelineEvent } from './schema/timeline.ts';
export { eventDataWithGlobalIds, mergeTimelines, recordEvent, recordEvents, type TimelineEventType } from './timeline.ts';
export { PendingEvents, recordPending } from './pending-events.ts';
