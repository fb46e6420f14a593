import { createHmac, randomBytes } from 'node:crypto';

/** A new endpoint secret, in Standard Webhooks' form: `whsec_` and 24 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

/**
 * The headers of a delivery, as the Standard Webhooks specification has them
 * (https://www.standardwebhooks.com): the signature is HMAC-SHA256, keyed with the secret's bytes,
 * over `{id}.{timestamp}.{body}`, so that its libraries verify ours.
 */
export function signatureHeaders(secret: string, id: string, timestamp: Date, body: string): Record<string, string> {
  const seconds = Math.floor(timestamp.getTime() / 1000).toString();
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${seconds}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': seconds, 'webhook-signature': `v1,${signature}` };
}
