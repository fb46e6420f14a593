import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

/**
 * Applies prisma/migrations/<name>/migration.sql in order. Prisma's own `migrate deploy` cannot
 * run on these machines (its WASM schema engine fails on PostgreSQL's `name` type and the
 * native one cannot be downloaded), so this does the same job: each migration in its own
 * transaction, under an advisory lock, recorded in `_prisma_migrations` with Prisma's columns
 * and checksum so that Prisma's tools, where they run, agree about what was applied.
 */
export const defaultMigrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

export interface MigrateOptions {
  connectionString: string;
  /** The PostgreSQL schema to migrate; tests give each file a schema of its own. */
  schema?: string;
  migrationsDir?: string;
}

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export class MigrationError extends Error {}

export async function listMigrations(migrationsDir = defaultMigrationsDir): Promise<Migration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(migrationsDir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

/** Applies what is pending and returns the names it applied (none when up to date). */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  const schema = options.schema ?? 'public';
  const migrations = await listMigrations(options.migrationsDir);
  const client = new pg.Client({ connectionString: options.connectionString });
  await client.connect();
  const table = `${quoteIdent(schema)}."_prisma_migrations"`;
  try {
    // Two servers starting at once must not both apply the same migration (nor both create the schema).
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`people-gateway:migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (
      id VARCHAR(36) PRIMARY KEY NOT NULL,
      checksum VARCHAR(64) NOT NULL,
      finished_at TIMESTAMPTZ,
      migration_name VARCHAR(255) NOT NULL,
      logs TEXT,
      rolled_back_at TIMESTAMPTZ,
      started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
      applied_steps_count INTEGER NOT NULL DEFAULT 0
    )`);
    const { rows } = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM ${table} WHERE rolled_back_at IS NULL`,
    );
    const applied = new Map(rows.map((row) => [row.migration_name, row]));
    const appliedNow: string[] = [];
    for (const migration of migrations) {
      const previous = applied.get(migration.name);
      if (previous) {
        if (!previous.finished_at) {
          throw new MigrationError(`Migration ${migration.name} was started but never finished; resolve it by hand.`);
        }
        if (previous.checksum !== migration.checksum) {
          throw new MigrationError(`Migration ${migration.name} was changed after it was applied.`);
        }
        continue;
      }
      if (await applyOne(client, schema, table, migration)) appliedNow.push(migration.name);
    }
    return appliedNow;
  } finally {
    await client.query('SELECT pg_advisory_unlock_all()').catch(() => {});
    await client.end();
  }
}

/** Applies one migration unless another process did meanwhile; true when this call applied it. */
async function applyOne(client: pg.Client, schema: string, table: string, migration: Migration): Promise<boolean> {
  await client.query('BEGIN');
  try {
    // Checked again inside the transaction: PGlite serves all connections from one session, so
    // its advisory lock excludes no one, but its transactions do run one at a time.
    const done = await client.query(`SELECT 1 FROM ${table} WHERE migration_name = $1 AND rolled_back_at IS NULL`, [
      migration.name,
    ]);
    if (done.rowCount) {
      await client.query('ROLLBACK');
      return false;
    }
    // SET LOCAL, not SET: it ends with the transaction, so it cannot leak into other work on
    // a shared session (PGlite serves every connection from one backend).
    await client.query(`SET LOCAL search_path TO ${quoteIdent(schema)}, public`);
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO ${table} (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), now(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await client.query('COMMIT');
    return true;
  } catch (error) {
    await client.query('ROLLBACK');
    throw new MigrationError(`Migration ${migration.name} failed and was rolled back: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

export function quoteIdent(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}
