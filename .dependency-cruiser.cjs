/**
 * How src/ may import (npm run -s check:imports, run by CI). Lowest first:
 *   shared layers  src/shared (actor, errors, validation, live events), src/db, src/graphql, src/http
 *   domains        accounts; timeline; tags, groups, projects, fields, notes, avatars, privacy, webhooks; people;
 *                  imports, merges, duplicates
 *   composition    src/schema (the schema of every domain, federation), src/compiled-reads,
 *                  src/scripts and the entry points index.ts, server.ts, yoga.ts
 * (config.ts, logger.ts and redis.ts at the top of src/ are read by every layer and import only shared layers.)
 * A domain uses another only through its index.ts; nothing below imports what is above it; no circles.
 */
const domains = '(people|notes|tags|groups|projects|fields|timeline|imports|merges|avatars|accounts|privacy|duplicates|webhooks)';
const shared = '^src/(shared|db|graphql|http|telemetry)/';
const composition = '^src/(schema|compiled-reads|scripts)/|^src/(index|server|yoga)[.]ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A circle makes load order matter and every file in it depend on every other.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'shared-not-to-domain',
      comment: 'The shared layers sit under every domain: they may not know any of them.',
      severity: 'error',
      from: { path: shared },
      to: { path: `^src/${domains}/` },
    },
    {
      name: 'nothing-up-to-composition',
      comment: 'Only the entry points put the domains together; nothing under them imports them.',
      severity: 'error',
      from: { path: `${shared}|^src/${domains}/` },
      to: { path: composition },
    },
    {
      name: 'domain-only-via-index',
      comment: "Another domain's inner files are its own: use what its index.ts exports.",
      severity: 'error',
      from: { path: `^src/${domains}/` },
      to: { path: `^src/${domains}/`, pathNot: ['^src/$1/', `^src/${domains}/index[.]ts$`] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^src/generated/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
