// The avatars domain's public entry: what other domains and the entry points may use of it.
export { mergeAvatar } from './avatar-service.ts';
export { useAvatarRoute } from './avatar-route.ts';
