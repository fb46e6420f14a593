import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type APQStore, createInMemoryAPQStore, useAPQ } from '@graphql-yoga/plugin-apq';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { GraphQLError, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';

/** The operations a server with TRUSTED_DOCUMENTS runs, by hash (hex, without `sha256:`). */
export type TrustedDocuments = ReadonlyMap<string, string>;

/**
 * Reads the manifest GraphQL Code Generator's client preset writes with
 * `presetConfig.persistedDocuments: true` (persisted-documents.json): `{ "<hash>": "<document>" }`,
 * the hash `sha256:<hex>` by default. Every entry must parse, and a `sha256:` hash must be the
 * hash of its document: a manifest that was edited by hand or cut short stops the server at
 * start rather than refusing one operation later.
 */
export async function loadTrustedDocuments(path: string): Promise<TrustedDocuments> {
  let manifest: unknown;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new Error(`TRUSTED_DOCUMENTS: cannot read ${path} as JSON: ${(error as Error).message}`);
  }
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new Error(`TRUSTED_DOCUMENTS: ${path} must be a JSON object of { "<hash>": "<document>" }.`);
  }
  const documents = new Map<string, string>();
  for (const [hash, document] of Object.entries(manifest)) {
    if (typeof document !== 'string') throw new Error(`TRUSTED_DOCUMENTS: the entry ${hash} of ${path} is not a document string.`);
    if (hash.startsWith('sha256:') && sha256(document) !== withoutPrefix(hash)) {
      throw new Error(`TRUSTED_DOCUMENTS: the entry ${hash} of ${path} is not the sha256 of its document.`);
    }
    try {
      parse(document);
    } catch (error) {
      throw new Error(`TRUSTED_DOCUMENTS: the entry ${hash} of ${path} is not a GraphQL document: ${(error as Error).message}`);
    }
    documents.set(withoutPrefix(hash), document);
  }
  if (documents.size === 0) throw new Error(`TRUSTED_DOCUMENTS: ${path} lists no document.`);
  return documents;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The client preset writes `sha256:<hex>`; APQ clients send the bare hex. Both name one document. */
function withoutPrefix(hash: string): string {
  return hash.startsWith('sha256:') ? hash.slice('sha256:'.length) : hash;
}

function persistedError(message: string, code: string, status: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}

/**
 * Only the manifest's documents run, requested by hash in any of the forms clients send:
 * `documentId` in the body (the client preset's `__meta__.hash`, or the GraphQL over HTTP
 * persisted-documents draft) or in a GET's query string, or Apollo's
 * `extensions.persistedQuery.sha256Hash`; with or without `sha256:`. A document sent as text is
 * refused (403 PERSISTED_QUERY_ONLY) even when it is in the manifest, so that no client comes
 * to depend on sending text; an unknown hash is 400 PERSISTED_QUERY_NOT_IN_LIST; neither is 400
 * PERSISTED_QUERY_ID_REQUIRED.
 */
export function useTrustedDocuments(documents: TrustedDocuments): Plugin {
  return usePersistedOperations({
    allowArbitraryOperations: false,
    extractPersistedOperationId: (params, request) => {
      const fromBody = (params as { documentId?: unknown }).documentId;
      const fromQueryString = request.method === 'GET' ? new URL(request.url).searchParams.get('documentId') : null;
      const persistedQuery = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } } | undefined)?.persistedQuery;
      const fromApolloExtension = persistedQuery?.version === 1 ? persistedQuery.sha256Hash : undefined;
      const id = [fromBody, fromQueryString, fromApolloExtension].find((candidate) => typeof candidate === 'string');
      return typeof id === 'string' ? withoutPrefix(id) : null;
    },
    getPersistedOperation: (hash) => documents.get(hash) ?? null,
    customErrors: {
      persistedQueryOnly: () =>
        persistedError(
          'This server runs only trusted documents: send the hash of a document in its manifest as "documentId" (or extensions.persistedQuery.sha256Hash), not the document\'s text.',
          'PERSISTED_QUERY_ONLY',
          403,
        ),
      notFound: () =>
        persistedError('No trusted document has this hash: the client and the server\'s manifest differ.', 'PERSISTED_QUERY_NOT_IN_LIST', 400),
      keyNotFound: () =>
        persistedError(
          'This server runs only trusted documents: send a document\'s hash as "documentId" (or extensions.persistedQuery.sha256Hash).',
          'PERSISTED_QUERY_ID_REQUIRED',
          400,
        ),
    },
  });
}

/** Bounds of the automatic persisted queries an instance remembers. */
export interface ApqOptions {
  /** Documents remembered in memory (default 1,000), the least recently used going first. */
  maxDocuments?: number;
  /** Characters of one document, above which it runs but is not remembered (default 32,768). */
  maxDocumentLength?: number;
  /** How long an unused document is remembered, in ms (default 24 hours). */
  ttlMs?: number;
  /** Shares the documents between instances in Redis (REDIS_URL), under `keyPrefix`. */
  redis?: { client: Redis; keyPrefix: string };
}

/**
 * Automatic persisted queries (Apollo's protocol, APQ=true): a client sends only
 * `extensions.persistedQuery.sha256Hash`; a hash that is not known is 404
 * PERSISTED_QUERY_NOT_FOUND, and the client sends the document with its hash, which registers it;
 * a hash that is not the document's is 400 PERSISTED_QUERY_MISMATCH. Anyone may register, so the
 * store is bounded (documents of at most maxDocumentLength, each forgotten ttlMs after its last
 * use; in memory also at most maxDocuments): filling it only evicts others, whose clients then
 * send them again.
 */
export function useAutomaticPersistedQueries(
  { maxDocuments = 1_000, maxDocumentLength = 32_768, ttlMs = 24 * 3_600_000, redis }: ApqOptions,
  log: Logger,
): Plugin {
  return useAPQ({ store: redis ? redisStore(redis, { maxDocumentLength, ttlMs }, log) : memoryStore({ maxDocuments, maxDocumentLength, ttlMs }) });
}

function memoryStore({ maxDocuments, maxDocumentLength, ttlMs }: Required<Omit<ApqOptions, 'redis'>>): APQStore {
  const cache = createInMemoryAPQStore({ max: maxDocuments, ttl: ttlMs });
  return {
    get: (hash) => cache.get(hash),
    set: (hash, document) => {
      if (document.length <= maxDocumentLength) cache.set(hash, document);
    },
  };
}

/** How long a Redis command may take before the store carries on without it. */
const redisTimeoutMs = 500;

/**
 * Documents in Redis, shared by every instance, each expiring ttlMs after its last use (Redis's
 * own maxmemory policy bounds the whole). The store is a cache: when Redis is slow or down, a
 * lookup is a miss (the client sends its document again and it runs) and a registration is
 * skipped, with a warning, never a failed request.
 */
function redisStore(
  { client, keyPrefix }: NonNullable<ApqOptions['redis']>,
  { maxDocumentLength, ttlMs }: { maxDocumentLength: number; ttlMs: number },
  log: Logger,
): APQStore {
  const key = (hash: string) => `${keyPrefix}apq:${hash}`;
  const bounded = async <T>(command: Promise<T>, what: string): Promise<T | null> => {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${redisTimeoutMs} ms`)), redisTimeoutMs);
    });
    try {
      return await Promise.race([command, timedOut]);
    } catch (error) {
      log.warn(`persisted query ${what} in Redis failed: carrying on without it`, { error: (error as Error).message });
      command.catch(() => {});
      return null;
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    // GETEX renews the expiry: a document in use stays.
    get: (hash) => bounded(client.getex(key(hash), 'PX', ttlMs), 'lookup'),
    set: async (hash, document) => {
      if (document.length <= maxDocumentLength) await bounded(client.set(key(hash), document, 'PX', ttlMs), 'registration');
    },
  };
}
