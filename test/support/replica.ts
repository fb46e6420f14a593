import { execFile } from 'node:child_process';
import { chown, mkdtemp, readdir, readFile, rm, writeFile, appendFile, chmod } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

export interface StreamingReplica {
  /** The primary's URL with the replica's host and port: same database, same roles. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * A hot-standby replica of the local PostgreSQL that `primaryUrl` names, streaming from it: a
 * `pg_basebackup -R` run as the postgres OS user into a directory under /tmp, started with
 * pg_ctl on a free port. The primary must allow a replication connection: a `local replication
 * postgres peer` line is added to its pg_hba.conf (once; a fresh machine has none) and the
 * configuration reloaded. Needs root (runuser) and the server on this machine.
 */
export async function startStreamingReplica(primaryUrl: string): Promise<StreamingReplica> {
  const settings = await primarySettings(primaryUrl);
  if (settings.wal_level === 'minimal') throw new Error('The primary runs with wal_level = minimal: a replica needs replica or logical (and a restart).');
  await allowLocalReplication(primaryUrl, settings.hba_file!);
  const bin = await postgresBin();
  const postgres = await osUser('postgres');
  const base = await mkdtemp('/tmp/pgw-replica-');
  await chown(base, postgres.uid, postgres.gid);
  await chmod(base, 0o700);
  const data = path.join(base, 'data');
  const asPostgres = (command: string, args: string[]) => run('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args]);
  try {
    const socketDir = settings.unix_socket_directories!.split(',')[0]!.trim();
    // A reload is applied by the server a moment after pg_reload_conf() answers: the first
    // replication connection may still be refused.
    await retry(() =>
      asPostgres('pg_basebackup', ['-D', data, '-R', '-X', 'stream', '-c', 'fast', '-h', socketDir, '-p', settings.port!, '-U', 'postgres']),
    );
    const port = await freePort();
    // Debian keeps the configuration outside the data directory, so the copy has none: an empty
    // one, and the replica's settings (with what a hot standby must have at least as high as its
    // primary) at the end of postgresql.auto.conf, after pg_basebackup's primary_conninfo, where
    // they win over any ALTER SYSTEM setting copied from the primary.
    await writeOwned(postgres, path.join(data, 'postgresql.conf'), '');
    await appendFile(path.join(data, 'postgresql.auto.conf'), [
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${base}'`,
      'hot_standby = on',
      'shared_buffers = 16MB',
      ...['max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction'].map(
        (name) => `${name} = ${settings[name]}`,
      ),
    ].map((line) => `${line}\n`).join(''));
    await writeOwned(postgres, path.join(data, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
    await writeOwned(postgres, path.join(data, 'pg_ident.conf'), '');
    await asPostgres('pg_ctl', ['-D', data, '-l', path.join(base, 'server.log'), '-w', '-t', '120', 'start']);
    const url = new URL(primaryUrl);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    return {
      url: url.toString(),
      port,
      async stop() {
        await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
        await rm(base, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    const log = await readFile(path.join(base, 'server.log'), 'utf8').catch(() => '');
    await rm(base, { recursive: true, force: true });
    throw new Error(`Starting a replica failed: ${String(error)}\n${log}`);
  }
}

async function primarySettings(primaryUrl: string): Promise<Record<string, string | undefined>> {
  const names = [
    'wal_level',
    'hba_file',
    'unix_socket_directories',
    'port',
    'max_connections',
    'max_worker_processes',
    'max_wal_senders',
    'max_prepared_transactions',
    'max_locks_per_transaction',
  ];
  const rows = await query<{ name: string; setting: string }>(primaryUrl, 'SELECT name, setting FROM pg_settings WHERE name = ANY($1)', [names]);
  return Object.fromEntries(rows.map((row) => [row.name, row.setting]));
}

/** Idempotent: adds the line only when the file has no local replication rule yet. */
async function allowLocalReplication(primaryUrl: string, hbaFile: string): Promise<void> {
  const current = await readFile(hbaFile, 'utf8');
  if (/^\s*local\s+replication\s+/m.test(current)) return;
  await appendFile(hbaFile, '\n# people-gateway tests: streaming replicas of this server (test/support/replica.ts)\nlocal replication postgres peer\n');
  await query(primaryUrl, 'SELECT pg_reload_conf()');
}

async function query<Row extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** The newest installed server's binaries: /usr/lib/postgresql/<major>/bin. */
async function postgresBin(): Promise<string> {
  const majors = (await readdir('/usr/lib/postgresql')).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
  if (majors.length === 0) throw new Error('No PostgreSQL server binaries under /usr/lib/postgresql.');
  return path.join('/usr/lib/postgresql', majors[0]!, 'bin');
}

async function osUser(name: string): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

async function writeOwned(owner: { uid: number; gid: number }, file: string, text: string): Promise<void> {
  await writeFile(file, text);
  await chown(file, owner.uid, owner.gid);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function retry<T>(attempt: () => Promise<T>, attempts = 10): Promise<T> {
  for (let index = 1; ; index++) {
    try {
      return await attempt();
    } catch (error) {
      if (index >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}
