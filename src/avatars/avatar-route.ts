import type { Plugin } from 'graphql-yoga';
import type { PrismaClient } from '../db/prisma.ts';
import type { Logger } from '../logger.ts';
import { authenticate } from '../accounts/index.ts';
import { avatarVersion, findAvatar, findAvatarVersion } from './avatar-service.ts';
import { decodeGlobalId } from '../shared/global-ids.ts';
import { bearerToken } from '../http/auth.ts';
import { maskedErrorResponse, maskUnexpected } from '../http/errors.ts';

const routePrefix = '/avatars/';
// The URL carries the version (Person.avatarUrl's `?v=`), so that URL's bytes never change.
const foreverCache = 'private, max-age=31536000, immutable';
// A URL without the current version still works, but must be checked again before each reuse.
const revalidateCache = 'private, no-cache';

export interface AvatarRouteOptions {
  prisma: PrismaClient;
  log: Logger;
  requestIdOf: (request: Request) => string;
}

/**
 * GET (or HEAD) /avatars/<person global id>: the picture, for a key of the person's organisation.
 * 401 without a valid key; 404 for a person that is not the caller's, or has no picture.
 */
export function useAvatarRoute({ prisma, log, requestIdOf }: AvatarRouteOptions): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (!url.pathname.startsWith(routePrefix)) return;
      const json = (status: number, message: string, code: string, headers: Record<string, string> = {}) =>
        fetchAPI.Response.json({ errors: [{ message, extensions: { code } }] }, { status, headers });

      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(json(405, 'Only GET and HEAD are allowed here.', 'METHOD_NOT_ALLOWED', { allow: 'GET, HEAD' }));
        return;
      }
      try {
        const token = bearerToken(request);
        const actor = token ? (await authenticate(prisma, token))?.actor : null;
        if (!actor) {
          const message =
            token === undefined
              ? 'Authentication required: send Authorization: Bearer <apiKey>.'
              : 'Unknown or revoked API key, or a malformed Authorization header.';
          endResponse(json(401, message, 'UNAUTHENTICATED', { 'www-authenticate': 'Bearer' }));
          return;
        }
        const notFound = () => json(404, 'This person has no avatar, or is not in your organisation.', 'NOT_FOUND');
        const personId = personIdOf(url.pathname.slice(routePrefix.length));
        if (!personId) {
          endResponse(notFound());
          return;
        }
        const conditional = request.headers.get('if-none-match');
        // A revalidation usually ends in 304: ask for the version first, and the bytes only if they are needed.
        const full = conditional ? null : await findAvatar(prisma, actor, personId);
        const avatar = conditional ? await findAvatarVersion(prisma, actor, personId) : full;
        if (!avatar) {
          endResponse(notFound());
          return;
        }
        const version = avatarVersion(avatar);
        const etag = `"${version}"`;
        const headers: Record<string, string> = {
          etag,
          'cache-control': url.searchParams.get('v') === version ? foreverCache : revalidateCache,
          'x-content-type-options': 'nosniff',
        };
        if (conditional && etagMatches(conditional, etag)) {
          endResponse(new fetchAPI.Response(null, { status: 304, headers }));
          return;
        }
        const data = (full ?? (await findAvatar(prisma, actor, personId)))?.data;
        if (!data) {
          endResponse(notFound());
          return;
        }
        headers['content-type'] = avatar.contentType;
        headers['content-length'] = String(data.byteLength);
        endResponse(new fetchAPI.Response(request.method === 'HEAD' ? null : data, { status: 200, headers }));
      } catch (error) {
        endResponse(maskedErrorResponse(maskUnexpected(error, requestIdOf(request), log, { fields: { path: url.pathname }, beforeExecution: true }), fetchAPI.Response));
      }
    },
  };
}

function personIdOf(segment: string): string | undefined {
  let globalId: string;
  try {
    globalId = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  const decoded = decodeGlobalId(globalId);
  return decoded?.typename === 'Person' ? decoded.id : undefined;
}

/** If-None-Match holds `*` or a list of tags, each possibly weak (W/"..."). */
function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}
