import { GraphQLClient } from 'graphql-request';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import { type FreshDatabase, freshDatabase, runBash, type ServerProcess, startServerProcess } from '../support/server-process.ts';

/**
 * `npm run -s bench:seed` as the peer bench (outside this repository) runs it: PEOPLE in the
 * environment, one JSON line on stdout. Run twice on a fresh database: the first run seeds, the
 * second finds the organisation and only mints another key; both keys work against the server.
 */
let database: FreshDatabase;
let server: ServerProcess | undefined;

beforeAll(async () => {
  database = await freshDatabase();
});

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

interface Seeded {
  organizationId: string;
  apiKey: string;
  people: number;
  seeded: boolean;
}

async function benchSeed(): Promise<Seeded> {
  const { code, stdout, stderr } = await runBash('npm run -s bench:seed', { ...database.env, PEOPLE: '12' });
  expect(code, stderr).toBe(0);
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Seeded;
}

const BenchPeople = graphql(`
  query BenchPeople {
    people(first: 50) {
      totalCount
      nodes { emails tags(first: 5) { totalCount } notes(first: 5) { totalCount } timeline(first: 20) { totalCount } }
    }
  }
`);

describe('npm run -s bench:seed', () => {
  it('seeds a fresh database once, and mints a new working key on every run', { timeout: 240_000 }, async () => {
    const first = await benchSeed();
    expect(first).toMatchObject({ people: 12, seeded: true });
    expect(first.apiKey).toMatch(/^pgw_/);

    const second = await benchSeed();
    expect(second).toMatchObject({ organizationId: first.organizationId, people: 12, seeded: false });
    expect(second.apiKey).not.toBe(first.apiKey);

    if (database.env.DATABASE_URL) {
      // The statistics the planner needs (autovacuum may be off): VACUUM ANALYZE after the seed.
      const client = new pg.Client({ connectionString: database.env.DATABASE_URL });
      await client.connect();
      try {
        const { rows } = await client.query<{ vacuumed: boolean; analyzed: boolean }>(
          `SELECT last_vacuum IS NOT NULL AS vacuumed, last_analyze IS NOT NULL AS analyzed FROM pg_stat_user_tables WHERE relname = 'Person'`,
        );
        expect(rows).toEqual([{ vacuumed: true, analyzed: true }]);
      } finally {
        await client.end();
      }
    }

    server = await startServerProcess(database.env);
    for (const apiKey of [first.apiKey, second.apiKey]) {
      const client = new GraphQLClient(`${server.origin}/graphql`, { headers: { authorization: `Bearer ${apiKey}` } });
      const { people } = await client.request(BenchPeople);
      expect(people.totalCount).toBe(12);
      for (const person of people.nodes) {
        expect(person.emails.length).toBeGreaterThanOrEqual(2);
        expect(person.tags.totalCount).toBeGreaterThanOrEqual(1);
        expect(person.notes.totalCount).toBe(3);
        expect(person.timeline.totalCount).toBe(10);
      }
    }
  });

  it('refuses a database with more than one organisation (the peer bench compares one)', { timeout: 120_000 }, async () => {
    const created = await runBash('npm run -s org:create -- --name "Another"', database.env);
    expect(created.code, created.stderr).toBe(0);
    const { code, stdout, stderr } = await runBash('npm run -s bench:seed', { ...database.env, PEOPLE: '12' });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('expected at most one organisation in the database, found 2');
  });
});
