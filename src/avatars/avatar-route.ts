import type { Plugin } from 'graphql-yoga';
import type { PrismaClient } from '../db/prisma.ts';
import { usePersonRoute } from '../http/person-route.ts';
import type { Logger } from '../logger.ts';
import type { Actor } from '../shared/actor.ts';
import { avatarVersion, findAvatar, findAvatarVersion } from './avatar-service.ts';

// The URL carries the version (Person.avatarUrl's `?v=`), so that URL's bytes never change.
const foreverCache = 'private, max-age=31536000, immutable';
// A URL without the current version still works, but must be checked again before each reuse.
const revalidateCache = 'private, no-cache';

export interface AvatarRouteOptions {
  /** The API key's user, or null for an unknown or revoked key. */
  authenticate: (apiKey: string) => Promise<Actor | null>;
  log: Logger;
  requestIdOf: (request: Request) => string;
  prisma: PrismaClient;
}

/**
 * GET (or HEAD) /avatars/<person global id>: the picture, for a key of the person's organisation.
 * 401 without a valid key; 404 for a person that is not the caller's, or has no picture.
 */
export function useAvatarRoute({ prisma, ...route }: AvatarRouteOptions): Plugin {
  return usePersonRoute({
    ...route,
    path: /^\/avatars\/(.*)$/,
    methods: ['GET', 'HEAD'],
    notFoundMessage: 'This person has no avatar, or is not in your organisation.',
    async respond({ request, url, actor, personId, fetchAPI, notFound }) {
      const conditional = request.headers.get('if-none-match');
      // A revalidation usually ends in 304: ask for the version first, and the bytes only if they are needed.
      const full = conditional ? null : await findAvatar(prisma, actor, personId);
      const avatar = conditional ? await findAvatarVersion(prisma, actor, personId) : full;
      if (!avatar) return notFound();
      const version = avatarVersion(avatar);
      const etag = `"${version}"`;
      const headers: Record<string, string> = {
        etag,
        'cache-control': url.searchParams.get('v') === version ? foreverCache : revalidateCache,
        'x-content-type-options': 'nosniff',
      };
      if (conditional && etagMatches(conditional, etag)) return new fetchAPI.Response(null, { status: 304, headers });
      const data = (full ?? (await findAvatar(prisma, actor, personId)))?.data;
      if (!data) return notFound();
      headers['content-type'] = avatar.contentType;
      headers['content-length'] = String(data.byteLength);
      return new fetchAPI.Response(request.method === 'HEAD' ? null : data, { status: 200, headers });
    },
  });
}

/** If-None-Match holds `*` or a list of tags, each possibly weak (W/"..."). */
function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}
