import type { Plugin } from 'graphql-yoga';
import type { PrismaClient } from '../db/prisma.ts';
import { usePersonRoute } from '../http/person-route.ts';
import type { Logger } from '../logger.ts';
import type { Actor } from '../shared/actor.ts';
import { exportPerson } from './person-export.ts';

export interface PersonExportRouteOptions {
  /** The API key's user, or null for an unknown or revoked key. */
  authenticate: (apiKey: string) => Promise<Actor | null>;
  log: Logger;
  requestIdOf: (request: Request) => string;
  prisma: PrismaClient;
  dbSchema: string;
}

/**
 * GET /people/<person global id>/export: the person's export (person-export.ts) as a file to save,
 * exportPerson's document with Content-Disposition: attachment. An admin's key only (403
 * otherwise); 401 without a valid key; 404 for a person who is not the caller's. Recorded on the
 * timeline as exportPerson is.
 */
export function usePersonExportRoute({ prisma, dbSchema, ...route }: PersonExportRouteOptions): Plugin {
  return usePersonRoute({
    ...route,
    path: /^\/people\/([^/]+)\/export\/?$/,
    methods: ['GET'],
    notFoundMessage: 'There is no such person in your organisation.',
    async respond({ actor, personId, fetchAPI }) {
      const document = await exportPerson({ prisma, actor, dbSchema }, personId);
      return new fetchAPI.Response(JSON.stringify(document, null, 2), {
        status: 200,
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'content-disposition': `attachment; filename="person-${personId}.json"`,
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
        },
      });
    },
  });
}
