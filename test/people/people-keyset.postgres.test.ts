import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/db/migrate.ts';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';

/**
 * A page read backwards (`last`/`before`) starts its index scan at the cursor: the keyset
 * condition says the first key's bound on its own as well as inside its OR, which PostgreSQL
 * cannot start a scan from. Without it, a page before row 100 of 3,000 walked the index from the
 * far end, and at a million people such a page took seconds (issue 20). The statement the API
 * sends is explained with its own parameters. PostgreSQL only, for its planner.
 */

const PeopleBefore = graphql(`
  query PeopleBefore($first: Int, $last: Int, $before: String) {
    people(first: $first, last: $last, before: $before) {
      edges { node { familyName } }
      pageInfo { endCursor }
    }
  }
`);

const people = 3000;
let test: TestApp;
let acme: TestClient;
let admin: pg.Client;
/** Each statement's SQL and its parameters, as Prisma logs them (a JSON array). */
const statements: { sql: string; params: string }[] = [];

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
  test.prisma.$on('query' as never, (event: { query: string; params: string }) => statements.push({ sql: event.query, params: event.params }));
  admin = new pg.Client({ connectionString: test.databaseUrl });
  await admin.connect();
  await admin.query(`SET search_path TO ${quoteIdent(test.schema)}, public`);
  // Person n is created n minutes after the first, so the default order is the numbering.
  await admin.query(
    `INSERT INTO "Person" (id, "organizationId", "familyName", "createdAt", "updatedAt")
     SELECT '00000000-0000-7000-8000-' || lpad(n::text, 12, '0'), $1, 'Person ' || n, timestamp '2026-01-01' + n * interval '1 minute', now()
     FROM generate_series(1, $2::int) AS n`,
    [acme.organizationId, people],
  );
  await admin.query('ANALYZE "Person"');
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await test?.close();
});

describe('a page of people read backwards from a cursor', () => {
  it('answers the rows just before the cursor, from an index scan that starts at it', async () => {
    const { people: first } = await acme.request(PeopleBefore, { first: 100 });
    statements.length = 0;
    const { people: page } = await acme.request(PeopleBefore, { last: 50, before: first.pageInfo.endCursor });
    expect(page.edges.map((edge) => edge.node.familyName)).toEqual(Array.from({ length: 50 }, (_, i) => `Person ${i + 50}`));

    const statement = statements.find(({ sql }) => sql.includes('"Person"') && sql.includes('ORDER BY'));
    expect(statement).toBeDefined();
    // The parameters go in as literals, which take the types PREPARE inferred for them.
    const literals = (JSON.parse(statement!.params) as unknown[]).map((value) => admin.escapeLiteral(String(value)));
    await admin.query(`PREPARE backwards AS ${statement!.sql}`);
    const { rows } = await admin.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE backwards(${literals.join(', ')})`);
    const nodes = planNodes(rows[0]!['QUERY PLAN']);
    expect(nodes.some((node) => String(node['Index Cond'] ?? '').includes('"createdAt" <='))).toBe(true);
    // Rows the scan read and threw away: one with the bound, the 2,900 beyond the cursor without it.
    expect(Math.max(...nodes.map((node) => Number(node['Rows Removed by Filter'] ?? 0)))).toBeLessThan(10);
  });
});

/** Every node of an EXPLAIN (FORMAT JSON) plan. */
function planNodes(explained: unknown): Record<string, unknown>[] {
  const nodes: Record<string, unknown>[] = [];
  const visit = (node: Record<string, unknown>) => {
    nodes.push(node);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) visit(child);
  };
  for (const { Plan } of explained as { Plan: Record<string, unknown> }[]) visit(Plan);
  return nodes;
}
