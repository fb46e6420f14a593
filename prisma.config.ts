import path from 'node:path';
import { defineConfig } from 'prisma/config';

// The CLI is used only for `prisma generate` (see package.json: it runs offline when
// PRISMA_SCHEMA_ENGINE_BINARY names any existing file, since generate never starts that engine).
// Migrations are applied by the project's own runner (src/db/migrate.ts), so the URL below is
// never connected to; the CLI only needs one to read the schema.
export default defineConfig({
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres' },
});
