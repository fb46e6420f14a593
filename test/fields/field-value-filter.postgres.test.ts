import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/db/migrate.ts';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { createField } from '../support/fields.ts';

/**
 * A filter by a custom field's value finds the equal values through PersonFieldValue_value_idx
 * (migration 20261207120000_field_value_lookup), not by reading every value of the field: the
 * statement the API sends is explained with the planner's statistics of a few thousand people
 * (issue 20 measured 88 ms at 100,000 people without it). PostgreSQL only: PGlite's planner is
 * not the one that serves production.
 */

const PeopleByScore = graphql(`
  query PeopleByScore($score: JSON!) {
    people(first: 50, filter: { customFields: [{ field: "score", eq: $score }] }) { edges { node { familyName } } }
  }
`);

const people = 3000;
let test: TestApp;
let acme: TestClient;
let admin: pg.Client;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
  await createField(acme, { title: 'Score', slug: 'score', type: 'NUMBER' });
  admin = new pg.Client({ connectionString: test.databaseUrl });
  await admin.connect();
  await admin.query(`SET search_path TO ${quoteIdent(test.schema)}, public`);
  // Person n scores n mod 1000: each score is held by three people among thousands of values.
  await admin.query(
    `INSERT INTO "Person" (id, "organizationId", "familyName", "updatedAt")
     SELECT 'p' || n, $1, 'Person ' || n, now() FROM generate_series(1, $2::int) AS n`,
    [acme.organizationId, people],
  );
  await admin.query(
    `INSERT INTO "PersonFieldValue" ("personId", "fieldId", "organizationId", value, "updatedAt")
     SELECT 'p' || n, (SELECT id FROM "CustomField" WHERE slug = 'score'), $1, to_jsonb(n % 1000), now()
     FROM generate_series(1, $2::int) AS n`,
    [acme.organizationId, people],
  );
  await admin.query('ANALYZE "Person", "PersonFieldValue"');
}, 60_000);

afterAll(async () => {
  await admin?.end();
  await test?.close();
});

describe('people filtered by a custom field value', () => {
  it('answers the people who hold the value, found through the value index', async () => {
    test.sql.length = 0;
    const { people: found } = await acme.request(PeopleByScore, { score: 42 });
    expect(found.edges.map((edge) => edge.node.familyName).sort()).toEqual(['Person 1042', 'Person 2042', 'Person 42']);

    const statement = test.sql.find((sql) => sql.includes('"PersonFieldValue"'));
    expect(statement).toBeDefined();
    const { rows: [field] } = await admin.query<{ id: string }>(`SELECT id FROM "CustomField" WHERE slug = 'score'`);
    // The statement's parameters in Prisma's order: organisation, field, value, page size + 1.
    await admin.query(`PREPARE by_value AS ${statement!}`);
    const values = [acme.organizationId, field!.id, '42'].map((value) => admin.escapeLiteral(value));
    const { rows } = await admin.query<{ 'QUERY PLAN': unknown }>(`EXPLAIN (FORMAT JSON) EXECUTE by_value(${values.join(', ')}, 51)`);
    const plan = JSON.stringify(rows[0]!['QUERY PLAN']);
    expect(plan).toContain('"Index Name":"PersonFieldValue_value_idx"');
    expect(plan).not.toContain('"Index Name":"PersonFieldValue_fieldId_idx"');
  });
});
