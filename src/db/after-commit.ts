// The generated client's type, not ./prisma.ts: that module installs this one on every client it makes.
import type { PrismaClient } from '../generated/prisma/client.ts';

/** The client, or a transaction's `tx`: only its identity is used, to find what it has noted. */
type Db = object;

/**
 * Things to announce once a write is committed (live updates), never for a write that was rolled
 * back. A service notes them with afterCommit on whatever it writes through: inside an
 * interactive transaction they wait for its commit and are dropped when it rolls back (a failed
 * mutation, a dry run); on the client itself, the statement has committed already.
 */

type Listener = (items: readonly object[]) => void;

/** Each open interactive transaction (its `tx` object) and what it has noted so far. */
const pendingByTransaction = new WeakMap<object, object[]>();
const listenersByClient = new WeakMap<object, Set<Listener>>();

/**
 * Makes the client's interactive transactions collect what is noted in them and hand it to the
 * client's listeners after the commit. (Prisma has no commit hook; wrapping `$transaction` here
 * covers every service's transaction without each of them having to remember it.)
 */
export function trackCommits(client: PrismaClient): void {
  const begin = client.$transaction as (this: object, ...args: unknown[]) => Promise<unknown>;
  // A function of its own `this`: a transaction's `tx` reaches this same property, and its
  // `tx.$transaction` must open a savepoint in that transaction, not a new one on the client
  // (which would also wait for a second connection the first holds).
  async function tracked(this: object, work: unknown, ...options: unknown[]) {
    if (typeof work !== 'function') return begin.call(this, work, ...options);
    const pending: object[] = [];
    const result = await begin.call(
      this,
      async (tx: object) => {
        pendingByTransaction.set(tx, pending);
        return (work as (tx: object) => Promise<unknown>)(tx);
      },
      ...options,
    );
    // A nested transaction (a savepoint) is committed only with the transaction around it.
    const outer = pendingByTransaction.get(this);
    if (outer) outer.push(...pending);
    else committed(client, pending);
    return result;
  }
  Object.defineProperty(client, '$transaction', { value: tracked, configurable: true, writable: true });
}

/** Calls the listener with what each committed write noted; answers what stops listening. */
export function onCommit<Item extends object>(client: PrismaClient, listener: (items: readonly Item[]) => void): () => void {
  let listeners = listenersByClient.get(client);
  if (!listeners) listenersByClient.set(client, (listeners = new Set()));
  listeners.add(listener as Listener);
  return () => listeners.delete(listener as Listener);
}

/** Notes an item to hand to the listeners once what `db` wrote is committed. */
export function afterCommit(db: Db, item: object): void {
  const pending = pendingByTransaction.get(db);
  if (pending) pending.push(item);
  else committed(db, [item]);
}

/** How much a transaction has noted so far: give it to discardNotedSince when rolling back to a savepoint. */
export function notedSoFar(tx: Db): number {
  return pendingByTransaction.get(tx)?.length ?? 0;
}

/** Forgets what was noted after the mark: the savepoint it was taken at was rolled back. */
export function discardNotedSince(tx: Db, mark: number): void {
  pendingByTransaction.get(tx)?.splice(mark);
}

function committed(client: object, items: readonly object[]): void {
  if (items.length === 0) return;
  for (const listener of listenersByClient.get(client) ?? []) listener(items);
}
