import type { Plugin } from 'graphql-yoga';

/**
 * How long a client refused by a draining server is asked to wait: the request can go again at
 * once on a new connection (to another instance behind the balancer, or to this one's successor).
 */
export const drainingRetryAfterSeconds = 1;

/**
 * Once a shutdown begins (`draining` aborted), every request that still reaches the server (on a
 * keep-alive connection opened before) is answered 503 `SERVICE_UNAVAILABLE` with Retry-After,
 * before any work: no authentication, no resolver, no database. So a client knows for sure that
 * nothing was written and may send it again. src/server.ts adds `Connection: close` (a response
 * header of HTTP/1.1 only, which the node server owns). Listed after the access log and CORS, so
 * that the refusal is logged and a browser page can read it.
 */
export function useDraining(draining: AbortSignal): Plugin {
  return {
    onRequest({ endResponse, fetchAPI }) {
      if (!draining.aborted) return;
      endResponse(
        fetchAPI.Response.json(
          {
            errors: [
              {
                message: 'The server is shutting down: nothing was done. Send the request again, on a new connection.',
                extensions: { code: 'SERVICE_UNAVAILABLE' },
              },
            ],
          },
          { status: 503, headers: { 'Retry-After': String(drainingRetryAfterSeconds) } },
        ),
      );
    },
  };
}
