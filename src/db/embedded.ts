import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/**
 * The embedded database: PGlite (PostgreSQL in WebAssembly) served on a loopback port, so the
 * application reaches it through the same pg driver adapter as a real PostgreSQL.
 *
 * PGlite may open a data directory from one process only. The process that opens it writes
 * `server.json` (pid and port) beside the data; another process (the org:create command while
 * the server runs) finds it there and connects through the socket instead of opening the files.
 */
export interface EmbeddedDatabase {
  url: string;
  /** True when this process opened the data directory (and so must close it). */
  owned: boolean;
  close(): Promise<void>;
}

interface ServerInfo {
  pid: number;
  port: number;
}

const maxConnections = 32;

export async function openEmbeddedDatabase(dataDir: string | 'memory'): Promise<EmbeddedDatabase> {
  if (dataDir !== 'memory') {
    const running = await findRunningServer(dataDir);
    if (running) {
      return { url: urlFor(running.port), owned: false, close: async () => {} };
    }
    await mkdir(dataDir, { recursive: true });
  }
  const db = await PGlite.create({
    dataDir: dataDir === 'memory' ? undefined : path.join(dataDir, 'pglite'),
    extensions: { pg_trgm, unaccent },
  });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  const infoFile = dataDir === 'memory' ? undefined : path.join(dataDir, 'server.json');
  if (infoFile) {
    await writeFile(infoFile, JSON.stringify({ pid: process.pid, port } satisfies ServerInfo));
  }
  return {
    url: urlFor(port),
    owned: true,
    async close() {
      await server.stop();
      await db.close();
      if (infoFile) await rm(infoFile, { force: true });
    },
  };
}

function urlFor(port: number): string {
  return `postgresql://postgres@127.0.0.1:${port}/postgres`;
}

async function findRunningServer(dataDir: string): Promise<ServerInfo | undefined> {
  let info: ServerInfo;
  try {
    info = JSON.parse(await readFile(path.join(dataDir, 'server.json'), 'utf8')) as ServerInfo;
  } catch {
    return undefined;
  }
  // A file left by a process that died is stale: the data directory is free again.
  if (!isAlive(info.pid) || info.pid === process.pid) return undefined;
  if (!(await acceptsConnections(info.port))) {
    throw new Error(
      `The embedded database in ${dataDir} is held by process ${info.pid}, which does not answer on port ${info.port}. Stop that process and try again.`,
    );
  }
  return info;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function acceptsConnections(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
