import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { createLogger } from '../logger.ts';

// Opening the database applies pending migrations; this command does only that.
const config = loadConfig();
const log = createLogger(config.logLevel);
try {
  const database = await openDatabase(config, log);
  await database.close();
  log.info('database is up to date', { database: database.kind });
} catch (error) {
  log.error('migration failed', { error });
  process.exit(1);
}
