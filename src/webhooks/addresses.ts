import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { DomainError } from '../shared/errors.ts';

/** Why a webhook URL is refused; each is a value of the schema's WebhookUrlRefusal. */
export type WebhookUrlRefusal = 'INVALID_URL' | 'SCHEME_NOT_ALLOWED' | 'LOOPBACK' | 'PRIVATE' | 'LINK_LOCAL' | 'METADATA' | 'UNRESOLVABLE';

export class WebhookUrlRefusedError extends DomainError {
  constructor(
    readonly reason: WebhookUrlRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'WebhookUrlRefusedError';
  }
}

/** Whether loopback addresses (and plain http to them) are allowed: tests and development only (WEBHOOKS_ALLOW_LOOPBACK). */
export interface WebhookUrlPolicy {
  allowLoopback: boolean;
}

// Cloud instance metadata services: the classic way to turn a server's outbound request into its credentials.
const metadataHosts = new Set(['metadata.google.internal', 'metadata.goog', 'metadata']);
const metadata = blockList([['169.254.169.254', 32], ['169.254.170.2', 32], ['100.100.100.200', 32], ['fd00:ec2::254', 128]]);
const loopback = blockList([['127.0.0.0', 8], ['::1', 128]]);
const linkLocal = blockList([['169.254.0.0', 16], ['fe80::', 10]]);
// Private, shared, reserved, multicast and unspecified: none is a receiver on the internet.
const nonPublic = blockList([
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16],
  ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4], ['::', 128], ['fc00::', 7], ['ff00::', 8],
]);

function blockList(subnets: [string, number][]): BlockList {
  const list = new BlockList();
  for (const [address, prefix] of subnets) list.addSubnet(address, prefix, isIP(address) === 6 ? 'ipv6' : 'ipv4');
  return list;
}

/** The reason an address may not be called, or undefined when it may. BlockList matches IPv4-mapped IPv6 addresses as IPv4. */
function addressRefusal(address: string, policy: WebhookUrlPolicy): WebhookUrlRefusal | undefined {
  const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  if (metadata.check(address, type)) return 'METADATA';
  if (loopback.check(address, type)) return policy.allowLoopback ? undefined : 'LOOPBACK';
  if (linkLocal.check(address, type)) return 'LINK_LOCAL';
  if (nonPublic.check(address, type)) return 'PRIVATE';
  return undefined;
}

const refusalMessages: Record<WebhookUrlRefusal, string> = {
  INVALID_URL: 'is not an absolute URL',
  SCHEME_NOT_ALLOWED: 'must use https (http only to a loopback address, where the server allows loopback)',
  LOOPBACK: 'points at a loopback address',
  PRIVATE: 'points at a private or reserved address',
  LINK_LOCAL: 'points at a link-local address',
  METADATA: 'points at a cloud metadata service',
  UNRESOLVABLE: 'names a host that does not resolve',
};

function refuse(reason: WebhookUrlRefusal, url: string): never {
  throw new WebhookUrlRefusedError(reason, `The webhook URL ${JSON.stringify(url)} ${refusalMessages[reason]}.`);
}

export interface CheckedUrl {
  url: URL;
  /** The address to connect to: one of those the host resolved to, all of which passed. */
  address: string;
  family: 4 | 6;
}

/**
 * Checks a URL and the addresses its host resolves to now. Called when an endpoint is saved and
 * again before every delivery, whose connection then goes to the address checked here (not to a
 * second lookup that could answer differently).
 */
export async function checkWebhookUrl(text: string, policy: WebhookUrlPolicy): Promise<CheckedUrl> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse('INVALID_URL', text);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse('SCHEME_NOT_ALLOWED', text);
  if (url.username || url.password) refuse('INVALID_URL', text);
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
  if (metadataHosts.has(host)) refuse('METADATA', text);
  let addresses: { address: string; family: number }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await lookup(host, { all: true, verbatim: true });
    } catch {
      return refuse('UNRESOLVABLE', text);
    }
    if (addresses.length === 0) refuse('UNRESOLVABLE', text);
  }
  // Every address must pass: a host resolving to one public and one private address is refused.
  for (const { address } of addresses) {
    const refusal = addressRefusal(address, policy);
    if (refusal) refuse(refusal, text);
  }
  if (url.protocol === 'http:' && !addresses.every(({ address }) => loopback.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4'))) {
    refuse('SCHEME_NOT_ALLOWED', text);
  }
  const [first] = addresses;
  return { url, address: first!.address, family: first!.family === 6 ? 6 : 4 };
}
