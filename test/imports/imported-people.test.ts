import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { ImportPeopleInput } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { expectBadUserInput, expectNoErrors, rawRequest } from '../support/raw.ts';

/* Issue 24: each row of an import carries possibleDuplicates for the person it wrote (Import.people). */

const CreatePerson = graphql(`
  mutation ImportedPeopleCreatePerson($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id } }
    }
  }
`);

const ImportWithPeople = graphql(`
  mutation ImportWithPeople($input: ImportPeopleInput!, $first: Int) {
    importPeople(input: $input) {
      __typename
      ... on ImportPeopleSuccess {
        import {
          id
          createdCount
          updatedCount
          failedCount
          people(first: $first) {
            pageInfo { hasNextPage endCursor }
            edges { node { row result person { id familyName possibleDuplicates(first: 5) { person { id } reasons } } } }
          }
        }
      }
    }
  }
`);

const ImportPeoplePage = graphql(`
  query ImportPeoplePage($id: ID!, $first: Int, $after: String) {
    node(id: $id) {
      __typename
      ... on Import { people(first: $first, after: $after) { pageInfo { hasNextPage hasPreviousPage endCursor } nodes { row result person { id } } } }
    }
  }
`);

// The same document as a string, for answers that are errors (rawRequest keeps them).
const importPeoplePageText = `query ($id: ID!, $first: Int, $after: String, $last: Int) {
  node(id: $id) { ... on Import { people(first: $first, after: $after, last: $last) { nodes { row } } } }
}`;

let test: TestApp;
let admin: TestClient;
let stranger: TestClient;
let existingId: string;

async function importRows(client: TestClient, input: ImportPeopleInput, first = 20) {
  const { importPeople } = await client.request(ImportWithPeople, { input, first });
  if (importPeople.__typename !== 'ImportPeopleSuccess') throw new Error(importPeople.__typename);
  return importPeople.import;
}

beforeAll(async () => {
  test = await createTestApp();
  admin = await createOrgClient(test, 'Imported people');
  stranger = await createOrgClient(test, 'Elsewhere');
  const { createPerson } = await admin.request(CreatePerson, {
    input: { givenName: 'Margarethe', familyName: 'Lindqvist', emails: ['m.lindqvist@example.org'] },
  });
  if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(createPerson.__typename);
  existingId = createPerson.person.id;
});

afterAll(async () => {
  await test?.close();
});

describe('Import.people', () => {
  let importId: string;
  let rowIds: Record<number, string>;

  it('lists the rows that wrote a person in row order, each with the possibleDuplicates of the person written', async () => {
    const record = await importRows(admin, {
      matchOn: [],
      rows: [
        // Bulk path (plain fields): the same email as the existing person, in another case.
        { givenName: 'Greta', familyName: 'Holm', emails: ['M.Lindqvist@example.org'] },
        // Fails (no family name): no person, so no entry.
        { givenName: 'Nobody' },
        // One by one (a company is not plain): the same full name as the existing person.
        { givenName: 'Margarethe', familyName: 'Lindqvist', companies: [{ name: 'Fabrik' }] },
        // Like no one.
        { givenName: 'Xavier', familyName: 'Quennell-Zukowski' },
      ],
    });
    expect([record.createdCount, record.failedCount]).toEqual([3, 1]);
    const nodes = record.people.edges.map((edge) => edge.node);
    expect(nodes.map((node) => [node.row, node.result, node.person?.familyName])).toEqual([
      [1, 'CREATED', 'Holm'],
      [3, 'CREATED', 'Lindqvist'],
      [4, 'CREATED', 'Quennell-Zukowski'],
    ]);
    const [greta, margarethe, xavier] = nodes;
    expect(greta!.person!.possibleDuplicates).toEqual([{ person: { id: existingId }, reasons: ['EMAIL'] }]);
    expect(margarethe!.person!.possibleDuplicates).toEqual([{ person: { id: existingId }, reasons: ['NAME'] }]);
    expect(xavier!.person!.possibleDuplicates).toEqual([]);
    expect(record.people.pageInfo.hasNextPage).toBe(false);
    importId = record.id;
    rowIds = Object.fromEntries(nodes.map((node) => [node.row, node.person!.id]));
  });

  it('pages forwards by row with a cursor tied to its import', async () => {
    const first = await admin.request(ImportPeoplePage, { id: importId, first: 2 });
    if (first.node?.__typename !== 'Import') throw new Error(String(first.node?.__typename));
    expect(first.node.people.nodes.map((node) => [node.row, node.person?.id])).toEqual([
      [1, rowIds[1]],
      [3, rowIds[3]],
    ]);
    expect(first.node.people.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await admin.request(ImportPeoplePage, { id: importId, first: 2, after: first.node.people.pageInfo.endCursor });
    if (second.node?.__typename !== 'Import') throw new Error(String(second.node?.__typename));
    expect(second.node.people.nodes.map((node) => node.row)).toEqual([4]);
    expect(second.node.people.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    // Another import's cursor, a made-up one, backwards pages and a page too large are the client's mistakes.
    const other = await importRows(admin, { matchOn: [], rows: [{ familyName: 'Otherimport' }, { familyName: 'Otherimport' }] }, 1);
    const foreignCursor = other.people.pageInfo.endCursor;
    for (const variables of [
      { id: importId, first: 2, after: foreignCursor },
      { id: importId, first: 2, after: Buffer.from(JSON.stringify({ s: 'x', k: [-1] })).toString('base64url') },
      { id: importId, last: 2 },
      { id: importId, first: 101 },
    ]) {
      expectBadUserInput(await rawRequest(test, admin, importPeoplePageText, variables));
    }
  });

  it('shows an UPDATED row for a person matched, and nothing for a row that changed nothing', async () => {
    const record = await importRows(admin, {
      // By id: Greta shares the email now, so an email would match two people.
      matchOn: ['ID'],
      rows: [
        { id: existingId, familyName: 'Lindqvist', jobTitle: 'Chair' },
        { id: existingId, familyName: 'Lindqvist', jobTitle: 'Chair' },
      ],
    });
    expect([record.updatedCount, record.failedCount]).toEqual([1, 0]);
    expect(record.people.edges.map(({ node }) => [node.row, node.result, node.person?.id])).toEqual([[1, 'UPDATED', existingId]]);
    // The existing person now has two people who are probably them: Greta by email, Margarethe by name.
    expect(record.people.edges[0]!.node.person!.possibleDuplicates.map((duplicate) => duplicate.person?.id).sort()).toEqual(
      [rowIds[1], rowIds[3]].sort(),
    );
  });

  it('is empty for a dry run, which wrote no one', async () => {
    const record = await importRows(admin, { matchOn: [], dryRun: true, rows: [{ familyName: 'Dryrun', emails: ['m.lindqvist@example.org'] }] });
    expect(record.createdCount).toBe(1);
    expect(record.people.edges).toEqual([]);
  });

  it('is not reachable from another organisation', async () => {
    const answer = expectNoErrors(await rawRequest(test, stranger, importPeoplePageText, { id: importId, first: 10 }));
    expect(answer).toEqual({ node: null });
  });
});
