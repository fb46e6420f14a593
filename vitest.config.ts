import { createRequire } from 'node:module';
import { configDefaults, defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql ships an ESM and a CommonJS build. Node gives everything the CommonJS one; vitest
    // would give our transformed sources the ESM one, and two GraphQLError classes break
    // yoga's instanceof checks. One instance, as in production.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // *.postgres.test.ts need a real PostgreSQL server (a streaming replica of it): they run when
    // TEST_DATABASE_URL is set, and are left out, not skipped, on PGlite.
    exclude: process.env.TEST_DATABASE_URL ? configDefaults.exclude : [...configDefaults.exclude, 'test/**/*.postgres.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // PGlite starts in several seconds on these machines, and serves every file through one backend.
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // PGlite is one session behind its socket, and statements of concurrent connections can
    // interleave there (electric-sql/pglite#1046): on it, test files run one after another.
    fileParallelism: Boolean(process.env.TEST_DATABASE_URL),
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
