import type { Plugin } from 'graphql-yoga';

/**
 * What a page of an allowed origin may send and read. Credentials (cookies, browser-managed HTTP
 * auth) are never allowed: this API authenticates by an `Authorization: Bearer` header that the
 * page's code sets itself, which CORS treats as an ordinary request header, so a browser client
 * needs no `credentials: 'include'` and no cookie can ever act for a user cross-site.
 */
export const corsPolicy = {
  methods: ['GET', 'POST'],
  allowedHeaders: ['Authorization', 'Content-Type', 'Idempotency-Key', 'X-Request-Id'],
  // Named one by one, both IETF drafts' rate-limit forms: header names take no wildcard here
  // (a lone `*` would expose everything, and older browsers read it as a header named "*").
  exposedHeaders: [
    'X-Request-Id',
    'RateLimit',
    'RateLimit-Policy',
    'RateLimit-Limit',
    'RateLimit-Remaining',
    'RateLimit-Reset',
    'Retry-After',
  ],
  /** How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours). */
  maxAgeSeconds: 600,
};

/**
 * CORS for the exact origins configured (CORS_ORIGINS), on every route. An origin not listed, or
 * any origin when none is configured, gets no CORS header at all, so a browser keeps the
 * response from the page. (It replaces yoga's own CORS, which by default reflects any origin
 * and allows credentials.) A preflight (OPTIONS) is answered here, on any path, with 204 (on /healthz,
 * yoga's health check answers it first, with 200: a browser takes any 2xx).
 */
export function useCors(origins: readonly string[]): Plugin {
  const allowed = new Set(origins);
  const allowedOrigin = (request: Request) => {
    const origin = request.headers.get('origin');
    return origin !== null && allowed.has(origin) ? origin : undefined;
  };
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (request.method !== 'OPTIONS') return;
      // The CORS headers are added by onResponse, as on every other response.
      endResponse(new fetchAPI.Response(null, { status: 204, headers: { Allow: 'GET, POST, OPTIONS', 'Content-Length': '0' } }));
    },
    onResponse({ request, response }) {
      // Each answer depends on the Origin when any is allowed: caches must keep them apart.
      if (allowed.size > 0) appendVary(response.headers, 'Origin');
      const origin = allowedOrigin(request);
      if (!origin) return;
      response.headers.set('Access-Control-Allow-Origin', origin);
      response.headers.set('Access-Control-Expose-Headers', corsPolicy.exposedHeaders.join(', '));
      // Here rather than in onRequest: yoga's health check answers its path (any method) before
      // any plugin of ours, so a preflight to /healthz gets its 200 and these headers from here.
      if (request.method === 'OPTIONS') {
        response.headers.set('Access-Control-Allow-Methods', corsPolicy.methods.join(', '));
        response.headers.set('Access-Control-Allow-Headers', corsPolicy.allowedHeaders.join(', '));
        response.headers.set('Access-Control-Max-Age', String(corsPolicy.maxAgeSeconds));
      }
    },
  };
}

function appendVary(headers: Headers, name: string): void {
  const vary = headers.get('vary');
  if (!vary) headers.set('Vary', name);
  else if (!vary.split(',').some((part) => part.trim().toLowerCase() === name.toLowerCase())) headers.set('Vary', `${vary}, ${name}`);
}

/**
 * CORS_ORIGINS as exact origins (`https://app.example.org`, `http://localhost:5173`): each must be
 * written as browsers send it, scheme and host in lower case, no path, no trailing slash. `*` is
 * refused: any origin is not what a configuration should say by accident.
 */
export function parseCorsOrigins(value: string | undefined): string[] {
  if (!value?.trim()) return [];
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      let origin: string | undefined;
      try {
        origin = new URL(entry).origin;
      } catch {
        origin = undefined;
      }
      if (origin === undefined || origin === 'null' || origin !== entry) {
        throw new Error(
          `CORS_ORIGINS must list exact origins such as https://app.example.org (scheme, host and port only, no path or trailing slash), got "${entry}"${origin && origin !== 'null' ? `; did you mean "${origin}"?` : ''}`,
        );
      }
      return origin;
    });
}
