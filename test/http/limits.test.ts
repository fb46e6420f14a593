import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryLimits } from '../../src/graphql/builder.ts';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, expectGraphQLError, type TestApp, type TestClient } from '../support/app.ts';
import { rawRequest } from '../support/raw.ts';

/** Query limits: cost, depth and breadth are checked before anything is read. */

const DeepTags = graphql(`
  query DeepTags {
    people(first: 100) {
      nodes {
        tags(first: 100) { nodes { tag { people(first: 100) { nodes { person { id fullName } } } } } }
      }
    }
  }
`);

const BenchPage = graphql(`
  query LimitsBenchPage($first: Int!) {
    people(first: $first) {
      totalCount
      edges {
        node {
          id fullName emails
          companies { nodes { id name } }
          tags(first: 10) { totalCount edges { node { value tag { id title } } } }
          groups(first: 10) { totalCount edges { node { role group { id title } } } }
          notes(first: 3) { totalCount edges { node { id description category { title } author { email } } } }
          timeline(first: 5) { edges { node { type occurredAt actor { email } } } }
          fields(first: 10) { edges { node { value field { slug type } } } }
        }
      }
    }
  }
`);

let test: TestApp;
let acme: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
});
afterAll(() => test?.close());

const rawQuery = (query: string) => rawRequest(test, acme, query);

describe('query limits', () => {
  it('refuses a query whose cost is over the limit before reading anything', async () => {
    test.sql.length = 0;
    const error = await expectGraphQLError(acme.request(DeepTags));
    const [first] = error.response.errors!;
    expect(first!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'complexity', max: queryLimits.complexity });
    expect(first!.extensions!.measure as number).toBeGreaterThan(1_000_000);
    expect(first!.message).toMatch(/complexity is \d+; at most 50000/);
    // At most the API key lookup (unless the key is cached already): no person was read.
    expect(test.sql.filter((statement) => !/"ApiKey"/.test(statement))).toEqual([]);
  });

  it("allows a page of 100 people with the benchmark's nesting", async () => {
    const { people } = await acme.request(BenchPage, { first: 100 });
    expect(people.totalCount).toBe(0);
  });

  it('refuses a query deeper than the limit', async () => {
    let selection = 'id';
    // person → tags → nodes → tag → people → nodes → person → ...: 6 levels a step.
    for (let step = 0; step < 3; step++) selection = `tags(first: 1) { nodes { tag { people(first: 1) { nodes { person { ${selection} } } } } } }`;
    const body = await rawQuery(`{ people(first: 1) { nodes { ${selection} } } }`);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'depth', max: queryLimits.depth });
  });

  it('refuses a query with more selections than the limit', async () => {
    // 11 × 11 spreads of 10 fields: 1,210 selections in a document short enough to be parsed.
    const spreads = (name: string) => Array.from({ length: 11 }, () => `...${name}`).join(' ');
    const body = await rawQuery(`
      fragment Ten on Person { id fullName givenName familyName initials jobTitle description emails phones urls }
      fragment Many on Person { ${spreads('Ten')} }
      { people(first: 1) { nodes { ${spreads('Many')} } } }`);
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'breadth', max: queryLimits.breadth });
  });

  it('still answers the introspection query GraphiQL sends', async () => {
    const body = await rawQuery(getIntrospectionQuery());
    expect(body.errors).toBeUndefined();
    expect(body.data).toHaveProperty('__schema.queryType.name', 'Query');
  });

  it('leaves a page size out of range to its own clear error', async () => {
    const body = await rawQuery('{ people(first: 101) { totalCount } }');
    expect(body.errors?.[0]).toMatchObject({ message: 'Argument "first" must be between 1 and 100, got 101.' });
  });
});
