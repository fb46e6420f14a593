import { randomBytes } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type ExecutionResult, print } from 'graphql';
import { type Client, createClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import WebSocket from 'ws';
import { createPrismaClient, type PrismaClient } from '../../src/db/prisma.ts';
import { createLogger } from '../../src/logger.ts';
import { liveEvents, serveApp, type ServedApp } from '../../src/server.ts';
import type { EventBus } from '../../src/shared/events.ts';
import { createApp } from '../../src/yoga.ts';
import type { TestApp } from './app.ts';

// Live updates as a client gets them: server instances on real ports, SSE read from fetch, and
// graphql-ws over `ws`.

/** The Redis the suite shares with other runs (the machines run one on the default port). */
export const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A channel prefix of this run's own: the Redis is shared with other runs. */
export function randomRedisPrefix(): string {
  return `pgw:test-${randomBytes(6).toString('hex')}:`;
}

export interface Instance extends ServedApp {
  prisma: PrismaClient;
  events: EventBus;
  /** The WebSocket URL of the same endpoint. */
  wsUrl: string;
  close(): Promise<void>;
}

/** One more server instance over the test app's database schema, with its own connections and events. */
export async function startInstance(test: TestApp, redisPrefix?: string): Promise<Instance> {
  const log = createLogger('error');
  // PGlite serves every connection from one session: one connection per instance.
  const prisma = createPrismaClient({
    url: test.databaseUrl,
    schema: test.schema,
    poolSize: inject('embedded') ? 1 : 4,
    preparedStatements: !inject('embedded'),
  });
  const events = await liveEvents({ redisUrl: redisPrefix ? redisUrl : undefined, redisPrefix: redisPrefix ?? '' }, log);
  const app = createApp({ prisma, log, dbSchema: test.schema, events });
  const served = await serveApp(app, { port: 0, host: '127.0.0.1' }, log);
  return {
    ...served,
    prisma,
    events,
    wsUrl: served.url.replace(/^http/, 'ws'),
    async close() {
      await served.webSocket.close();
      await events.close();
      served.server.closeAllConnections();
      await new Promise((resolve) => served.server.close(resolve));
      await prisma.$disconnect();
    },
  };
}

export interface Stream<Result> {
  /** The HTTP status of the SSE response (200 once the subscription listens). */
  status: number;
  /** The next `next` payload; done when the server completed the stream. */
  next(): Promise<IteratorResult<ExecutionResult<Result>>>;
  close(): void;
}

/**
 * A subscription over Server-Sent Events (GraphQL over SSE, distinct connections). The response
 * comes once the subscription listens, so an event published after this resolves is not missed.
 */
export async function subscribeOverSse<Result, Variables>(
  fetchFn: (request: Request) => Promise<Response> | Response,
  url: string,
  apiKey: string | undefined,
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
): Promise<Stream<Result> & { body?: string }> {
  const abort = new AbortController();
  const response = await fetchFn(
    new Request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      },
      body: JSON.stringify({ query: print(document), variables }),
      signal: abort.signal,
    }),
  );
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) {
    return { status: response.status, body: await response.text(), next: async () => ({ done: true, value: undefined }), close: () => {} };
  }
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const next = async (): Promise<IteratorResult<ExecutionResult<Result>>> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trimStart())
          .join('\n');
        if (event === 'complete') return { done: true, value: undefined };
        if (event === 'next' || (event === undefined && data)) return { done: false, value: JSON.parse(data) as ExecutionResult<Result> };
        continue; // a keep-alive comment
      }
      const chunk = await reader.read();
      if (chunk.done) return { done: true, value: undefined };
      buffer += chunk.value;
    }
  };
  return { status: response.status, next, close: () => abort.abort() };
}

/** A graphql-ws client with the key in connectionParams; its socket's close is reported to `closed`. */
export function webSocketClient(
  url: string,
  apiKey: string | undefined,
): { client: Client; connected: Promise<void>; closed: Promise<{ code: number; reason: string }> } {
  let reportClose: (event: { code: number; reason: string }) => void = () => {};
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (reportClose = resolve));
  let reportConnected: () => void = () => {};
  const connected = new Promise<void>((resolve) => (reportConnected = resolve));
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
    retryAttempts: 0,
    on: { connected: () => reportConnected(), closed: (event) => reportClose(event as { code: number; reason: string }) },
  });
  return { client, connected, closed };
}

export function subscribeOverWebSocket<Result, Variables>(
  client: Client,
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
): AsyncIterableIterator<ExecutionResult<Result>> {
  return client.iterate({ query: print(document), variables: variables as Record<string, unknown> }) as AsyncIterableIterator<
    ExecutionResult<Result>
  >;
}

/**
 * Resolves once some instance listens to the channel on Redis. A WebSocket client is not told
 * when its subscription starts; the channel's subscriber count is what says it does.
 */
export async function untilRedisListens(channel: string): Promise<void> {
  const redis = new Redis(redisUrl);
  try {
    for (;;) {
      const [, count] = (await redis.pubsub('NUMSUB', channel)) as [string, number];
      if (Number(count) > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    redis.disconnect();
  }
}
