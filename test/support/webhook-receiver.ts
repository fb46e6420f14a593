import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One POST a receiver got, and the status it answered. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  payload: { type: string; id: string; organization: string; occurredAt: string; data: Record<string, unknown> & { id: string } };
  status: number;
}

export interface WebhookReceiver {
  url: string;
  received: Received[];
  /** The status to answer a request with (200 unless replaced). */
  respond: (payload: Received['payload'], index: number) => number;
  /** How long it takes to answer, so that deliveries are in flight for a while (0 unless set). */
  delayMs: number;
  /** Resolves once `done` holds of what was received, or fails after the timeout. */
  waitFor(done: (received: Received[]) => boolean, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

/** A real HTTP receiver on 127.0.0.1 (the app's WEBHOOKS_ALLOW_LOOPBACK must be on). */
export async function startReceiver(): Promise<WebhookReceiver> {
  const received: Received[] = [];
  const receiver: WebhookReceiver = {
    url: '',
    received,
    respond: () => 200,
    delayMs: 0,
    async waitFor(done, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!done(received)) {
        if (Date.now() > deadline) throw new Error(`Timed out waiting for deliveries; got ${received.length}: ${received.map((r) => `${r.payload.type}/${r.status}`).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return received;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const payload = JSON.parse(body) as Received['payload'];
      const status = receiver.respond(payload, received.length);
      received.push({ headers: request.headers, body, payload, status });
      setTimeout(() => response.writeHead(status).end(), receiver.delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

/** The verification docs/webhooks.md shows (Standard Webhooks' scheme), run on what arrived. */
export function verifyWebhook(secret: string, headers: IncomingHttpHeaders, body: string, toleranceSeconds = 300): boolean {
  const [id, timestamp, signatures] = ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => String(headers[name] ?? ''));
  if (!id || !timestamp || Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const expected = createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64')).update(`${id}.${timestamp}.${body}`).digest();
  return signatures!.split(' ').some((signature) => {
    const [version, value] = signature.split(',');
    const given = Buffer.from(value ?? '', 'base64');
    return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
  });
}
