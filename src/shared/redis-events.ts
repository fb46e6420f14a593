import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Redis } from 'ioredis';
import type { EventTransport } from './events.ts';

/**
 * Live updates through Redis pub/sub, so that a subscriber on one instance hears of a write on
 * another. Every channel carries the prefix, so that several deployments (or test runs) can share
 * one Redis. Owns the two connections: closing the transport closes them.
 */
export function redisEventTransport({
  publishClient,
  subscribeClient,
  prefix,
  onError,
  close,
}: {
  publishClient: Redis;
  subscribeClient: Redis;
  prefix: string;
  onError: (error: unknown) => void;
  close: () => Promise<void>;
}): EventTransport {
  const target = createRedisEventTarget({ publishClient, subscribeClient });
  const eventTarget = {
    addEventListener: (topic: string, listener: never) => target.addEventListener(prefix + topic, listener),
    removeEventListener: (topic: string, listener: never) => target.removeEventListener(prefix + topic, listener),
    // Published here rather than by the target, whose publish nobody awaits: a failure (Redis
    // away) is reported instead of becoming an unhandled rejection.
    dispatchEvent: (event: CustomEvent) => {
      publishClient.publish(prefix + event.type, JSON.stringify(event.detail)).catch(onError);
      return true;
    },
  };
  return {
    eventTarget: eventTarget as unknown as EventTransport['eventTarget'],
    // SUBSCRIBE again on the same connection: its reply comes after the target's own SUBSCRIBE
    // for this topic, so once it is here Redis delivers every later message of the topic.
    listening: async (topic) => {
      await subscribeClient.subscribe(prefix + topic);
    },
    close,
  };
}
