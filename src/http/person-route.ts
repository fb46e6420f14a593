import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.ts';
import type { Actor } from '../shared/actor.ts';
import { ForbiddenError, NotFoundError } from '../shared/errors.ts';
import { decodeGlobalId } from '../shared/global-ids.ts';
import { bearerToken } from './auth.ts';
import { maskedErrorResponse, maskUnexpected } from './errors.ts';

/** A request to a person's route, once its method, key and person id have been checked. */
export interface PersonRouteRequest {
  request: Request;
  url: URL;
  actor: Actor;
  personId: string;
  fetchAPI: { Response: typeof Response };
  /** The route's 404, for what the handler does not find either. */
  notFound: () => Response;
}

export interface PersonRouteOptions {
  /** The route's path; its one group is the person's global id. */
  path: RegExp;
  methods: readonly ('GET' | 'HEAD')[];
  notFoundMessage: string;
  /** The API key's user, or null for an unknown or revoked key. */
  authenticate: (apiKey: string) => Promise<Actor | null>;
  log: Logger;
  requestIdOf: (request: Request) => string;
  respond: (route: PersonRouteRequest) => Promise<Response>;
}

/**
 * A GET route beside /graphql about one person of the caller's organisation (their avatar, their
 * export): 405 for another method, 401 without a valid key, 404 for an id that names no person
 * of the caller's (or a NotFoundError), 403 for a ForbiddenError, and anything unexpected masked
 * and logged as /graphql masks it.
 */
export function usePersonRoute(options: PersonRouteOptions): Plugin {
  const { path, methods, notFoundMessage, authenticate, log, requestIdOf, respond } = options;
  const methodMessage = `Only ${methods.join(' and ')} ${methods.length === 1 ? 'is' : 'are'} allowed here.`;
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const match = path.exec(url.pathname);
      if (!match) return;
      const json = (status: number, message: string, code: string, headers: Record<string, string> = {}) =>
        fetchAPI.Response.json({ errors: [{ message, extensions: { code } }] }, { status, headers });
      const notFound = () => json(404, notFoundMessage, 'NOT_FOUND');

      if (!(methods as readonly string[]).includes(request.method)) {
        endResponse(json(405, methodMessage, 'METHOD_NOT_ALLOWED', { allow: methods.join(', ') }));
        return;
      }
      try {
        const token = bearerToken(request);
        const actor = token ? await authenticate(token) : null;
        if (!actor) {
          const message =
            token === undefined
              ? 'Authentication required: send Authorization: Bearer <apiKey>.'
              : 'Unknown or revoked API key, or a malformed Authorization header.';
          endResponse(json(401, message, 'UNAUTHENTICATED', { 'www-authenticate': 'Bearer' }));
          return;
        }
        const personId = personIdOf(match[1]!);
        endResponse(personId ? await respond({ request, url, actor, personId, fetchAPI, notFound }) : notFound());
      } catch (error) {
        if (error instanceof ForbiddenError) endResponse(json(403, error.message, 'FORBIDDEN'));
        else if (error instanceof NotFoundError) endResponse(notFound());
        else endResponse(maskedErrorResponse(maskUnexpected(error, requestIdOf(request), log, { fields: { path: url.pathname }, beforeExecution: true }), fetchAPI.Response));
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
