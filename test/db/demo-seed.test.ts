import { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import { type FreshDatabase, freshDatabase, runBash, type ServerProcess, startServerProcess } from '../support/server-process.ts';

/**
 * `npm run demo:seed` as a newcomer runs it, on a database of their own (a fresh PGlite data
 * directory, or a fresh PostgreSQL database when the suite runs on one), then the server over
 * that database, asked with the key the command printed.
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

const DemoOrganisation = graphql(`
  query DemoOrganisation {
    everyone: people(first: 100, filter: { archived: ALL }) {
      totalCount
      nodes {
        fullName
        primaryEmail
        notes(first: 1) { totalCount }
        groups(first: 5) { totalCount }
        fields(first: 10) { totalCount }
        timeline(first: 1) { totalCount }
      }
    }
    archived: people(first: 1, filter: { archived: ARCHIVED }) { totalCount }
    tags(first: 10) { totalCount }
    groups(first: 10) { totalCount nodes { title category { title } members(first: 1) { totalCount } } }
    customFields(first: 10) { totalCount }
    notes(first: 1) { totalCount }
  }
`);

describe('npm run demo:seed', () => {
  it('fills a fresh database with a sample organisation, reachable with the key it prints', { timeout: 180_000 }, async () => {
    const seeded = await runBash('npm run -s demo:seed', database.env);
    expect(seeded.code, seeded.stderr).toBe(0);
    const { apiKey, people } = JSON.parse(seeded.stdout) as { apiKey: string; people: number };
    expect(people).toBe(50);

    server = await startServerProcess(database.env);
    const client = new GraphQLClient(`${server.origin}/graphql`, { headers: { authorization: `Bearer ${apiKey}` } });
    const data = await client.request(DemoOrganisation);

    expect(data.everyone.totalCount).toBe(50);
    expect(data.archived.totalCount).toBeGreaterThan(0);
    expect(data.tags.totalCount).toBe(5);
    expect(data.customFields.totalCount).toBe(4);
    expect(data.notes.totalCount).toBeGreaterThanOrEqual(50);
    expect(data.groups.nodes.map((group) => [group.title, group.category?.title])).toEqual(
      expect.arrayContaining([['North chapter', 'Regions'], ['Events', 'Teams']]),
    );
    expect(data.groups.nodes.every((group) => group.members.totalCount > 0)).toBe(true);
    for (const person of data.everyone.nodes) {
      expect(person.fullName).toMatch(/\S+ \S+/);
      expect(person.primaryEmail).toMatch(/@example\.org$/);
      expect(person.notes.totalCount).toBeGreaterThan(0);
      expect(person.groups.totalCount).toBe(1);
      expect(person.fields.totalCount).toBeGreaterThanOrEqual(2);
      // Created, joined a group, fields set, notes added: each written as the API writes it.
      expect(person.timeline.totalCount).toBeGreaterThanOrEqual(4);
    }
  });
});
