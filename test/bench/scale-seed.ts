import { faker } from '@faker-js/faker';
import pg from 'pg';
import { migrate, quoteIdent } from '../../src/db/migrate.ts';

/**
 * The scale seeder (issue 20): one organisation of N people and, beside it, optionally many small
 * ones, written with set-based SQL (generate_series) so that a million people take minutes, not
 * hours. Everything a person can hang on is there in a realistic spread: 1 to 3 emails, a phone,
 * a company for most, 0 to 5 tags, 0 to 3 groups, 0 to 5 notes, 0 to 5 custom-field values, 0 to 8
 * timeline events, and one person in fifty archived.
 *
 * Ids are made from (kind, organisation number, row number), so a bench can name a person
 * without asking the database: see scaleId below and the SQL function of the same shape.
 */
export interface ScaleShape {
  /** People in the big organisation (number 0). */
  people: number;
  /** Small organisations beside it (numbers 1..orgs), each of orgSize people. */
  orgs: number;
  orgSize: number;
}

export interface ScaleDatabase {
  url: string;
  schema: string;
}

/** A bench names one organisation per size shape, so several sizes live side by side. */
export function scaleSchema(shape: ScaleShape): string {
  return shape.orgs > 0 ? `scale_${shape.people}_orgs_${shape.orgs}x${shape.orgSize}` : `scale_${shape.people}`;
}

/** What each kind of row is called in its id's second group. */
export const idKinds = { organization: 0, person: 1, tag: 2, group: 3, company: 4, field: 5, user: 8, category: 9 } as const;

/** A seeded row's id: a UUID (version 7's layout) whose groups hold the organisation, the kind and the row number. */
export function scaleId(kind: keyof typeof idKinds, org: number, row: number): string {
  const hex = (value: number, width: number) => value.toString(16).padStart(width, '0');
  return `${hex(org, 8)}-${hex(idKinds[kind], 4)}-7000-8000-${hex(row, 12)}`;
}

/** Field slugs, types and what the seeder writes in them. */
export const scaleFields = [
  { slug: 'nickname', type: 'TEXT' },
  { slug: 'score', type: 'NUMBER' },
  { slug: 'joined', type: 'DATE' },
  { slug: 'homepage', type: 'URL' },
  { slug: 'languages', type: 'MULTIPLE_SELECT' },
] as const;
export const languageOptions = ['Python', 'Go', 'TypeScript', 'Rust'];

/** How many tags, groups and companies an organisation of this many people gets. */
export function scaleCatalogue(people: number): { tags: number; groups: number; companies: number } {
  return people >= 1000
    ? { tags: 50, groups: 20, companies: Math.max(200, Math.floor(people / 50)) }
    : { tags: 10, groups: 5, companies: 10 };
}

/** Is the schema seeded to the end (the marker is written last, in the seed's own transaction)? */
export async function isSeeded(client: pg.Client, schema: string): Promise<boolean> {
  const { rows } = await client.query<{ exists: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AS exists`,
    [`${quoteIdent(schema)}."ScaleSeed"`],
  );
  return rows[0]!.exists;
}

/** Creates the database if it is missing (CREATE DATABASE cannot run in a transaction, nor IF NOT EXISTS). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } finally {
    await client.end();
  }
}

const log = (message: string) => process.stderr.write(`${message}\n`);

/**
 * Seeds the shape into its schema unless it is there already (then only applies new migrations);
 * answers whether it seeded. A seed that stopped half-way left no marker: its schema is dropped
 * and written again.
 */
export async function seedScale(url: string, shape: ScaleShape): Promise<{ schema: string; seeded: boolean }> {
  const schema = scaleSchema(shape);
  await ensureDatabase(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if (await isSeeded(client, schema)) {
      // Migrations newer than the seed (an index, say) apply to it as they would in production.
      const applied = await migrate({ connectionString: url, schema });
      if (applied.length > 0) {
        log(`applied ${applied.join(', ')} to ${schema}`);
        const { rows } = await client.query<{ tablename: string }>('SELECT tablename FROM pg_tables WHERE schemaname = $1', [schema]);
        for (const { tablename } of rows) await client.query(`ANALYZE ${quoteIdent(schema)}.${quoteIdent(tablename)}`);
      }
      return { schema, seeded: false };
    }
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
    await migrate({ connectionString: url, schema });
    const start = performance.now();
    let step = start;
    const run = async (what: string, sql: string, params: unknown[] = []) => {
      const result = await client.query(sql, params);
      const now = performance.now();
      log(`  ${what}: ${result.rowCount ?? 0} rows in ${((now - step) / 1000).toFixed(1)} s`);
      step = now;
    };
    await client.query(`SET search_path TO ${quoteIdent(schema)}, public`);
    await client.query(`SET maintenance_work_mem = '512MB'`);
    await client.query(`SET work_mem = '64MB'`);
    await client.query('BEGIN');
    // Building an index once over the loaded rows is many times faster than keeping it up to
    // date row by row (the trigram index most of all): the secondary indexes go, and come back
    // from their own definitions, so they are exactly the migrations' ones.
    const { rows: indexes } = await client.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes i
       WHERE schemaname = $1 AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname AND c.connamespace = $1::regnamespace)`,
      [schema],
    );
    for (const { indexname } of indexes) await client.query(`DROP INDEX ${quoteIdent(indexname)}`);
    await writeRows(run, shape);
    await checkSearchText(client);
    for (const { indexname, indexdef } of indexes) await run(`index ${indexname}`, indexdef);
    await client.query('CREATE TABLE "ScaleSeed" (people int NOT NULL, orgs int NOT NULL, "orgSize" int NOT NULL, "seededAt" timestamptz NOT NULL DEFAULT now())');
    await client.query('INSERT INTO "ScaleSeed" (people, orgs, "orgSize") VALUES ($1, $2, $3)', [shape.people, shape.orgs, shape.orgSize]);
    await client.query('COMMIT');
    // Autovacuum may be off: without statistics the planner expects one person per organisation.
    // VACUUM too, for the visibility map that index-only scans (count, keyset pages) rely on.
    await run('VACUUM ANALYZE', `VACUUM (ANALYZE) "Person", "PersonTag", "GroupMembership", "PersonFieldValue", "PersonCompany", "Note", "TimelineEvent", "Company", "Tag", "Group", "CustomField", "Organization", "User", "NoteCategory"`);
    log(`seeded ${shape.people} people${shape.orgs ? ` and ${shape.orgs} organisations of ${shape.orgSize}` : ''} into ${schema} in ${((performance.now() - start) / 1000).toFixed(1)} s`);
    return { schema, seeded: true };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * The seeded search texts are the trigger's: a sample is written again through the trigger (the
 * same value when they agree), and any difference stops the seed.
 */
async function checkSearchText(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{ differ: number }>(
    `WITH sample AS (SELECT id, "searchText" FROM "Person" ORDER BY id LIMIT 200),
          rewritten AS (UPDATE "Person" p SET "searchText" = '' FROM sample WHERE p.id = sample.id RETURNING p.id, p."searchText")
     SELECT count(*)::int AS differ FROM sample JOIN rewritten USING (id) WHERE sample."searchText" <> rewritten."searchText"`,
  );
  if (rows[0]!.differ > 0) throw new Error(`${rows[0]!.differ} of 200 seeded search texts differ from what the trigger writes`);
}

type Run = (what: string, sql: string, params?: unknown[]) => Promise<void>;

async function writeRows(run: Run, shape: ScaleShape): Promise<void> {
  faker.seed(20);
  const unique = (values: string[]) => [...new Set(values)];
  const givenNames = unique(Array.from({ length: 400 }, () => faker.person.firstName()));
  const familyNames = unique(Array.from({ length: 1000 }, () => faker.person.lastName()));
  const jobTitles = unique(Array.from({ length: 100 }, () => faker.person.jobTitle()));
  const companyWords = unique(Array.from({ length: 300 }, () => faker.company.name()));
  const sentences = Array.from({ length: 200 }, () => faker.lorem.sentence());
  const adjectives = unique(Array.from({ length: 100 }, () => faker.word.adjective()));
  const big = scaleCatalogue(shape.people);
  const small = scaleCatalogue(shape.orgSize);

  // The id function the rows below are made with; the same shape as scaleId above.
  await run(
    'id function',
    `CREATE FUNCTION pg_temp.sid(kind int, org int, n bigint) RETURNS text IMMUTABLE LANGUAGE sql AS $$
       SELECT lpad(to_hex(org), 8, '0') || '-' || lpad(to_hex(kind), 4, '0') || '-7000-8000-' || lpad(to_hex(n), 12, '0')
     $$`,
  );
  // A stable pseudo-random number in [0, m) for (n, salt): the spread is the same on every run.
  await run(
    'spread function',
    `CREATE FUNCTION pg_temp.pick(n bigint, salt int, m int) RETURNS int IMMUTABLE LANGUAGE sql AS $$
       SELECT ((hashint8(n * 1000 + salt)::bigint & 2147483647) % m)::int
     $$`,
  );
  await run(
    'organisations',
    `CREATE TEMP TABLE orgs AS
       SELECT 0 AS no, $1::int AS size, $2::int AS tags, $3::int AS groups, $4::int AS companies
       UNION ALL
       SELECT no, $5, $6, $7, $8 FROM generate_series(1, $9::int) AS no`,
    [shape.people, big.tags, big.groups, big.companies, shape.orgSize, small.tags, small.groups, small.companies, shape.orgs],
  );
  await run('Organization', `INSERT INTO "Organization" (id, name) SELECT pg_temp.sid(0, no, 0), CASE WHEN no = 0 THEN 'Scale Org' ELSE 'Small Org ' || no END FROM orgs`);
  await run(
    'User',
    `INSERT INTO "User" (id, "organizationId", email, name, role)
     SELECT pg_temp.sid(8, no, 1), pg_temp.sid(0, no, 0), 'admin' || no || '@scale.test', 'Admin ' || no, 'ADMIN' FROM orgs`,
  );
  await run('NoteCategory', `INSERT INTO "NoteCategory" (id, "organizationId", title) SELECT pg_temp.sid(9, no, 1), pg_temp.sid(0, no, 0), 'Call' FROM orgs`);
  await run(
    'Tag',
    `INSERT INTO "Tag" (id, "organizationId", title, "titleKey")
     SELECT pg_temp.sid(2, no, k), pg_temp.sid(0, no, 0), 'Tag ' || k, 'tag ' || k FROM orgs, generate_series(0, tags - 1) AS k`,
  );
  await run(
    'Group',
    `INSERT INTO "Group" (id, "organizationId", title, "updatedAt")
     SELECT pg_temp.sid(3, no, k), pg_temp.sid(0, no, 0), 'Group ' || k, now() FROM orgs, generate_series(0, groups - 1) AS k`,
  );
  await run(
    'CustomField',
    `INSERT INTO "CustomField" (id, "organizationId", title, slug, type, options, "updatedAt")
     SELECT pg_temp.sid(5, no, k), pg_temp.sid(0, no, 0), f.slug, f.slug, f.type::"CustomFieldType",
            CASE WHEN f.type = 'MULTIPLE_SELECT' THEN $3::text[] ELSE '{}' END, now()
     FROM orgs, unnest($1::text[], $2::text[]) WITH ORDINALITY AS f(slug, type, k)`,
    [scaleFields.map((field) => field.slug), scaleFields.map((field) => field.type), languageOptions],
  );
  await run(
    'Company',
    `INSERT INTO "Company" (id, "organizationId", name, "nameKey")
     SELECT pg_temp.sid(4, no, k), pg_temp.sid(0, no, 0), name, lower(name)
     FROM orgs, generate_series(0, companies - 1) AS k,
          LATERAL (SELECT ($1::text[])[1 + pg_temp.pick(k, no, array_length($1::text[], 1))] || ' ' || k AS name) AS c`,
    [companyWords],
  );
  // The people, numbered 1..size in each organisation; createdAt rises with the number (a new
  // person every few minutes back from now), so the default order is the numbering.
  await run(
    'people numbering',
    `CREATE TEMP TABLE seq AS
       SELECT no, n, pg_temp.sid(0, no, 0) AS org, pg_temp.sid(1, no, n) AS id
       FROM orgs, generate_series(1, size) AS n`,
  );
  await replicaMode(run, true);
  await run(
    'PersonCompany',
    `INSERT INTO "PersonCompany" ("personId", "companyId", "organizationId", position)
     SELECT s.id, pg_temp.sid(4, s.no, pg_temp.pick(s.n, 1, o.companies)), s.org, 0
     FROM seq s JOIN orgs o USING (no) WHERE pg_temp.pick(s.n, 2, 10) < 8`,
  );
  // searchText as Person's trigger (migration 20261123100000_search) makes it, set-based: the
  // trigger's query per row is most of a million people's time. checkSearchText proves them equal.
  await run(
    'Person',
    `INSERT INTO "Person" (id, "organizationId", "givenName", "familyName", "jobTitle", emails, phones,
                           "createdAt", "updatedAt", "archivedAt", "createdById", "searchText")
     SELECT id, org, g, f, job, emails, phones, created, created, archived, creator,
            ' ' || document || ' ' || regexp_replace(document, '[^[:alnum:]]+', ' ', 'g') || ' '
     FROM (
       SELECT s.id, s.org, g, f, job, emails, phones, created, CASE WHEN s.n % 50 = 0 THEN created + interval '1 day' END AS archived,
              pg_temp.sid(8, s.no, 1) AS creator,
              lower(public.unaccent('public.unaccent'::regdictionary,
                concat_ws(' ', g, f, job, array_to_string(emails, ' '), array_to_string(phones, ' '), c.name))) AS document
       FROM seq s JOIN orgs o USING (no)
       LEFT JOIN "PersonCompany" pc ON pc."personId" = s.id
       LEFT JOIN "Company" c ON c.id = pc."companyId",
       LATERAL (SELECT ($1::text[])[1 + pg_temp.pick(s.n, 3, array_length($1::text[], 1))] AS g,
                       ($2::text[])[1 + pg_temp.pick(s.n, 4, array_length($2::text[], 1))] AS f,
                       ($3::text[])[1 + pg_temp.pick(s.n, 5, array_length($3::text[], 1))] AS job,
                       timestamptz '2026-12-01' - (o.size - s.n) * interval '97 seconds' AS created) AS v,
       LATERAL (SELECT (ARRAY[lower(g || '.' || f || '.' || s.n || '@mail' || s.no || '.test'),
                              lower(left(g, 1) || f || s.n || '@work' || s.no || '.test'),
                              lower(f || '.' || s.n || '@home.test')])[1:1 + pg_temp.pick(s.n, 6, 3)] AS emails,
                       ARRAY['+46 70 ' || lpad(s.no::text, 4, '0') || ' ' || lpad(s.n::text, 7, '0')] AS phones) AS w
     ) AS people`,
    [givenNames, familyNames, jobTitles],
  );
  // 0 to 5 tags and 0 to 3 groups: k-th of a person's at (start + 7k) mod count, all distinct.
  await run(
    'PersonTag',
    `INSERT INTO "PersonTag" ("personId", "tagId", "organizationId")
     SELECT s.id, pg_temp.sid(2, s.no, (pg_temp.pick(s.n, 7, o.tags) + 7 * k) % o.tags), s.org
     FROM seq s JOIN orgs o USING (no), generate_series(1, pg_temp.pick(s.n, 8, 6)) AS k`,
  );
  await run(
    'GroupMembership',
    `INSERT INTO "GroupMembership" ("groupId", "personId", "organizationId", role)
     SELECT pg_temp.sid(3, s.no, (pg_temp.pick(s.n, 9, o.groups) + 3 * k) % o.groups), s.id, s.org,
            CASE WHEN pg_temp.pick(s.n, 10, 20) = 0 THEN 'MANAGER'::"GroupRole" ELSE 'MEMBER'::"GroupRole" END
     FROM seq s JOIN orgs o USING (no), generate_series(1, pg_temp.pick(s.n, 11, 4)) AS k`,
  );
  // 0 to 5 of the five fields: the first k of them, each value spread over its own range.
  await run(
    'PersonFieldValue',
    `INSERT INTO "PersonFieldValue" ("personId", "fieldId", "organizationId", value, "updatedAt")
     SELECT s.id, pg_temp.sid(5, s.no, k), s.org,
            CASE k
              WHEN 1 THEN to_jsonb(($1::text[])[1 + pg_temp.pick(s.n, 12, array_length($1::text[], 1))])
              WHEN 2 THEN to_jsonb(pg_temp.pick(s.n, 13, 1000))
              WHEN 3 THEN to_jsonb(to_char(date '2000-01-01' + pg_temp.pick(s.n, 14, 9000), 'YYYY-MM-DD'))
              WHEN 4 THEN to_jsonb('https://example.test/' || s.n)
              ELSE to_jsonb(ARRAY[($2::text[])[1 + pg_temp.pick(s.n, 15, 4)], ($2::text[])[1 + (pg_temp.pick(s.n, 15, 4) + 1) % 4]])
            END,
            now()
     FROM seq s, generate_series(1, pg_temp.pick(s.n, 16, 6)) AS k`,
    [adjectives, languageOptions],
  );
  await run(
    'Note',
    `INSERT INTO "Note" (id, "organizationId", "personId", "authorId", "categoryId", description, flagged, "createdAt", "updatedAt")
     SELECT pg_temp.sid(6, s.no, s.n * 8 + k), s.org, s.id, pg_temp.sid(8, s.no, 1), pg_temp.sid(9, s.no, 1),
            ($1::text[])[1 + pg_temp.pick(s.n * 8 + k, 17, array_length($1::text[], 1))],
            pg_temp.pick(s.n * 8 + k, 18, 10) = 0, at, at
     FROM seq s, generate_series(1, pg_temp.pick(s.n, 19, 6)) AS k,
          LATERAL (SELECT timestamptz '2026-12-01' - pg_temp.pick(s.n * 8 + k, 20, 365 * 24 * 60) * interval '1 minute' AS at) AS t`,
    [sentences],
  );
  await run(
    'TimelineEvent',
    `INSERT INTO "TimelineEvent" (id, "organizationId", "personId", type, "actorId", "occurredAt")
     SELECT pg_temp.sid(7, s.no, s.n * 16 + k), s.org, s.id,
            (ARRAY['PERSON_UPDATED', 'TAG_ADDED', 'NOTE_ADDED', 'FIELD_SET'])[1 + pg_temp.pick(s.n * 16 + k, 21, 4)],
            pg_temp.sid(8, s.no, 1),
            timestamptz '2026-12-01' - pg_temp.pick(s.n * 16 + k, 22, 365 * 24 * 60) * interval '1 minute'
     FROM seq s, generate_series(1, pg_temp.pick(s.n, 23, 9)) AS k`,
  );
  await replicaMode(run, false);
}

/**
 * Replica mode skips triggers, foreign-key checks included: the seeder's rows are consistent by
 * construction, and checking 10 million references one by one is most of the time otherwise.
 */
async function replicaMode(run: Run, on: boolean): Promise<void> {
  await run(on ? 'triggers off' : 'triggers on', `SET session_replication_role = ${on ? 'replica' : 'origin'}`);
}
