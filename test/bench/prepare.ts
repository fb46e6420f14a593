import pg from 'pg';
import { migrate, quoteIdent } from '../../src/db/migrate.ts';
import { createPrismaClient } from '../../src/db/prisma.ts';
import { dropSchema } from '../support/app.ts';
import { type SeededOrg, seedOrganization } from './seed.ts';

/**
 * A fresh bench schema: dropped, migrated, seeded, then analysed. Autovacuum is off on these
 * machines, so without ANALYZE the planner has no statistics for the freshly filled tables and
 * picks plans (nested subqueries for every row before sorting) that are tens of times slower
 * than with them; every figure would measure that instead.
 */
export async function prepareDatabase(databaseUrl: string, schema: string, peopleCount: number): Promise<SeededOrg> {
  await dropSchema(databaseUrl, schema);
  await migrate({ connectionString: databaseUrl, schema });
  const prisma = createPrismaClient({ url: databaseUrl, schema });
  const seedStart = performance.now();
  let seeded: SeededOrg;
  try {
    seeded = await seedOrganization(prisma, peopleCount);
  } finally {
    await prisma.$disconnect();
  }
  const seedSeconds = (performance.now() - seedStart) / 1000;
  const analyzeStart = performance.now();
  const tables = await analyzeSchema(databaseUrl, schema);
  process.stdout.write(
    `seeded ${peopleCount} people in ${seedSeconds.toFixed(1)} s; ANALYZE of ${tables} tables in ${((performance.now() - analyzeStart) / 1000).toFixed(1)} s\n`,
  );
  return seeded;
}

/** ANALYZE on every table of the schema; answers how many there were. */
async function analyzeSchema(databaseUrl: string, schema: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
    for (const { tablename } of rows) await client.query(`ANALYZE ${quoteIdent(schema)}.${quoteIdent(tablename)}`);
    return rows.length;
  } finally {
    await client.end();
  }
}
