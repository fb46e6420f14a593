// The kinds of timeline event, shared by the timeline (which records them) and the live events
// (which announce them): both sit on this list, neither on the other.

/** What can happen to a person. Stored as text, so adding a kind needs no migration. */
export const timelineEventTypes = [
  'PERSON_CREATED',
  'PERSON_UPDATED',
  'PERSON_ARCHIVED',
  'PERSON_UNARCHIVED',
  'FIELD_SET',
  'FIELD_UNSET',
  'TAG_ADDED',
  'TAG_REMOVED',
  'NOTE_ADDED',
  'NOTE_CHANGED',
  'NOTE_DELETED',
  'GROUP_JOINED',
  'GROUP_LEFT',
  'GROUP_ROLE_CHANGED',
  'MERGED',
  'IMPORTED',
  'AVATAR_CHANGED',
  // An admin exported everything held about the person (src/privacy); the event holds no data.
  'PERSON_EXPORTED',
] as const;

export type TimelineEventType = (typeof timelineEventTypes)[number];
