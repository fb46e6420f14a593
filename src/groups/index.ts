// The groups domain's public entry: what other domains and the entry points may use of it.
export { createGroupCategory } from './group-category-service.ts';
export { addGroupMember, createGroup, mergeMemberships } from './group-service.ts';
export { GroupCategory } from './schema/group-category.ts';
export { Group } from './schema/group.ts';
