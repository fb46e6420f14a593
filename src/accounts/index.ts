// The accounts domain's public entry: what other domains and the entry points may use of it.
export { authenticate, createOrganization, createUser } from './account-service.ts';
export { type ApiKeyCacheOptions, cachedAuthenticator } from './api-key-cache.ts';
export { User } from './schema/user.ts';
