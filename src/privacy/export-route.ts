import type { Plugin } from 'graphql-yoga';
import type { PrismaClient } from '../db/prisma.ts';
import type { Logger } from '../logger.ts';
import { authenticate } from '../accounts/index.ts';
import { decodeGlobalId } from '../shared/global-ids.ts';
import { ForbiddenError, NotFoundError } from '../shared/errors.ts';
import { bearerToken } from '../http/auth.ts';
import { maskedErrorResponse, maskUnexpected } from '../http/errors.ts';
import { exportPerson } from './person-export.ts';

// GET /people/<person global id>/export
const routePattern = /^\/people\/([^/]+)\/export\/?$/;

export interface PersonExportRouteOptions {
  prisma: PrismaClient;
  dbSchema: string;
  log: Logger;
  requestIdOf: (request: Request) => string;
}

/**
 * The person's export (person-export.ts) as a file to save: exportPerson's document with
 * Content-Disposition: attachment. An admin's key only (403 otherwise); 401 without a valid key;
 * 404 for a person who is not the caller's. Recorded on the timeline as exportPerson is.
 */
export function usePersonExportRoute({ prisma, dbSchema, log, requestIdOf }: PersonExportRouteOptions): Plugin {
  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      const match = routePattern.exec(url.pathname);
      if (!match) return;
      const json = (status: number, message: string, code: string, headers: Record<string, string> = {}) =>
        fetchAPI.Response.json({ errors: [{ message, extensions: { code } }] }, { status, headers });
      if (request.method !== 'GET') {
        endResponse(json(405, 'Only GET is allowed here.', 'METHOD_NOT_ALLOWED', { allow: 'GET' }));
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
        const notFound = () => json(404, 'There is no such person in your organisation.', 'NOT_FOUND');
        const decoded = decodeGlobalId(safeDecode(match[1]!));
        if (decoded?.typename !== 'Person') {
          endResponse(notFound());
          return;
        }
        const document = await exportPerson({ prisma, actor, dbSchema }, decoded.id);
        endResponse(
          new fetchAPI.Response(JSON.stringify(document, null, 2), {
            status: 200,
            headers: {
              'content-type': 'application/json; charset=utf-8',
              'content-disposition': `attachment; filename="person-${decoded.id}.json"`,
              'cache-control': 'no-store',
              'x-content-type-options': 'nosniff',
            },
          }),
        );
      } catch (error) {
        if (error instanceof ForbiddenError) endResponse(json(403, error.message, 'FORBIDDEN'));
        else if (error instanceof NotFoundError) endResponse(json(404, 'There is no such person in your organisation.', 'NOT_FOUND'));
        else endResponse(maskedErrorResponse(maskUnexpected(error, requestIdOf(request), log, { fields: { path: url.pathname }, beforeExecution: true }), fetchAPI.Response));
      }
    },
  };
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '';
  }
}
