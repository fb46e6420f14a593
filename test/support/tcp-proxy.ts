import net from 'node:net';

/**
 * A TCP proxy to a database, which a test closes to make the database unreachable for the app
 * behind it (the shared database itself is never stopped) and opens again on the same port.
 */
export interface TcpProxy {
  /** The target's url with the proxy's host and port. */
  url: string;
  /** Stops listening and cuts every open connection: new ones are refused. */
  close(): Promise<void>;
  /** Listens again on the same port. */
  open(): Promise<void>;
  /** Cuts every open connection and accepts new ones without ever answering: a database that hangs. */
  hang(): void;
  /** Forwards new connections again after hang(). */
  resume(): void;
}

export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  let hanging = false;
  const server = net.createServer((client) => {
    if (hanging) {
      sockets.add(client);
      client.once('close', () => sockets.delete(client));
      client.on('error', () => {});
      return;
    }
    const upstream = net.connect({ host: target.hostname, port: Number(target.port || 5432) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      // Either side may be cut at any moment; the other then goes too.
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
    open: () => listen(port),
    hang() {
      hanging = true;
      for (const socket of sockets) socket.destroy();
    },
    resume() {
      hanging = false;
      for (const socket of sockets) socket.destroy();
    },
  };
}
