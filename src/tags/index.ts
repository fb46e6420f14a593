// The tags domain's public entry: what other domains and the entry points may use of it.
export { mergePersonTags, writePersonTags } from './person-tags.ts';
export { Tag } from './schema/tag.ts';
export { createTag, tagPerson } from './tag-service.ts';
