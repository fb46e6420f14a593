import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { DuplicateCandidatesQuery, PersonInput } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, createUserClient, type TestApp, type TestClient } from '../support/app.ts';
import { rawRequest } from '../support/raw.ts';

/* Issue 24's duplicates, through HTTP: each reason, scores, pages, dismissal, merges, organisations. */

const CreatePerson = graphql(`
  mutation DuplicatesCreatePerson($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id } }
    }
  }
`);

const CreateWithDuplicates = graphql(`
  mutation DuplicatesCreateWithDuplicates($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id possibleDuplicates(first: 5) { person { id } reasons } } }
    }
  }
`);

const PossibleDuplicates = graphql(`
  query PossibleDuplicates($id: ID!, $first: Int) {
    person(id: $id) { possibleDuplicates(first: $first) { person { id } score reasons nameSimilarity } }
  }
`);

const DuplicateCandidates = graphql(`
  query DuplicateCandidates($first: Int, $after: String, $minScore: Float) {
    duplicateCandidates(first: $first, after: $after, minScore: $minScore) {
      edges { cursor node { person { id } other { id } score reasons } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

const DismissDuplicate = graphql(`
  mutation DismissDuplicate($personId: ID!, $otherId: ID!) {
    dismissDuplicate(personId: $personId, otherId: $otherId) {
      __typename
      ... on DismissDuplicateSuccess { dismissed }
      ... on NotFoundError { message }
      ... on ForbiddenError { message }
      ... on ValidationError { message }
    }
  }
`);

const Merge = graphql(`
  mutation DuplicatesMerge($input: MergePeopleInput!) {
    mergePeople(input: $input) { __typename }
  }
`);

let test: TestApp;
let admin: TestClient;
let viewer: TestClient;
let stranger: TestClient;
const ids: Record<string, string> = {};

async function create(client: TestClient, input: PersonInput): Promise<string> {
  const { createPerson } = await client.request(CreatePerson, { input });
  if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(createPerson.__typename);
  return createPerson.person.id;
}

beforeAll(async () => {
  test = await createTestApp();
  admin = await createOrgClient(test, 'Duplicates');
  viewer = await createUserClient(test, admin.organizationId, 'VIEWER');
  stranger = await createOrgClient(test, 'Elsewhere');
  const people: Record<string, PersonInput> = {
    emailA: { givenName: 'Anna', familyName: 'Ek', emails: ['anna.ek@example.org'] },
    emailB: { givenName: 'A.', familyName: 'Lindqvist', emails: ['other@example.org', 'ANNA.EK@example.org'] },
    phoneA: { givenName: 'Bo', familyName: 'Berg', phones: ['+44 20 7946 0958'] },
    phoneB: { givenName: 'Robert', familyName: 'Hill', phones: ['020 7946 0958 ext. 12'] },
    linkedinA: { givenName: 'Cecilia', familyName: 'Strand', linkedinId: 'cecilia-s-42' },
    linkedinB: { givenName: 'Cilla', familyName: 'Dahl', linkedinId: 'cecilia-s-42' },
    nameA: { givenName: 'Bartholomew', familyName: 'Featherstonehaugh' },
    nameB: { givenName: 'Bartholomew', familyName: 'Featherstonhaugh' },
    companyA: { givenName: 'Maximilian', familyName: 'Oppenheimer', companies: [{ name: 'Oppen AB' }] },
    companyB: { givenName: 'Maximillian', familyName: 'Oppenheimer', companies: [{ name: 'Oppen AB' }] },
    alone: { givenName: 'Zed', familyName: 'Unique', emails: ['zed@example.org'] },
  };
  for (const [key, input] of Object.entries(people)) ids[key] = await create(admin, input);
  // Another organisation's people with the same keys are never anyone's duplicates here.
  ids.strangerEmail = await create(stranger, { givenName: 'Anna', familyName: 'Ek', emails: ['anna.ek@example.org'] });
});

afterAll(async () => {
  await test?.close();
});

async function duplicatesOf(client: TestClient, key: string) {
  const { person } = await client.request(PossibleDuplicates, { id: ids[key]!, first: 10 });
  return person!.possibleDuplicates;
}

async function allCandidates(client: TestClient, minScore = 0, first = 2) {
  const pairs: { person: string; other: string; score: number; reasons: string[] }[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page++) {
    const { duplicateCandidates }: DuplicateCandidatesQuery = await client.request(DuplicateCandidates, { first, after, minScore });
    pairs.push(...duplicateCandidates.edges.map(({ node }) => ({ person: node.person!.id, other: node.other!.id, score: node.score, reasons: node.reasons })));
    if (!duplicateCandidates.pageInfo.hasNextPage) break;
    after = duplicateCandidates.pageInfo.endCursor!;
  }
  return pairs;
}

const samePair = (pair: { person: string; other: string }, a: string, b: string) =>
  (pair.person === ids[a] && pair.other === ids[b]) || (pair.person === ids[b] && pair.other === ids[a]);

describe('possibleDuplicates', () => {
  it('finds the same email whatever its case, the same phone with or without country code, the same LinkedIn id, a similar name', async () => {
    expect(await duplicatesOf(admin, 'emailA')).toEqual([{ person: { id: ids.emailB }, score: 0.9, reasons: ['EMAIL'], nameSimilarity: null }]);
    expect(await duplicatesOf(admin, 'phoneB')).toEqual([{ person: { id: ids.phoneA }, score: 0.7, reasons: ['PHONE'], nameSimilarity: null }]);
    expect(await duplicatesOf(admin, 'linkedinA')).toEqual([{ person: { id: ids.linkedinB }, score: 0.9, reasons: ['LINKEDIN'], nameSimilarity: null }]);
    const [byName] = await duplicatesOf(admin, 'nameA');
    expect(byName).toMatchObject({ person: { id: ids.nameB }, reasons: ['NAME'] });
    expect(byName!.nameSimilarity).toBeGreaterThanOrEqual(0.5);
    expect(byName!.score).toBeCloseTo(0.6 * byName!.nameSimilarity!, 3);
    expect(await duplicatesOf(admin, 'alone')).toEqual([]);
  });

  it('counts a similar name for more when a company is shared', async () => {
    const [withCompany] = await duplicatesOf(admin, 'companyA');
    expect(withCompany).toMatchObject({ person: { id: ids.companyB }, reasons: ['NAME', 'SHARED_COMPANY'] });
    expect(withCompany!.score).toBeCloseTo(0.8 * withCompany!.nameSimilarity!, 3);
  });

  it("comes with createPerson's success, for the person just written", async () => {
    const { createPerson } = await admin.request(CreateWithDuplicates, { input: { familyName: 'Ek', givenName: 'Anna', linkedinId: 'cecilia-s-42' } });
    if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(createPerson.__typename);
    expect(createPerson.person.possibleDuplicates).toEqual(
      expect.arrayContaining([
        { person: { id: ids.emailA }, reasons: ['NAME'] },
        { person: { id: ids.linkedinA }, reasons: ['LINKEDIN'] },
        { person: { id: ids.linkedinB }, reasons: ['LINKEDIN'] },
      ]),
    );
    const deleted = await rawRequest(test, admin, 'mutation ($id: ID!) { deletePerson(id: $id) { __typename } }', { id: createPerson.person.id });
    expect(deleted.data).toEqual({ deletePerson: { __typename: 'DeletePersonSuccess' } });
  });

  it('never crosses organisations', async () => {
    expect((await duplicatesOf(admin, 'emailA')).map((duplicate) => duplicate.person!.id)).not.toContain(ids.strangerEmail);
    const { person } = await stranger.request(PossibleDuplicates, { id: ids.strangerEmail!, first: 10 });
    expect(person!.possibleDuplicates).toEqual([]);
    const { person: notTheirs } = await stranger.request(PossibleDuplicates, { id: ids.emailA!, first: 10 });
    expect(notTheirs).toBeNull();
  });
});

describe('duplicateCandidates', () => {
  it('lists each pair once, best first, across keyset pages; minScore filters', async () => {
    const pairs = await allCandidates(admin, 0, 2);
    expect(pairs).toHaveLength(5);
    for (const [a, b] of [['emailA', 'emailB'], ['phoneA', 'phoneB'], ['linkedinA', 'linkedinB'], ['nameA', 'nameB'], ['companyA', 'companyB']] as const) {
      expect(pairs.filter((pair) => samePair(pair, a, b))).toHaveLength(1);
    }
    const scores = pairs.map((pair) => pair.score);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
    expect(pairs.some((pair) => pair.person === ids.strangerEmail || pair.other === ids.strangerEmail)).toBe(false);
    expect((await allCandidates(admin, 0.9, 10)).every((pair) => pair.score >= 0.9)).toBe(true);
    expect(await allCandidates(admin, 0.9, 10)).toHaveLength(2);
    expect(await allCandidates(stranger)).toEqual([]);
  });

  it('follows the people written since the last page: a new duplicate appears, a changed one goes', async () => {
    expect((await allCandidates(admin)).some((pair) => pair.person === ids.alone || pair.other === ids.alone)).toBe(false);
    const twin = await create(admin, { givenName: 'Z.', familyName: 'Other', emails: ['zed@example.org'] });
    const withTwin = (await allCandidates(admin)).filter((pair) => pair.person === twin || pair.other === twin);
    expect(withTwin).toEqual([{ person: expect.any(String), other: expect.any(String), score: 0.9, reasons: ['EMAIL'] }]);
    const changed = await rawRequest(test, admin, 'mutation ($id: ID!) { updatePerson(id: $id, input: { emails: [] }) { __typename } }', { id: twin });
    expect(changed.data).toEqual({ updatePerson: { __typename: 'UpdatePersonSuccess' } });
    expect((await allCandidates(admin)).some((pair) => pair.person === twin || pair.other === twin)).toBe(false);
  });

  it('refuses a cursor of another minScore as the client\'s mistake', async () => {
    const { duplicateCandidates } = await admin.request(DuplicateCandidates, { first: 1, minScore: 0 });
    const result = await rawRequest(test, admin, 'query ($after: String) { duplicateCandidates(first: 1, after: $after, minScore: 0.3) { edges { cursor } } }', {
      after: duplicateCandidates.pageInfo.endCursor,
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('dismissDuplicate and merges', () => {
  it('is refused to a viewer and to another organisation', async () => {
    const { dismissDuplicate } = await viewer.request(DismissDuplicate, { personId: ids.nameA!, otherId: ids.nameB! });
    expect(dismissDuplicate.__typename).toBe('ForbiddenError');
    const { dismissDuplicate: elsewhere } = await stranger.request(DismissDuplicate, { personId: ids.nameA!, otherId: ids.nameB! });
    expect(elsewhere.__typename).toBe('NotFoundError');
    const { dismissDuplicate: same } = await admin.request(DismissDuplicate, { personId: ids.nameA!, otherId: ids.nameA! });
    expect(same.__typename).toBe('ValidationError');
    expect(await duplicatesOf(admin, 'nameA')).toHaveLength(1);
  });

  it('a dismissed pair is listed no more, in either order', async () => {
    const { dismissDuplicate } = await admin.request(DismissDuplicate, { personId: ids.nameB!, otherId: ids.nameA! });
    expect(dismissDuplicate).toEqual({ __typename: 'DismissDuplicateSuccess', dismissed: true });
    const again = await admin.request(DismissDuplicate, { personId: ids.nameA!, otherId: ids.nameB! });
    expect(again.dismissDuplicate.__typename).toBe('DismissDuplicateSuccess');
    expect(await duplicatesOf(admin, 'nameA')).toEqual([]);
    expect(await duplicatesOf(admin, 'nameB')).toEqual([]);
    expect((await allCandidates(admin)).some((pair) => samePair(pair, 'nameA', 'nameB'))).toBe(false);
  });

  it('a merge of a listed pair removes it', async () => {
    const { mergePeople } = await admin.request(Merge, { input: { personIds: [ids.phoneA!, ids.phoneB!], primaryId: ids.phoneA! } });
    expect(mergePeople.__typename).toBe('MergePeopleSuccess');
    expect(await duplicatesOf(admin, 'phoneA')).toEqual([]);
    expect((await allCandidates(admin)).some((pair) => samePair(pair, 'phoneA', 'phoneB'))).toBe(false);
  });
});
