import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { openDatabase } from '../db/database.ts';
import { createPrismaClient, type PrismaClient } from '../db/prisma.ts';
import { createLogger } from '../logger.ts';
import { ValidationError } from '../shared/errors.ts';

/**
 * Runs a command against the configured database: PostgreSQL with DATABASE_URL, else the
 * embedded one (through the running server's socket when the server holds it). Prints the
 * command's result as one line of JSON on stdout; failures go to stderr with exit code 1.
 */
export async function runCommand<T>(
  options: NonNullable<Parameters<typeof parseArgs>[0]>['options'],
  command: (prisma: PrismaClient, values: Record<string, string | boolean | undefined>) => Promise<T>,
): Promise<void> {
  const config = loadConfig();
  const log = createLogger(process.env.LOG_LEVEL ? config.logLevel : 'warn');
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ options, strict: true }).values as typeof values;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const database = await openDatabase(config, log);
  const prisma = createPrismaClient({ url: database.url, poolSize: 1 });
  try {
    const result = await command(prisma, values);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (error) {
    const message =
      error instanceof ValidationError
        ? error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n')
        : (error as Error).message;
    process.stderr.write(`${message}\n`);
    process.exitCode = 1;
  } finally {
    await prisma.$disconnect();
    await database.close();
  }
}

export function required(values: Record<string, string | boolean | undefined>, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value.trim() === '') {
    process.stderr.write(`--${name} is required\n`);
    process.exit(2);
  }
  return value;
}
