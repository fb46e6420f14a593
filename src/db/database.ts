import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import { migrate } from './migrate.ts';

export interface Database {
  url: string;
  kind: 'postgresql' | 'pglite';
  /** True when no other process can use this database: this one opened the embedded database's files. */
  exclusive: boolean;
  close(): Promise<void>;
}

/** PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise; migrated either way. */
export async function openDatabase(config: Config, log: Logger): Promise<Database> {
  let database: Database;
  if (config.databaseUrl) {
    database = { url: config.databaseUrl, kind: 'postgresql', exclusive: false, close: async () => {} };
  } else {
    // Imported only here: on PostgreSQL, PGlite's modules are never loaded.
    const { openEmbeddedDatabase } = await import('./embedded.ts');
    const embedded = await openEmbeddedDatabase(config.dataDir);
    log.info(embedded.owned ? 'embedded database opened' : 'using the embedded database of the running server', {
      dataDir: config.dataDir,
    });
    database = { url: embedded.url, kind: 'pglite', exclusive: embedded.owned, close: () => embedded.close() };
  }
  const applied = await migrate({ connectionString: database.url });
  if (applied.length > 0) log.info('migrations applied', { applied });
  return database;
}
