import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPrismaClient, type PrismaClient } from '../../src/db/prisma.ts';
import { createLogger } from '../../src/logger.ts';
import { createApp } from '../../src/yoga.ts';
import { createOrgClient, createTestApp, type TestApp } from '../support/app.ts';

/**
 * On PostgreSQL every statement the API sends is named by a digest of its text, so each
 * connection parses and plans it once; PGlite, one backend session for every connection, gets
 * unnamed statements only. Read back from PostgreSQL's own list of the session's statements.
 */
let test: TestApp;
let prisma: PrismaClient;
const embedded = inject('embedded');

beforeAll(async () => {
  test = await createTestApp();
  // One connection, so the statements of the requests and the list read afterwards share a session.
  prisma = createPrismaClient({ url: test.databaseUrl, schema: test.schema, poolSize: 1, preparedStatements: !embedded });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await test?.close();
});

describe('prepared statements', () => {
  it('names each statement on PostgreSQL, and the same query reuses its name', async () => {
    const acme = await createOrgClient(test);
    const app = createApp({ prisma, log: createLogger('error'), dbSchema: test.schema });
    const ask = async () => {
      const response = await app.fetch('http://test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${acme.apiKey}` },
        body: JSON.stringify({ query: '{ people(first: 5) { totalCount nodes { fullName notes(first: 2) { totalCount } } } }' }),
      });
      expect(await response.json()).toEqual({ data: { people: { totalCount: 0, nodes: [] } } });
    };
    const named = async () =>
      (await prisma.$queryRaw<{ name: string }[]>`SELECT name FROM pg_prepared_statements WHERE name ~ '^p[0-9a-f]{40}$'`).map(
        (row) => row.name,
      );

    await ask();
    const afterFirst = await named();
    await ask();
    const afterSecond = await named();
    if (embedded) {
      expect(afterSecond).toEqual([]);
    } else {
      // The key, the page and the count, then the list's own statement.
      expect(afterFirst.length).toBeGreaterThanOrEqual(3);
      // The second request prepared nothing new but the list's statement it had named already.
      expect(new Set(afterSecond)).toEqual(new Set(afterFirst));
    }
  });

  it('leaves a page filtered through a relation unnamed, planned with its values each time', async () => {
    const acme = await createOrgClient(test);
    const app = createApp({ prisma, log: createLogger('error'), dbSchema: test.schema });
    const ask = async (query: string, variables: Record<string, unknown> = {}) => {
      const response = await app.fetch('http://test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${acme.apiKey}` },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as { data: { createTag?: { tag: { id: string } }; people?: { nodes: { id: string }[] } } };
    };
    const created = await ask('mutation { createTag(input: { title: "Volunteer" }) { ... on CreateTagSuccess { tag { id } } } }');
    const tagId = created.data.createTag!.tag.id;
    const page = 'query ($t: [ID!]) { people(first: 5, filter: { tagIds: $t }) { nodes { id } } }';
    // More than the five runs after which PostgreSQL may settle on one plan for any values.
    for (let run = 0; run < 7; run++) {
      expect(await ask(page, { t: [tagId] })).toEqual({ data: { people: { nodes: [] } } });
    }
    const prepared = await prisma.$queryRaw<{ statement: string }[]>`SELECT statement FROM pg_prepared_statements`;
    // Named statements there are (the key's lookup), but none of the tag filter's page.
    if (!embedded) expect(prepared.length).toBeGreaterThan(0);
    expect(prepared.filter((row) => /\bEXISTS\s*\(/.test(row.statement))).toEqual([]);
  });
});
