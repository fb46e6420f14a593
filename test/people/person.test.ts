import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import type { PersonInput } from '../generated/graphql.ts';
import { createOrgClient, createTestApp, createUserClient, expectGraphQLError, type TestApp, type TestClient } from '../support/app.ts';

const PersonFields = graphql(`
  fragment PersonFields on Person {
    id
    givenName
    familyName
    additionalName
    honorificPrefix
    fullName
    initials
    jobTitle
    description
    birthday
    language
    timezone
    profileColor
    externalId
    linkedinId
    isTracked
    suspended
    invitedAt
    emails
    primaryEmail
    phones
    primaryPhone
    urls
    primaryUrl
    addresses
    primaryAddress
    companies { nodes { id name } }
    primaryCompany { name }
    owner { id email }
    createdBy { id }
    dealSize
    isArchived
    archivedAt
    createdAt
    updatedAt
  }
`);

const CreatePerson = graphql(`
  mutation CreatePerson($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { ...PersonFields } }
      ... on ValidationError { message fieldErrors { path message } }
      ... on ForbiddenError { message }
      ... on NotFoundError { message }
    }
  }
`);

const ReplacePerson = graphql(`
  mutation ReplacePerson($id: ID!, $input: PersonInput!) {
    replacePerson(id: $id, input: $input) {
      __typename
      ... on ReplacePersonSuccess { person { ...PersonFields } }
      ... on ValidationError { fieldErrors { path message } }
      ... on NotFoundError { resource id }
    }
  }
`);

const UpdatePerson = graphql(`
  mutation UpdatePerson($id: ID!, $input: UpdatePersonInput!) {
    updatePerson(id: $id, input: $input) {
      __typename
      ... on UpdatePersonSuccess { person { ...PersonFields } }
      ... on ValidationError { fieldErrors { path message } }
      ... on NotFoundError { resource id }
    }
  }
`);

const ArchivePerson = graphql(`
  mutation ArchivePerson($id: ID!) {
    archivePerson(id: $id) {
      __typename
      ... on ArchivePersonSuccess { person { id isArchived archivedAt } }
    }
  }
`);

const UnarchivePerson = graphql(`
  mutation UnarchivePerson($id: ID!) {
    unarchivePerson(id: $id) {
      __typename
      ... on UnarchivePersonSuccess { person { id isArchived archivedAt } }
    }
  }
`);

const DeletePerson = graphql(`
  mutation DeletePerson($id: ID!) {
    deletePerson(id: $id) {
      __typename
      ... on DeletePersonSuccess { deletedId }
      ... on NotFoundError { resource id }
    }
  }
`);

const GetPerson = graphql(`
  query GetPerson($id: ID!) {
    person(id: $id) { ...PersonFields }
    node(id: $id) { __typename id }
  }
`);

const ListPeople = graphql(`
  query ListPeople($first: Int, $after: String, $last: Int, $before: String, $filter: PersonFilter) {
    people(first: $first, after: $after, last: $last, before: $before, filter: $filter) {
      totalCount
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id familyName } }
    }
  }
`);

const Nodes = graphql(`
  query Nodes($ids: [ID!]!) {
    nodes(ids: $ids) { __typename id }
  }
`);

let test: TestApp;
let acme: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
});
afterAll(() => test?.close());

async function create(client: TestClient, input: PersonInput) {
  const { createPerson } = await client.request(CreatePerson, { input });
  if (createPerson.__typename !== 'CreatePersonSuccess') {
    throw new Error(`createPerson failed: ${JSON.stringify(createPerson)}`);
  }
  return createPerson.person;
}

async function countPeople(): Promise<number> {
  return test.prisma.person.count();
}

describe('Mutation.createPerson', () => {
  it('stores every field, with ordered lists whose first item is primary', async () => {
    const person = await create(acme, {
      givenName: 'Stella',
      familyName: 'Altois',
      honorificPrefix: 'Dr',
      jobTitle: 'Manager',
      description: 'Met at the fair.',
      birthday: '1990-01-31',
      language: 'en',
      timezone: 'Europe/Stockholm',
      profileColor: '#781f1f',
      externalId: 'ext-1',
      linkedinId: 'stella-altois',
      isTracked: true,
      sendInvite: true,
      emails: ['stella@example.org', 'stella@work.example'],
      phones: ['+46 70 123 45 67'],
      urls: ['https://example.org/stella'],
      addresses: ['1 Main St, Springfield', '2 Side St, Springfield'],
      companies: [{ name: 'Tech Corp' }, { name: 'HR Services' }],
      dealSize: 1200,
    });
    expect(person).toMatchObject({
      givenName: 'Stella',
      familyName: 'Altois',
      fullName: 'Stella Altois',
      initials: 'SA',
      birthday: '1990-01-31',
      primaryEmail: 'stella@example.org',
      emails: ['stella@example.org', 'stella@work.example'],
      primaryPhone: '+46 70 123 45 67',
      primaryUrl: 'https://example.org/stella',
      primaryAddress: '1 Main St, Springfield',
      companies: { nodes: [{ name: 'Tech Corp' }, { name: 'HR Services' }] },
      primaryCompany: { name: 'Tech Corp' },
      suspended: false,
      isArchived: false,
      dealSize: 1200,
    });
    expect(person.invitedAt).not.toBeNull();
    expect(person.createdBy?.id).toBeTruthy();
    const read = await acme.request(GetPerson, { id: person.id });
    expect(read.person).toEqual(person);
    expect(read.node).toEqual({ __typename: 'Person', id: person.id });
  });

  it('finds a company given by name again whatever its case, and takes one by id', async () => {
    const first = await create(acme, { familyName: 'One', companies: [{ name: 'Globex' }] });
    const second = await create(acme, { familyName: 'Two', companies: [{ name: 'GLOBEX' }] });
    expect(second.companies.nodes[0]!.id).toBe(first.companies.nodes[0]!.id);
    const third = await create(acme, { familyName: 'Three', companies: [{ id: first.companies.nodes[0]!.id }] });
    expect(third.companies).toEqual(first.companies);
  });

  it('takes an owner from the same organisation', async () => {
    const colleague = await createUserClient(test, acme.organizationId);
    const { viewer } = await colleague.request(graphql(`query Viewer { viewer { id email role } }`));
    expect(viewer.role).toBe('EDITOR');
    const person = await create(acme, { familyName: 'Owned', ownerId: viewer.id });
    expect(person.owner).toEqual({ id: viewer.id, email: viewer.email });
  });

  it.each([
    ['an empty family name', { familyName: '  ' }, ['input', 'familyName']],
    ['a given name over 500 characters', { familyName: 'X', givenName: 'a'.repeat(501) }, ['input', 'givenName']],
    ['a full name over 1000 characters', { familyName: 'X', fullName: 'a'.repeat(1001) }, ['input', 'fullName']],
    ['a description over 5000 characters', { familyName: 'X', description: 'a'.repeat(5001) }, ['input', 'description']],
    ['more than 20 emails', { familyName: 'X', emails: Array.from({ length: 21 }, (_, i) => `p${i}@example.org`) }, ['input', 'emails']],
    ['an email that is not one', { familyName: 'X', emails: ['ok@example.org', 'not-an-email'] }, ['input', 'emails', '1']],
    ['a duplicate email', { familyName: 'X', emails: ['a@example.org', 'A@example.org'] }, ['input', 'emails', '1']],
    ['a URL that is not http(s)', { familyName: 'X', urls: ['javascript:alert(1)'] }, ['input', 'urls', '0']],
    ['a phone that is not one', { familyName: 'X', phones: ['call me'] }, ['input', 'phones', '0']],
    ['a colour that is not #rrggbb', { familyName: 'X', profileColor: 'red' }, ['input', 'profileColor']],
    ['an unknown time zone', { familyName: 'X', timezone: 'Mars/Olympus' }, ['input', 'timezone']],
    ['a language that is not a tag', { familyName: 'X', language: 'English!' }, ['input', 'language']],
    ['a negative deal size', { familyName: 'X', dealSize: -1 }, ['input', 'dealSize']],
    ['a company with an empty name', { familyName: 'X', companies: [{ name: ' ' }] }, ['input', 'companies', '0']],
    ['an unknown company id', { familyName: 'X', companies: [{ id: 'Q29tcGFueTpub3BlCg==' }] }, ['input', 'companies', '0', 'id']],
    ['an owner id that is not a user id', { familyName: 'X', ownerId: 'garbage' }, ['input', 'ownerId']],
  ])('refuses %s with a ValidationError naming the field, writing nothing', async (_name, input, path) => {
    const before = await countPeople();
    const { createPerson } = await acme.request(CreatePerson, { input: input as never });
    expect(createPerson.__typename).toBe('ValidationError');
    if (createPerson.__typename !== 'ValidationError') return;
    expect(createPerson.fieldErrors.map((error) => error.path)).toContainEqual(path);
    expect(await countPeople()).toBe(before);
  });

  it('lists every problem of an input at once', async () => {
    const { createPerson } = await acme.request(CreatePerson, {
      input: { familyName: '', emails: ['bad'], profileColor: 'blue' },
    });
    expect(createPerson.__typename === 'ValidationError' && createPerson.fieldErrors.map((e) => e.path.join('.'))).toEqual([
      'input.familyName',
      'input.profileColor',
      'input.emails.0',
    ]);
  });

  it.each([
    ['a birthday that is no real date', { familyName: 'X', birthday: '2023-02-30' }, /real date/],
    ['a birthday in another format', { familyName: 'X', birthday: '31/01/1990' }, /YYYY-MM-DD/],
    ['a missing family name', { givenName: 'X' }, /familyName/],
    ['a company given both by id and by name', { familyName: 'X', companies: [{ id: 'x', name: 'y' }] }, /exactly one/i],
  ])('rejects %s before anything runs', async (_name, input, message) => {
    const before = await countPeople();
    const error = await expectGraphQLError(acme.request(CreatePerson, { input: input as never }));
    expect(error.response.errors?.[0]?.message).toMatch(message);
    expect(await countPeople()).toBe(before);
  });

  it('refuses a viewer with a ForbiddenError', async () => {
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    const before = await countPeople();
    const { createPerson } = await viewer.request(CreatePerson, { input: { familyName: 'Nope' } });
    expect(createPerson.__typename).toBe('ForbiddenError');
    expect(await countPeople()).toBe(before);
  });
});

describe('Mutation.replacePerson', () => {
  it('sets every field and clears those not given (PUT)', async () => {
    const person = await create(acme, {
      givenName: 'Chris',
      familyName: 'Wagley',
      jobTitle: 'Manager',
      emails: ['chris@example.org'],
      companies: [{ name: 'Initech' }],
    });
    const { replacePerson } = await acme.request(ReplacePerson, {
      id: person.id,
      input: { familyName: 'Wagley-Smith', emails: ['cw@example.org', 'chris@example.org'] },
    });
    expect(replacePerson.__typename).toBe('ReplacePersonSuccess');
    if (replacePerson.__typename !== 'ReplacePersonSuccess') return;
    expect(replacePerson.person).toMatchObject({
      givenName: null,
      familyName: 'Wagley-Smith',
      jobTitle: null,
      emails: ['cw@example.org', 'chris@example.org'],
      primaryEmail: 'cw@example.org',
      companies: { nodes: [] },
    });
  });

  it('answers NotFoundError for an unknown or malformed id', async () => {
    for (const id of ['UGVyc29uOm5vcGU=', 'not-a-global-id']) {
      const { replacePerson } = await acme.request(ReplacePerson, { id, input: { familyName: 'X' } });
      expect(replacePerson).toMatchObject({ __typename: 'NotFoundError', resource: 'Person', id });
    }
  });
});

describe('Mutation.updatePerson', () => {
  it('keeps absent fields and clears fields given as null (PATCH)', async () => {
    const person = await create(acme, {
      givenName: 'Ann',
      familyName: 'Lee',
      jobTitle: 'Engineer',
      phones: ['+1 555 0100'],
    });
    const { updatePerson } = await acme.request(UpdatePerson, {
      id: person.id,
      input: { jobTitle: null, description: 'Likes GraphQL.', emails: ['ann@example.org'] },
    });
    if (updatePerson.__typename !== 'UpdatePersonSuccess') throw new Error(updatePerson.__typename);
    expect(updatePerson.person).toMatchObject({
      givenName: 'Ann',
      familyName: 'Lee',
      jobTitle: null,
      description: 'Likes GraphQL.',
      phones: ['+1 555 0100'],
      emails: ['ann@example.org'],
    });
    const events = await test.prisma.timelineEvent.findMany({ where: { personId: person.id.length ? undefined : '' } });
    expect(events.length).toBeGreaterThan(0);
  });

  it('records the changed fields, before and after, on the timeline', async () => {
    const person = await create(acme, { familyName: 'Before', jobTitle: 'Same' });
    await acme.request(UpdatePerson, { id: person.id, input: { familyName: 'After', jobTitle: 'Same' } });
    const personId = (await test.prisma.person.findFirstOrThrow({ where: { familyName: 'After' } })).id;
    const events = await test.prisma.timelineEvent.findMany({ where: { personId }, orderBy: { occurredAt: 'asc' } });
    expect(events.map((event) => event.type)).toEqual(['PERSON_CREATED', 'PERSON_UPDATED']);
    expect(events[1]!.data).toEqual({ changes: { familyName: { before: 'Before', after: 'After' } } });
  });

  it('refuses to clear the family name', async () => {
    const person = await create(acme, { familyName: 'Kept' });
    const { updatePerson } = await acme.request(UpdatePerson, { id: person.id, input: { familyName: null } });
    expect(updatePerson.__typename === 'ValidationError' && updatePerson.fieldErrors[0]!.path).toEqual(['input', 'familyName']);
    const read = await acme.request(GetPerson, { id: person.id });
    expect(read.person?.familyName).toBe('Kept');
  });

  it('writes nothing when one field of several is bad', async () => {
    const person = await create(acme, { familyName: 'Whole', givenName: 'Old' });
    const { updatePerson } = await acme.request(UpdatePerson, {
      id: person.id,
      input: { givenName: 'New', urls: ['ftp://example.org'] },
    });
    expect(updatePerson.__typename).toBe('ValidationError');
    const read = await acme.request(GetPerson, { id: person.id });
    expect(read.person).toMatchObject({ givenName: 'Old', urls: [] });
  });
});

describe('Mutation.archivePerson and Mutation.unarchivePerson', () => {
  it('archives instead of deleting, hides the person from the default list, and restores', async () => {
    const person = await create(acme, { familyName: 'Archivable' });
    const archived = await acme.request(ArchivePerson, { id: person.id });
    expect(archived.archivePerson).toMatchObject({ person: { isArchived: true } });
    const again = await acme.request(ArchivePerson, { id: person.id });
    expect(again.archivePerson).toEqual(archived.archivePerson);

    const active = await acme.request(ListPeople, { first: 100 });
    expect(active.people.edges.map((edge) => edge.node.id)).not.toContain(person.id);
    const all = await acme.request(ListPeople, { first: 100, filter: { archived: 'ALL' } });
    expect(all.people.edges.map((edge) => edge.node.id)).toContain(person.id);
    expect(all.people.totalCount).toBe(active.people.totalCount + 1);

    const restored = await acme.request(UnarchivePerson, { id: person.id });
    expect(restored.unarchivePerson).toMatchObject({ person: { isArchived: false, archivedAt: null } });
  });
});

describe('Mutation.deletePerson', () => {
  it('deletes the person and what hangs on them; a second delete is NotFound', async () => {
    const person = await create(acme, { familyName: 'Gone', companies: [{ name: 'Stays Inc' }] });
    const { deletePerson } = await acme.request(DeletePerson, { id: person.id });
    expect(deletePerson).toEqual({ __typename: 'DeletePersonSuccess', deletedId: person.id });
    expect((await acme.request(GetPerson, { id: person.id })).person).toBeNull();
    const again = await acme.request(DeletePerson, { id: person.id });
    expect(again.deletePerson).toMatchObject({ __typename: 'NotFoundError', id: person.id });
    const personId = Buffer.from(person.id, 'base64').toString().split(':')[1]!;
    expect(await test.prisma.timelineEvent.count({ where: { personId } })).toBe(0);
    expect(await test.prisma.personCompany.count({ where: { personId } })).toBe(0);
    expect(await test.prisma.company.count({ where: { name: 'Stays Inc' } })).toBe(1);
  });
});

describe('Query.people', () => {
  let ids: string[];

  beforeAll(async () => {
    const paging = await createOrgClient(test, 'Paging Ltd');
    acmePaging = paging;
    ids = [];
    for (let index = 0; index < 7; index++) {
      ids.push((await create(paging, { familyName: `P${index}` })).id);
    }
  });
  let acmePaging: TestClient;

  it('pages forward with first/after and backward with last/before', async () => {
    const page1 = await acmePaging.request(ListPeople, { first: 3 });
    expect(page1.people.totalCount).toBe(7);
    expect(page1.people.edges.map((edge) => edge.node.id)).toEqual(ids.slice(0, 3));
    expect(page1.people.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const page2 = await acmePaging.request(ListPeople, { first: 3, after: page1.people.pageInfo.endCursor });
    expect(page2.people.edges.map((edge) => edge.node.id)).toEqual(ids.slice(3, 6));
    const page3 = await acmePaging.request(ListPeople, { first: 3, after: page2.people.pageInfo.endCursor });
    expect(page3.people.edges.map((edge) => edge.node.id)).toEqual(ids.slice(6));
    expect(page3.people.pageInfo.hasNextPage).toBe(false);

    const last = await acmePaging.request(ListPeople, { last: 2 });
    expect(last.people.edges.map((edge) => edge.node.id)).toEqual(ids.slice(5));
    const before = await acmePaging.request(ListPeople, { last: 2, before: last.people.pageInfo.startCursor });
    expect(before.people.edges.map((edge) => edge.node.id)).toEqual(ids.slice(3, 5));
    expect(before.people.pageInfo.hasPreviousPage).toBe(true);
  });

  it.each([0, 101, -1])('refuses first: %i with a clear error', async (first) => {
    const error = await expectGraphQLError(acmePaging.request(ListPeople, { first }));
    expect(error.response.errors?.[0]?.message).toMatch(/"first" must be between 1 and 100/);
  });

  it('refuses a cursor that is not one', async () => {
    const error = await expectGraphQLError(acmePaging.request(ListPeople, { first: 2, after: 'bogus' }));
    expect(error.response.errors?.[0]?.message).toMatch(/cursor/i);
  });
});

describe('Query.person', () => {
  it('answers null for an id that names no person, malformed or of another type', async () => {
    const { viewer } = await acme.request(graphql(`query PersonViewerId { viewer { id } }`));
    for (const id of ['garbage', viewer.id, 'UGVyc29uOm5vYm9keQ==']) {
      const { person } = await acme.request(graphql(`query MaybePerson($id: ID!) { person(id: $id) { id } }`), { id });
      expect(person).toBeNull();
    }
  });
});

describe('tenant isolation', () => {
  it("never shows or changes another organisation's person, whatever the path", async () => {
    const person = await create(acme, { familyName: 'Private' });
    const other = await createOrgClient(test, 'Other Org');
    const read = await other.request(GetPerson, { id: person.id });
    expect(read).toEqual({ person: null, node: null });
    expect((await other.request(Nodes, { ids: [person.id] })).nodes).toEqual([null]);
    expect((await other.request(ListPeople, { first: 100 })).people.totalCount).toBe(0);
    const { updatePerson } = await other.request(UpdatePerson, { id: person.id, input: { familyName: 'Hacked' } });
    expect(updatePerson.__typename).toBe('NotFoundError');
    const { deletePerson } = await other.request(DeletePerson, { id: person.id });
    expect(deletePerson.__typename).toBe('NotFoundError');
    const { createPerson } = await other.request(CreatePerson, {
      input: { familyName: 'Sneaky', companies: [{ id: (await create(acme, { familyName: 'C', companies: [{ name: 'Acme Only' }] })).companies.nodes[0]!.id }] },
    });
    expect(createPerson.__typename).toBe('ValidationError');
    expect((await acme.request(GetPerson, { id: person.id })).person?.familyName).toBe('Private');
  });
});
