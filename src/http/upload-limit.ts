import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { maxCsvBytes } from '../services/import-csv.ts';

/**
 * The largest multipart (upload) request body: the largest upload the API takes (a CSV import of
 * 20 MB) with room for the operation and the form's framing, so that a file over its own limit
 * (an avatar over 2 MB, a CSV over 20 MB) still reaches the resolver and gets a typed
 * ValidationError, while anything much larger is refused here before it is held in memory.
 */
export const maxMultipartBodyBytes = maxCsvBytes + 1024 * 1024;

function bodyTooLarge(): GraphQLError {
  return new GraphQLError(
    `Request body too large: a multipart request may be at most ${maxMultipartBodyBytes} bytes (an avatar at most 2 MB, a CSV import at most 20 MB).`,
    { extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', http: { status: 413 } } },
  );
}

/**
 * Refuses a multipart request whose body is over the limit with HTTP 413: at once when its
 * Content-Length says so, otherwise (chunked) as soon as the bytes read pass the limit. Yoga's
 * own maxRequestBodySize covers every other body.
 */
export function useMultipartBodyLimit(limit = maxMultipartBodyBytes): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (!requestParser || !isMultipart(request)) return;
      const contentLength = request.headers.get('content-length');
      if (contentLength !== null && Number(contentLength) > limit) throw bodyTooLarge();
      const parse = requestParser;
      setRequestParser(async (original) => {
        const body = await readAtMost(original, limit);
        return parse(new fetchAPI.Request(original.url, { method: original.method, headers: original.headers, body }));
      });
    },
  };
}

function isMultipart(request: Request): boolean {
  return request.method === 'POST' && (request.headers.get('content-type') ?? '').toLowerCase().startsWith('multipart/form-data');
}

/** The body, buffered, or a 413 as soon as it passes `limit` bytes (the rest is not read). */
export async function readAtMost(
  request: Request,
  limit: number,
  tooLarge: () => GraphQLError = bodyTooLarge,
): Promise<Uint8Array<ArrayBuffer>> {
  if (!request.body) return new Uint8Array();
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
