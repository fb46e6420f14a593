import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { listMigrations, migrate } from '../../src/db/migrate.ts';
import { dropSchema } from '../support/app.ts';

const databaseUrl = inject('databaseUrl');
const schemas: string[] = [];

function freshSchema(): string {
  const schema = `migrate_${Math.random().toString(36).slice(2, 10)}`;
  schemas.push(schema);
  return schema;
}

afterAll(async () => {
  for (const schema of schemas) await dropSchema(databaseUrl, schema);
});

async function query<T extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function tablesIn(schema: string): Promise<string[]> {
  const rows = await query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [schema],
  );
  return rows.map((row) => row.table_name);
}

async function migrationsDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'migrations-'));
  for (const [name, sql] of Object.entries(files)) {
    await mkdir(path.join(dir, name));
    await writeFile(path.join(dir, name, 'migration.sql'), sql);
  }
  return dir;
}

describe('migrate', () => {
  it('creates the whole schema on a fresh database, recording each migration as Prisma does', async () => {
    const schema = freshSchema();
    const applied = await migrate({ connectionString: databaseUrl, schema });
    const all = await listMigrations();
    expect(applied).toEqual(all.map((migration) => migration.name));
    expect(await tablesIn(schema)).toEqual(
      expect.arrayContaining(['Person', 'Note', 'Tag', 'GroupMembership', 'PersonFieldValue', 'TimelineEvent', '_prisma_migrations']),
    );
    const rows = await query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
      `SELECT migration_name, checksum, finished_at FROM "${schema}"._prisma_migrations ORDER BY migration_name`,
    );
    expect(rows.map((row) => [row.migration_name, row.checksum])).toEqual(all.map((m) => [m.name, m.checksum]));
    expect(rows.every((row) => row.finished_at !== null)).toBe(true);
  });

  it('does nothing when run again', async () => {
    const schema = freshSchema();
    await migrate({ connectionString: databaseUrl, schema });
    expect(await migrate({ connectionString: databaseUrl, schema })).toEqual([]);
  });

  it('leaves nothing of a failing migration and stops there', async () => {
    const schema = freshSchema();
    const dir = await migrationsDir({
      '1_good': 'CREATE TABLE good (id int);',
      '2_bad': 'CREATE TABLE half (id int);\nINSERT INTO no_such_table VALUES (1);',
      '3_after': 'CREATE TABLE after_bad (id int);',
    });
    await expect(migrate({ connectionString: databaseUrl, schema, migrationsDir: dir })).rejects.toThrow(
      /Migration 2_bad failed and was rolled back/,
    );
    expect(await tablesIn(schema)).toEqual(['_prisma_migrations', 'good']);
    const rows = await query<{ migration_name: string }>(`SELECT migration_name FROM "${schema}"._prisma_migrations`);
    expect(rows.map((row) => row.migration_name)).toEqual(['1_good']);
  });

  it('refuses a migration that was edited after it was applied', async () => {
    const schema = freshSchema();
    const dir = await migrationsDir({ '1_first': 'CREATE TABLE first (id int);' });
    await migrate({ connectionString: databaseUrl, schema, migrationsDir: dir });
    await writeFile(path.join(dir, '1_first', 'migration.sql'), 'CREATE TABLE first (id bigint);');
    await expect(migrate({ connectionString: databaseUrl, schema, migrationsDir: dir })).rejects.toThrow(
      /was changed after it was applied/,
    );
  });

  it('applies each migration once when two servers start together', async () => {
    const schema = freshSchema();
    const [a, b] = await Promise.all([
      migrate({ connectionString: databaseUrl, schema }),
      migrate({ connectionString: databaseUrl, schema }),
    ]);
    expect([...a, ...b].sort()).toEqual((await listMigrations()).map((m) => m.name));
  });
});
