import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import { defineConfig } from 'prisma/config';

// The JavaScript schema engine with a driver adapter keeps the Prisma CLI offline: it never
// downloads the native schema engine (these machines cannot reach its host). Only
// `prisma migrate diff` connects, so a local PostgreSQL is the default target.
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: path.join('prisma', 'schema.prisma'),
  migrations: { path: path.join('prisma', 'migrations') },
  async adapter() {
    return new PrismaPg({
      connectionString: process.env.DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres',
    });
  },
});
