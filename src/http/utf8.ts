import { Buffer, isUtf8 } from 'node:buffer';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * A request whose text is not UTF-8 is refused (400, BAD_REQUEST, as yoga answers a body that is
 * not JSON), never repaired: the platform's decoders put U+FFFD in place of each bad byte, so
 * `Bad\xC3(\xFF` would be stored as "Bad�(�" and the client's data changed without a word. Checked
 * on the bytes before yoga's parser decodes them: a JSON body whole; a multipart body's text parts
 * (operations, map), not its files, whose consumers check them (a CSV import refuses a file that
 * is not UTF-8 as a typed ValidationError, an avatar is binary); a GET's query string once
 * percent-decoded. (WebSocket messages are checked by `ws`, which closes the socket with 1007.)
 *
 * Listed in useRequestLimits after the nesting scan and before the body limits: its parser runs
 * inside theirs, so the bytes it reads are already bounded (64 KB without a key,
 * maxRequestBodyBytes with one), and outside the scan's, which parses a multipart form only from
 * bytes this has checked.
 */
export function useStrictUtf8(): Plugin {
  return {
    onRequestParse({ request, requestParser, setRequestParser, fetchAPI }) {
      if (!requestParser) return;
      if (request.method === 'GET') {
        if (!queryStringIsUtf8(request.url)) throw notUtf8('The query string, percent-decoded, is not UTF-8.');
        return;
      }
      const contentType = request.headers.get('content-type') ?? '';
      const multipartBoundary = boundaryOf(contentType);
      const json = /^application\/(graphql\+)?json\s*(;|$)/i.test(contentType);
      if (request.method !== 'POST' || (!json && !multipartBoundary)) return;
      const parse = requestParser;
      setRequestParser(async (limited) => {
        const body = Buffer.from(await limited.arrayBuffer());
        if (json && !isUtf8(body)) throw notUtf8('The request body is not UTF-8 JSON.');
        if (multipartBoundary && !textPartsAreUtf8(body, multipartBoundary)) {
          throw notUtf8('A text part of the multipart request (operations, map) is not UTF-8.');
        }
        return parse(new fetchAPI.Request(limited.url, { method: limited.method, headers: limited.headers, body }));
      });
    },
  };
}

function notUtf8(what: string): GraphQLError {
  return new GraphQLError(`${what} Send text as UTF-8: bytes that are not are refused, not replaced.`, {
    extensions: { code: 'BAD_REQUEST', http: { status: 400 } },
  });
}

/**
 * decodeURIComponent throws on an escape sequence that does not decode as UTF-8 (`%FF`,
 * `%C3(`). A `%` not followed by two hex digits is taken as itself, as URLSearchParams takes it.
 */
export function queryStringIsUtf8(url: string): boolean {
  const start = url.indexOf('?');
  if (start === -1) return true;
  const query = url.slice(start + 1);
  if (!query.includes('%')) return true;
  try {
    decodeURIComponent(query.replace(/%(?![0-9a-f]{2})/gi, '%25'));
    return true;
  } catch {
    return false;
  }
}

function boundaryOf(contentType: string): string | undefined {
  if (!/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/**
 * Walks the parts of a multipart/form-data body (RFC 7578): each is `--boundary CRLF headers CRLF
 * CRLF content`, up to `CRLF --boundary`, and `--boundary--` ends the body. Parts with a filename
 * are files and left alone. Framing it cannot follow is left to yoga's parser, which reports it.
 */
function textPartsAreUtf8(body: Buffer, boundary: string): boolean {
  const dashBoundary = Buffer.from(`--${boundary}`);
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  const start = body.indexOf(dashBoundary);
  if (start === -1) return true;
  let at = start + dashBoundary.length;
  while (!(body[at] === 0x2d && body[at + 1] === 0x2d)) {
    const headersEnd = body.indexOf('\r\n\r\n', at);
    if (headersEnd === -1) return true;
    const next = body.indexOf(delimiter, headersEnd + 4);
    if (next === -1) return true;
    const headers = body.subarray(at, headersEnd).toString('latin1');
    if (!/;\s*filename\*?=/i.test(headers) && !isUtf8(body.subarray(headersEnd + 4, next))) return false;
    at = next + delimiter.length;
  }
  return true;
}
