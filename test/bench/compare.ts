import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { quoteIdent } from '../../src/db/migrate.ts';
import { pageQuery, personByIdQuery } from './scenarios.ts';
import type { SeededOrg } from './seed.ts';

/**
 * Before anything is measured: the raw-SQL server must answer exactly what the API answers, or
 * the comparison would be between two different jobs. Both are asked for the page and for a few
 * people (and a malformed id); the parsed answers must be deep-equal, and the first difference
 * is thrown with its path.
 */
export async function checkSameAnswers(
  projectBase: string,
  rawBase: string,
  seeded: SeededOrg,
  database: { url: string; schema: string },
  people = 5,
): Promise<number> {
  const client = new pg.Client({ connectionString: database.url, options: `-c search_path=${quoteIdent(database.schema)}` });
  await client.connect();
  try {
    const edgeCases = await addEdgeCases(client, seeded);
    try {
      return await compareAnswers(projectBase, rawBase, seeded, [...edgeCases.personIds, ...spread(seeded.personIds, people)]);
    } finally {
      await removeEdgeCases(client, edgeCases);
    }
  } finally {
    await client.end();
  }
}

function spread(ids: string[], count: number): string[] {
  const step = Math.max(1, Math.floor(ids.length / count));
  return Array.from({ length: count }, (_, index) => ids[(index * step) % ids.length]!);
}

/**
 * The seed has no private notes, archived people, owners, set full names, JSON objects in
 * values or people without a timeline, so the comparison adds, for its own duration, two people
 * who have them: one that sorts first on the page (created in 2000), and an archived one that
 * must be left off the page but found by id. Answers their ids.
 */
interface EdgeCases {
  personIds: string[];
  userId: string;
}

async function addEdgeCases(client: pg.Client, seeded: SeededOrg): Promise<EdgeCases> {
  const org = seeded.organizationId;
  const one = async (sql: string, params: unknown[] = []) => (await client.query<{ id: string }>(sql, params)).rows[0]!.id;
  const adminId = await one(`SELECT id FROM "User" WHERE "organizationId" = $1 AND role = 'ADMIN' ORDER BY "createdAt" LIMIT 1`, [org]);
  const categoryId = await one(`SELECT id FROM "NoteCategory" WHERE "organizationId" = $1 LIMIT 1`, [org]);
  const [first, archived, otherUser] = [randomUUID(), randomUUID(), randomUUID()];
  await client.query(`INSERT INTO "User" (id, "organizationId", email, role) VALUES ($1, $2, $3, 'EDITOR')`, [otherUser, org, `other-${otherUser}@bench.test`]);
  await client.query(
    `INSERT INTO "Person" (id, "organizationId", "givenName", "additionalName", "familyName", "fullName", "ownerId", emails, phones, "createdAt", "updatedAt", "archivedAt")
     VALUES ($1, $3, NULL, 'Middle', 'First', NULL, $4, '{}', '{}', '2000-01-01T00:00:00.123', '2000-01-02T03:04:05.678', NULL),
            ($2, $3, 'Ann', NULL, 'Archived', 'Dr Ann Archived', NULL, '{a@bench.test,b@bench.test}', '{+1}', '2000-01-01T00:00:00', now(), now())`,
    [first, archived, org, adminId],
  );
  const note = (personId: string, authorId: string | null, flagged: boolean, isPrivate: boolean, createdAt: string) =>
    client.query(
      `INSERT INTO "Note" (id, "organizationId", "personId", "authorId", "categoryId", description, flagged, "isPrivate", "createdAt", "updatedAt")
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())`,
      [randomUUID(), org, personId, authorId, categoryId, `note ${createdAt}`, flagged, isPrivate, createdAt],
    );
  // Someone else's private notes are hidden, even when flagged and newest; the caller's own are not.
  await note(first, otherUser, true, true, '2001-01-05');
  await note(first, adminId, false, true, '2001-01-04');
  await note(first, null, false, false, '2001-01-03');
  await note(first, otherUser, true, false, '2001-01-01');
  await note(first, adminId, false, false, '2001-01-02');
  await client.query(
    `INSERT INTO "PersonTag" ("personId", "tagId", "organizationId", value)
     SELECT $1, id, "organizationId", '"a value"'::jsonb FROM "Tag" WHERE "organizationId" = $2 ORDER BY title LIMIT 2`,
    [first, org],
  );
  await client.query(
    `INSERT INTO "PersonCompany" ("personId", "companyId", "organizationId", position)
     SELECT $1, id, "organizationId", (row_number() OVER (ORDER BY name DESC))::int FROM "Company" WHERE "organizationId" = $2 ORDER BY name LIMIT 3`,
    [first, org],
  );
  await client.query(
    `INSERT INTO "PersonFieldValue" ("personId", "fieldId", "organizationId", value, "updatedAt")
     SELECT $1, id, "organizationId", '{"nested": [1, 2.5, "x", null], "empty": {}}'::jsonb, now() FROM "CustomField" WHERE "organizationId" = $2`,
    [first, org],
  );
  await client.query(
    `INSERT INTO "TimelineEvent" (id, "organizationId", "personId", type, "actorId", "occurredAt")
     VALUES ($1, $3, $4, 'PERSON_UPDATED', NULL, '2002-02-02T02:02:02.002'), ($2, $3, $4, 'NOTE_ADDED', $5, '2002-02-02T02:02:02.002')`,
    [randomUUID(), randomUUID(), org, archived, adminId],
  );
  return { personIds: [first, archived], userId: otherUser };
}

async function removeEdgeCases(client: pg.Client, { personIds, userId }: EdgeCases): Promise<void> {
  // Their notes, tags, companies, values and events go with them (ON DELETE CASCADE).
  await client.query(`DELETE FROM "Person" WHERE id = ANY($1)`, [personIds]);
  await client.query(`DELETE FROM "User" WHERE id = $1`, [userId]);
}

async function compareAnswers(projectBase: string, rawBase: string, seeded: SeededOrg, ids: string[]): Promise<number> {
  const globalId = (id: string) => Buffer.from(`Person:${id}`).toString('base64');
  const requests: { name: string; query: string; variables?: object }[] = [
    { name: 'page of 50', query: pageQuery },
    ...ids.map((id) => ({ name: `person ${id}`, query: personByIdQuery, variables: { id: globalId(id) } })),
    { name: 'person with a malformed id', query: personByIdQuery, variables: { id: 'not-an-id' } },
  ];
  for (const { name, query, variables } of requests) {
    const [project, raw] = await Promise.all(
      [projectBase, rawBase].map(async (base) => {
        const response = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${seeded.apiKey}` },
          body: JSON.stringify({ query, variables }),
        });
        if (!response.ok) throw new Error(`${name}: ${base} answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
        return (await response.json()) as unknown;
      }),
    );
    const difference = firstDifference(project, raw, '$');
    if (difference) throw new Error(`${name}: the raw server's answer differs from the API's at ${difference}`);
  }
  const unauthorized = await fetch(`${rawBase}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer pgw_not-a-key' },
    body: JSON.stringify({ query: pageQuery }),
  });
  if (unauthorized.status !== 401) throw new Error(`the raw server answered ${unauthorized.status} to an unknown key`);
  return requests.length;
}

/** The path of the first place where a and b differ, with both values; undefined when equal. */
export function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  const show = (value: unknown) => JSON.stringify(value)?.slice(0, 200) ?? String(value);
  const describe = () => `${path}: API ${show(a)}, raw ${show(b)}`;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return describe();
    for (let index = 0; index < Math.max(a.length, b.length); index++) {
      if (index >= a.length || index >= b.length) return `${path}[${index}]: API has ${a.length} items, raw ${b.length}`;
      const difference = firstDifference(a[index], b[index], `${path}[${index}]`);
      if (difference) return difference;
    }
    return undefined;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      if (!(key in a) || !(key in b)) return `${path}.${key}: ${key in a ? 'missing in raw' : 'missing in API'} (${show(key in a ? a[key] : b[key])})`;
      const difference = firstDifference(a[key], b[key], `${path}.${key}`);
      if (difference) return difference;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : describe();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
