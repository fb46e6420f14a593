import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { quoteIdent } from '../../src/db/migrate.ts';
import { hashApiKey } from '../../src/accounts/account-service.ts';
import { decodeGlobalId } from '../../src/shared/global-ids.ts';
import { pageQuery, personByIdQuery } from './scenarios.ts';
import { readStats } from './stats.ts';

/**
 * The practical limit the benchmark compares the API with: plain node:http and pg, answering the
 * two nested read scenarios, each with ONE hand-written statement in which PostgreSQL builds the
 * whole response text, which Node passes on without parsing. Only these two queries are known;
 * anything else is a 400.
 *
 * Authentication is part of that one statement (the `actor` CTE: the key's sha256 against
 * ApiKey.hashedKey, not revoked, and its user's organisation), so each request still checks its
 * key as the API does on every request, and costs exactly one statement.
 *
 * It mirrors the API's semantics (see the comments at each part); test/bench/compare.ts checks
 * that the parsed answers are deep-equal to the API's before anything is measured. Where they
 * differ, and why that is left so:
 * - The text: PostgreSQL writes json as `{"id" : "…"}`, a few per cent more bytes than the API's
 *   compact JSON; equal once parsed, and making it compact would cost the parse this avoids.
 * - A malformed person id: both answer person null, but the API does not ask the database then,
 *   while this still runs its statement, which is also what checks the key.
 * - Ids are decoded with src/shared/global-ids.ts, which refuses some odd base64 that the relay
 *   plugin's decoder would still read; the benchmark only sends well-formed ids.
 * - Errors (unknown key, other queries) are not shaped as Yoga's; only success is compared.
 */
const url = process.env.BENCH_DATABASE_URL!;
const schema = process.env.BENCH_SCHEMA!;
const pool = new pg.Pool({
  connectionString: url,
  max: 10,
  // Kept open for the whole run: a reconnect in the middle of a round would be measured too.
  idleTimeoutMillis: 0,
  options: `-c search_path=${quoteIdent(schema)}`,
});

/** A global id as the relay plugin makes it. encode() breaks lines every 76 characters; ids are shorter, but the newlines are removed anyway. */
const gid = (typename: string, column: string) => `translate(encode(convert_to('${typename}:' || ${column}, 'UTF8'), 'base64'), E'\\n', '')`;
/** The DateTime scalar: Date.toISOString() of a timestamp(3) stored in UTC. */
const iso = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** One person (alias p) as personFields in scenarios.ts asks for it; the actor CTE is alias a. */
const personJson = `json_build_object(
  'id', ${gid('Person', 'p.id')},
  -- As set, or else the given, additional and family names joined, empty ones left out (filter(Boolean)).
  'fullName', coalesce(p."fullName", concat_ws(' ', nullif(p."givenName", ''), nullif(p."additionalName", ''), nullif(p."familyName", ''))),
  'givenName', p."givenName",
  'familyName', p."familyName",
  'jobTitle', p."jobTitle",
  -- Prisma reads a NULL list as [].
  'emails', coalesce(to_json(p.emails), '[]'::json),
  'primaryEmail', p.emails[1],
  'phones', coalesce(to_json(p.phones), '[]'::json),
  'createdAt', ${iso('p."createdAt"')},
  'updatedAt', ${iso('p."updatedAt"')},
  -- No first: the default page of 20, in the order given (position 0 is the primary company).
  -- Equal positions have no order in the API either; the company id settles them here.
  'companies', json_build_object('nodes', coalesce((
    SELECT json_agg(json_build_object('id', ${gid('Company', 'c.id')}, 'name', c.name) ORDER BY pc.position, pc."companyId")
    FROM (SELECT * FROM "PersonCompany" WHERE "personId" = p.id ORDER BY position, "companyId" LIMIT 20) pc
    JOIN "Company" c ON c.id = pc."companyId"
  ), '[]'::json)),
  'owner', (SELECT json_build_object('id', ${gid('User', 'u.id')}, 'email', u.email) FROM "User" u WHERE u.id = p."ownerId"),
  -- In the order they were put on; totalCount counts them all.
  'tags', json_build_object(
    'totalCount', (SELECT count(*) FROM "PersonTag" WHERE "personId" = p.id),
    'edges', coalesce((
      SELECT json_agg(json_build_object('node', json_build_object(
        'value', pt.value,
        'tag', json_build_object('id', ${gid('Tag', 't.id')}, 'title', t.title)
      )) ORDER BY pt."createdAt", pt."tagId")
      FROM (SELECT * FROM "PersonTag" WHERE "personId" = p.id ORDER BY "createdAt", "tagId" LIMIT 10) pt
      JOIN "Tag" t ON t.id = pt."tagId"
    ), '[]'::json)
  ),
  -- In the order they joined.
  'groups', json_build_object(
    'totalCount', (SELECT count(*) FROM "GroupMembership" WHERE "personId" = p.id),
    'edges', coalesce((
      SELECT json_agg(json_build_object('node', json_build_object(
        'role', gm.role,
        'group', json_build_object('id', ${gid('Group', 'g.id')}, 'title', g.title)
      )) ORDER BY gm."createdAt", gm."groupId")
      FROM (SELECT * FROM "GroupMembership" WHERE "personId" = p.id ORDER BY "createdAt", "groupId" LIMIT 10) gm
      JOIN "Group" g ON g.id = gm."groupId"
    ), '[]'::json)
  ),
  -- Only notes the caller may see (not private, or written by them), in the organisation;
  -- flagged first, then newest, then by id (noteListOrder). totalCount counts the same notes.
  'notes', json_build_object(
    'totalCount', (
      SELECT count(*) FROM "Note" n
      WHERE n."personId" = p.id AND n."organizationId" = a."organizationId" AND (NOT n."isPrivate" OR n."authorId" = a."userId")
    ),
    'edges', coalesce((
      SELECT json_agg(json_build_object('node', json_build_object(
        'id', ${gid('Note', 'n.id')},
        'description', n.description,
        'flagged', n.flagged,
        'category', (SELECT json_build_object('title', nc.title) FROM "NoteCategory" nc WHERE nc.id = n."categoryId"),
        'author', (SELECT json_build_object('email', u.email) FROM "User" u WHERE u.id = n."authorId")
      )) ORDER BY n.flagged DESC, n."createdAt" DESC, n.id DESC)
      FROM (
        SELECT * FROM "Note" n
        WHERE n."personId" = p.id AND n."organizationId" = a."organizationId" AND (NOT n."isPrivate" OR n."authorId" = a."userId")
        ORDER BY n.flagged DESC, n."createdAt" DESC, n.id DESC LIMIT 3
      ) n
    ), '[]'::json)
  ),
  -- Newest first, ties by id newest first (timelineOrder).
  'timeline', json_build_object('edges', coalesce((
    SELECT json_agg(json_build_object('node', json_build_object(
      'type', e.type,
      'occurredAt', ${iso('e."occurredAt"')},
      'actor', (SELECT json_build_object('email', u.email) FROM "User" u WHERE u.id = e."actorId")
    )) ORDER BY e."occurredAt" DESC, e.id DESC)
    FROM (SELECT * FROM "TimelineEvent" WHERE "personId" = p.id ORDER BY "occurredAt" DESC, id DESC LIMIT 5) e
  ), '[]'::json)),
  -- Every event on the person, whoever caused it (loadInteractionMetadata's workspace figures).
  'interactionMetadata', (
    SELECT json_build_object('workspace', json_build_object(
      'approximateCount', count(*),
      'lastInteractedAt', ${iso('max(e."occurredAt")')}
    ))
    FROM "TimelineEvent" e WHERE e."personId" = p.id
  ),
  -- Set fields only, by field id; value is the stored JSON as it is.
  'fields', json_build_object('edges', coalesce((
    SELECT json_agg(json_build_object('node', json_build_object(
      'value', fv.value,
      'field', json_build_object('slug', f.slug, 'type', f.type)
    )) ORDER BY fv."fieldId")
    FROM (SELECT * FROM "PersonFieldValue" WHERE "personId" = p.id ORDER BY "fieldId" LIMIT 10) fv
    JOIN "CustomField" f ON f.id = fv."fieldId"
  ), '[]'::json))
)`;

/** $1: the key's sha256. The user of an unrevoked key, with their organisation. */
const actorCte = `actor AS (
  SELECT u.id AS "userId", u."organizationId"
  FROM "ApiKey" k JOIN "User" u ON u.id = k."userId"
  WHERE k."hashedKey" = $1 AND k."revokedAt" IS NULL
)`;

/**
 * The first 50 people not archived, oldest first and then by id (listPeople's default order),
 * and how many people are not archived. Without an actor both are empty, and the answer unused.
 */
const pageStatement = `WITH ${actorCte}
SELECT EXISTS (SELECT FROM actor) AS authenticated,
  json_build_object('data', json_build_object('people', json_build_object(
    'totalCount', (SELECT count(*) FROM "Person" c, actor a WHERE c."organizationId" = a."organizationId" AND c."archivedAt" IS NULL),
    'edges', coalesce((
      SELECT json_agg(json_build_object('node', ${personJson}) ORDER BY p."createdAt", p.id)
      FROM actor a, LATERAL (
        SELECT * FROM "Person" p
        WHERE p."organizationId" = a."organizationId" AND p."archivedAt" IS NULL
        ORDER BY p."createdAt", p.id LIMIT 50
      ) p
    ), '[]'::json)
  )))::text AS body`;

/** $2: the person's id. Archived people are found too, as by the API's person(id). */
const personStatement = `WITH ${actorCte}
SELECT EXISTS (SELECT FROM actor) AS authenticated,
  json_build_object('data', json_build_object('person', (
    SELECT ${personJson}
    FROM actor a JOIN "Person" p ON p.id = $2 AND p."organizationId" = a."organizationId"
  )))::text AS body`;

let statements = 0;
let requests = 0;

const normalize = (query: string) => query.replace(/\s+/g, ' ').trim();
const knownQueries = new Map([
  [normalize(pageQuery), 'page'],
  [normalize(personByIdQuery), 'person'],
] as const);

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (request.method !== 'POST' || request.url !== '/graphql') return send(response, 404, { errors: [{ message: 'Not found.' }] });
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  let body: { query?: unknown; variables?: { id?: unknown } | null };
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof body;
  } catch {
    return send(response, 400, { errors: [{ message: 'The body is not JSON.' }] });
  }
  const kind = typeof body.query === 'string' ? knownQueries.get(normalize(body.query)) : undefined;
  if (!kind) return send(response, 400, { errors: [{ message: 'This server answers only the two benchmark queries.' }] });

  // As the API: the bearer key, which must look like one of ours, then its sha256 in ApiKey.
  const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
  const key = match?.[1];
  if (!key?.startsWith('pgw_')) return unauthenticated(response);
  const params: (string | null)[] = [hashApiKey(key)];
  if (kind === 'person') {
    // A malformed id, or another type's, names no one: person is null (the API does not even
    // ask the database then; this still runs the statement, to check the key).
    const id = body.variables?.id;
    const decoded = typeof id === 'string' ? decodeGlobalId(id) : undefined;
    params.push(decoded?.typename === 'Person' ? decoded.id : null);
  }
  statements++;
  const { rows } = await pool.query<{ authenticated: boolean; body: string }>(kind === 'page' ? pageStatement : personStatement, params);
  const row = rows[0]!;
  if (!row.authenticated) return unauthenticated(response);
  response.writeHead(200, { 'content-type': 'application/graphql-response+json; charset=utf-8' });
  response.end(row.body);
}

function send(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

function unauthenticated(response: ServerResponse): void {
  response.setHeader('www-authenticate', 'Bearer');
  send(response, 401, { errors: [{ message: 'Unknown or revoked API key.', extensions: { code: 'UNAUTHENTICATED' } }] });
}

const server = createServer((request, response) => {
  if (request.url === '/bench/stats') return send(response, 200, readStats(statements, requests));
  if (request.url === '/bench/reset') {
    statements = 0;
    requests = 0;
    return send(response, 200, {});
  }
  requests++;
  answer(request, response).catch((error: unknown) => {
    process.stderr.write(`raw server: ${error instanceof Error ? error.stack : String(error)}\n`);
    if (!response.headersSent) send(response, 500, { errors: [{ message: 'Unexpected error.' }] });
    else response.destroy();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
