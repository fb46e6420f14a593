import type { TestProject } from 'vitest/node';
import { openEmbeddedDatabase } from '../../src/db/embedded.ts';

/**
 * One database server for the whole run: the PostgreSQL in TEST_DATABASE_URL, or else an
 * in-memory PGlite started once here (it takes seconds). Each test file then works in a
 * PostgreSQL schema of its own (see test/support/app.ts).
 */
export default async function setup(project: TestProject) {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('databaseUrl', external);
    project.provide('embedded', false);
    return;
  }
  const embedded = await openEmbeddedDatabase('memory');
  project.provide('databaseUrl', embedded.url);
  project.provide('embedded', true);
  return () => embedded.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    /** PGlite: one connection at a time (see vitest.config.ts). */
    embedded: boolean;
  }
}
