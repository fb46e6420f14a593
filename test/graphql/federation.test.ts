import { composeServices } from '@apollo/composition';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import {
  buildSchema,
  execute,
  type GraphQLError,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  lexicographicSortSchema,
  parse,
  printType,
} from 'graphql';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schema } from '../../src/schema/index.ts';
import { federationSchema } from '../../src/graphql/subgraph.ts';
import { encodeGlobalId } from '../../src/shared/global-ids.ts';
import { graphql } from '../generated/gql.ts';
import {
  createOrgClient,
  createTestApp,
  createUserClient,
  expectGraphQLError,
  postRaw,
  type TestApp,
  type TestClient,
} from '../support/app.ts';
import { unknownId } from '../support/organising.ts';

/**
 * The Apollo Federation 2 subgraph surface: what a gateway asks for at composition time
 * (`_service { sdl }`) and at query time (`_entities`), through the HTTP endpoint.
 */
const ServiceSdl = graphql(`
  query ServiceSdl {
    _service { sdl }
  }
`);

const Entities = graphql(`
  query Entities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on Person { id fullName primaryEmail }
      ... on Group { id title category { title } }
      ... on GroupCategory { id title }
      ... on Tag { id title }
      ... on Note { id description author { email } }
      ... on NoteCategory { id title }
      ... on CustomField { id slug }
      ... on Company { id name }
      ... on User { id email }
      ... on TimelineEvent { id type person { id } }
      ... on Merge { id primary { id } }
    }
  }
`);

/** People with nested relations, as a gateway would ask for them after another subgraph's list. */
const PeopleEntities = graphql(`
  query PeopleEntities($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on Person {
        id
        fullName
        emails
        owner { email }
        tags(first: 5) { totalCount nodes { tag { title } } }
        notes(first: 3) { totalCount nodes { description category { title } } }
      }
    }
  }
`);

const PeopleByExternalId = graphql(`
  query PeopleByExternalId($representations: [_Any!]!) {
    _entities(representations: $representations) {
      __typename
      ... on Person { id externalId fullName }
    }
  }
`);

const PersonByNode = graphql(`
  query FederationPersonByNode($id: ID!) {
    node(id: $id) { id ... on Person { fullName } }
  }
`);

type Representation = { __typename: string; id: string };

let test: TestApp;
let acme: TestClient;
let globex: TestClient;
/** Global ids of one of everything in Acme. */
const acmeIds: Record<string, string> = {};
const acmePeople: string[] = [];
let globexPersonId: string;
let globexTagId: string;

const ref = (typename: string, id: string): Representation => ({ __typename: typename, id });

beforeAll(async () => {
  // A TTL longer than the file's run, so that statement counts never include a second key lookup.
  test = await createTestApp({ apiKeyCache: { ttlMs: 600_000 } });
  acme = await createOrgClient(test, 'Acme');
  globex = await createOrgClient(test, 'Globex');
  // Rows written directly, as set-up for a read test.
  const org = { organizationId: acme.organizationId };
  const groupCategory = await test.prisma.groupCategory.create({ data: { ...org, title: 'Regions' } });
  const group = await test.prisma.group.create({ data: { ...org, title: 'North', categoryId: groupCategory.id } });
  const tags = await Promise.all(
    ['VIP', 'Donor'].map((title) => test.prisma.tag.create({ data: { ...org, title, titleKey: title.toLowerCase() } })),
  );
  const noteCategory = await test.prisma.noteCategory.create({ data: { ...org, title: 'Call' } });
  const company = await test.prisma.company.create({ data: { ...org, name: 'Initech', nameKey: 'initech' } });
  const field = await test.prisma.customField.create({ data: { ...org, title: 'Join date', slug: 'join-date', type: 'DATE' } });
  for (let n = 0; n < 50; n++) {
    const person = await test.prisma.person.create({
      data: { ...org, givenName: 'Ada', familyName: `P${n}`, emails: [`p${n}@example.org`], ownerId: acme.userId, externalId: `ext-${n}` },
    });
    await test.prisma.personTag.createMany({ data: tags.map((tag) => ({ ...org, personId: person.id, tagId: tag.id })) });
    await test.prisma.note.createMany({
      data: [1, 2, 3, 4].map((k) => ({ ...org, personId: person.id, authorId: acme.userId, categoryId: noteCategory.id, description: `Note ${k}` })),
    });
    acmePeople.push(encodeGlobalId('Person', person.id));
  }
  const firstPerson = await test.prisma.person.findFirstOrThrow({ where: { ...org, familyName: 'P0' } });
  const note = await test.prisma.note.findFirstOrThrow({ where: { personId: firstPerson.id } });
  const event = await test.prisma.timelineEvent.create({ data: { ...org, personId: firstPerson.id, actorId: acme.userId, type: 'PERSON_UPDATED' } });
  const merge = await test.prisma.merge.create({
    data: { ...org, primaryId: firstPerson.id, mergedIds: ['00000000-0000-7000-8000-000000000001'], overrides: [], actorId: acme.userId },
  });
  Object.assign(acmeIds, {
    Person: acmePeople[0],
    Group: encodeGlobalId('Group', group.id),
    GroupCategory: encodeGlobalId('GroupCategory', groupCategory.id),
    Tag: encodeGlobalId('Tag', tags[0]!.id),
    Note: encodeGlobalId('Note', note.id),
    NoteCategory: encodeGlobalId('NoteCategory', noteCategory.id),
    CustomField: encodeGlobalId('CustomField', field.id),
    Company: encodeGlobalId('Company', company.id),
    User: encodeGlobalId('User', acme.userId),
    TimelineEvent: encodeGlobalId('TimelineEvent', event.id),
    Merge: encodeGlobalId('Merge', merge.id),
  });

  const globexOrg = { organizationId: globex.organizationId };
  // Globex's own person with the external id one of Acme's people has.
  const globexPerson = await test.prisma.person.create({ data: { ...globexOrg, familyName: 'Secret', externalId: 'ext-0' } });
  const globexTag = await test.prisma.tag.create({ data: { ...globexOrg, title: 'Hidden', titleKey: 'hidden' } });
  globexPersonId = encodeGlobalId('Person', globexPerson.id);
  globexTagId = encodeGlobalId('Tag', globexTag.id);
});
afterAll(() => test?.close());

describe('Query._service', () => {
  it('gives the subgraph SDL, with the federation 2 @link and an @key on every entity', async () => {
    const { _service } = await acme.request(ServiceSdl);
    const sdl = _service.sdl!;
    expect(sdl).toContain('@link(url: "https://specs.apollo.dev/federation/v2.6"');
    for (const typename of Object.keys(acmeIds)) {
      expect(sdl).toMatch(new RegExp(`type ${typename} implements Node\\s+@key\\(fields: "id"\\)`));
    }
    expect(sdl).toMatch(/type PageInfo\s+@shareable/);
    // The federation printer, not printSchema: the SDL is what Apollo's own printer makes of the served schema.
    expect(sdl).toBe(printSubgraphSchema(schema));
  });

  it('answers without an API key: a gateway composes before any user asks, and the SDL holds no data', async () => {
    const response = await postRaw(test, JSON.stringify({ query: '{ _service { sdl } }' }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { _service: { sdl: string } } };
    expect(body.data._service.sdl).toContain('@key(fields: "id")');
  });

  it('does not open anything else to a request without a key: asked together with data, it is 401', async () => {
    const response = await postRaw(test, JSON.stringify({ query: '{ _service { sdl } people(first: 1) { totalCount } }' }));
    expect(response.status).toBe(401);
    const body = (await response.json()) as { data?: unknown };
    expect(body.data ?? null).toBeNull();
  });

  it('is a valid subgraph that describes the same types as schema.graphql', async () => {
    const { _service } = await acme.request(ServiceSdl);
    const fromSdl = lexicographicSortSchema(buildSubgraphSchema(parse(_service.sdl!)));
    const committed = buildSchema(await readFile(new URL('../../schema.graphql', import.meta.url), 'utf8'));
    for (const type of Object.values(committed.getTypeMap())) {
      // Introspection types, and federation's own plumbing, which Apollo builds and describes.
      if (type.name.startsWith('__') || type.name === '_Service' || type.name === '_Any') continue;
      const described = fromSdl.getType(type.name);
      expect(described, type.name).toBeDefined();
      // Apollo's printer drops @oneOf (federation has no such directive): CompanyRef's rule is
      // then this subgraph's to enforce, as it does, and the README says so.
      expect(printType(described!), type.name).toBe(printType(type).replace(' @oneOf {', ' {'));
    }
  });
});

describe('Query._entities', () => {
  it('resolves one reference', async () => {
    const { _entities } = await acme.request(Entities, { representations: [ref('Person', acmeIds.Person!)] });
    expect(_entities).toEqual([{ __typename: 'Person', id: acmeIds.Person, fullName: 'Ada P0', primaryEmail: 'p0@example.org' }]);
  });

  it('resolves references of every entity type together, in the order given', async () => {
    const typenames = Object.keys(acmeIds);
    const representations = [...typenames.map((typename) => ref(typename, acmeIds[typename]!)), ref('Person', acmePeople[1]!)];
    const { _entities } = await acme.request(Entities, { representations });
    expect(_entities.map((entity) => entity && [entity.__typename, 'id' in entity ? entity.id : null])).toEqual(
      representations.map(({ __typename, id }) => [__typename, id]),
    );
    const byType = new Map(_entities.map((entity) => [entity!.__typename, entity]));
    expect(byType.get('Group')).toMatchObject({ title: 'North', category: { title: 'Regions' } });
    expect(byType.get('Tag')).toMatchObject({ title: 'VIP' });
    expect(byType.get('Note')).toMatchObject({ author: { email: expect.any(String) } });
    expect(byType.get('CustomField')).toMatchObject({ slug: 'join-date' });
    expect(byType.get('Company')).toMatchObject({ name: 'Initech' });
    expect(byType.get('TimelineEvent')).toMatchObject({ type: 'PERSON_UPDATED', person: { id: acmeIds.Person } });
    expect(byType.get('Merge')).toMatchObject({ primary: { id: acmeIds.Person } });
    expect(_entities.at(-1)).toMatchObject({ __typename: 'Person', fullName: 'Ada P1' });
  });

  it('gives null for an unknown id, a malformed one, and an id of another type', async () => {
    const { _entities } = await acme.request(Entities, {
      representations: [
        ref('Person', unknownId('Person')),
        ref('Person', 'not-an-id'),
        ref('Person', acmeIds.Tag!),
        ref('Tag', acmeIds.Person!),
        ref('Person', acmeIds.Person!),
      ],
    });
    expect(_entities.slice(0, 4)).toEqual([null, null, null, null]);
    expect(_entities[4]).toMatchObject({ id: acmeIds.Person });
  });

  it('refuses a representation of a type that is not an entity, with an error that names it', async () => {
    for (const typename of ['Deal', 'TagAssignment', 'PageInfo']) {
      const error = await expectGraphQLError(acme.request(Entities, { representations: [ref(typename, acmeIds.Person!)] }));
      expect(error.response.errors?.[0]?.message).toContain(`"${typename}" is not an entity of this subgraph`);
      expect(error.response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    }
  });

  it("gives null for another organisation's ids, and resolves them for that organisation", async () => {
    const representations = [ref('Person', globexPersonId), ref('Tag', globexTagId)];
    expect((await acme.request(Entities, { representations }))._entities).toEqual([null, null]);
    const { _entities } = await globex.request(Entities, { representations });
    expect(_entities).toMatchObject([{ id: globexPersonId, fullName: 'Secret' }, { id: globexTagId, title: 'Hidden' }]);
    // And the other way round: Globex's key reaches none of Acme's entities.
    const acmeRefs = Object.entries(acmeIds).map(([typename, id]) => ref(typename, id));
    const fromGlobex = await globex.request(Entities, { representations: acmeRefs });
    // A user belongs to one organisation: Acme's user is not Globex's either.
    expect(fromGlobex._entities).toEqual(acmeRefs.map(() => null));
  });

  it("gives null for a colleague's private note, which only its author resolves", async () => {
    const author = await createUserClient(test, acme.organizationId, 'EDITOR');
    const person = await test.prisma.person.findFirstOrThrow({ where: { organizationId: acme.organizationId } });
    const category = await test.prisma.noteCategory.findFirstOrThrow({ where: { organizationId: acme.organizationId } });
    const note = await test.prisma.note.create({
      data: {
        organizationId: acme.organizationId,
        personId: person.id,
        authorId: author.userId,
        categoryId: category.id,
        description: 'Private',
        isPrivate: true,
      },
    });
    const representations = [ref('Note', encodeGlobalId('Note', note.id))];
    expect((await acme.request(Entities, { representations }))._entities).toEqual([null]);
    expect((await author.request(Entities, { representations }))._entities).toMatchObject([{ description: 'Private' }]);
  });

  it('needs an API key: without one it is refused with 401 and reads nothing', async () => {
    test.sql.length = 0;
    const response = await postRaw(
      test,
      JSON.stringify({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { fullName } } }', variables: { r: [ref('Person', acmeIds.Person!)] } }),
    );
    expect(response.status).toBe(401);
    const body = (await response.json()) as { data?: unknown; errors: GraphQLError[] };
    expect(body.data ?? null).toBeNull();
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(test.sql).toEqual([]);
  });

  it('runs the same, small number of SQL statements for 5 and for 50 people with nested relations', async () => {
    const statementsFor = async (count: number) => {
      test.sql.length = 0;
      const { _entities } = await acme.request(PeopleEntities, {
        representations: acmePeople.slice(0, count).map((id) => ref('Person', id)),
      });
      expect(_entities).toHaveLength(count);
      expect(_entities.at(-1)).toMatchObject({
        __typename: 'Person',
        id: acmePeople[count - 1],
        emails: [`p${count - 1}@example.org`],
        owner: { email: expect.any(String) },
        tags: { totalCount: 2 },
        notes: { totalCount: 4 },
      });
      expect(_entities.at(-1)).toHaveProperty('notes.nodes.length', 3);
      return test.sql.length;
    };
    // The first request looks the API key up; the counted ones find it in the cache.
    await statementsFor(1);
    const small = await statementsFor(5);
    const large = await statementsFor(50);
    expect(large).toBe(small);
    // One query for the people with every relation joined in.
    expect(small).toBe(1);
  });

  it('serves what node(id) serves for the same id', async () => {
    const { node } = await acme.request(PersonByNode, { id: acmeIds.Person! });
    const { _entities } = await acme.request(Entities, { representations: [ref('Person', acmeIds.Person!)] });
    expect(_entities[0]).toMatchObject(node!);
  });
});

describe('Query._entities by Person.externalId', () => {
  const byExternalId = (externalId: unknown) => ({ __typename: 'Person', externalId });

  it('resolves people by the external id of their own organisation, 50 in the one statement 5 take', async () => {
    const statementsFor = async (count: number) => {
      test.sql.length = 0;
      const { _entities } = await acme.request(PeopleByExternalId, {
        representations: Array.from({ length: count }, (_, n) => byExternalId(`ext-${n}`)),
      });
      expect(_entities.map((person) => person && 'fullName' in person && person.fullName)).toEqual(
        Array.from({ length: count }, (_, n) => `Ada P${n}`),
      );
      return test.sql.length;
    };
    expect(await statementsFor(5)).toBe(1);
    expect(await statementsFor(50)).toBe(1);
  });

  it("never resolves to another organisation's person, even with the same external id", async () => {
    const representations = [byExternalId('ext-0')];
    expect((await acme.request(PeopleByExternalId, { representations }))._entities).toMatchObject([{ id: acmePeople[0], fullName: 'Ada P0' }]);
    expect((await globex.request(PeopleByExternalId, { representations }))._entities).toMatchObject([{ id: globexPersonId, fullName: 'Secret' }]);
    // Acme's ext-1 does not exist for Globex.
    expect((await globex.request(PeopleByExternalId, { representations: [byExternalId('ext-1')] }))._entities).toEqual([null]);
  });

  it('gives null for an external id several people share, an unknown one, and one that is no string', async () => {
    for (const familyName of ['Twin A', 'Twin B']) {
      await test.prisma.person.create({ data: { organizationId: acme.organizationId, familyName, externalId: 'shared' } });
    }
    const { _entities } = await acme.request(PeopleByExternalId, {
      representations: [byExternalId('shared'), byExternalId('nobody'), byExternalId(7), byExternalId(''), byExternalId('ext-2')],
    });
    expect(_entities).toEqual([null, null, null, null, { __typename: 'Person', id: acmePeople[2], externalId: 'ext-2', fullName: 'Ada P2' }]);
  });

  it('resolves references by id and by external id together, one statement for each key', async () => {
    test.sql.length = 0;
    const { _entities } = await acme.request(PeopleByExternalId, {
      representations: [byExternalId('ext-3'), ref('Person', acmePeople[4]!), byExternalId('ext-5'), ref('Person', acmePeople[6]!)],
    });
    expect(_entities.map((person) => person && 'externalId' in person && person.externalId)).toEqual(['ext-3', 'ext-4', 'ext-5', 'ext-6']);
    expect(test.sql).toHaveLength(2);
  });
});

describe('The subgraph endpoint', () => {
  const subgraphSdl = async () => {
    const response = await test.app.fetch('http://test/subgraph', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ _service { sdl } }' }),
    });
    return ((await response.json()) as { data: { _service: { sdl: string } } }).data._service.sdl;
  };

  it("serves the federation schema's SDL, printed by Apollo's printer: no node or nodes, prefixed error types", async () => {
    const sdl = await subgraphSdl();
    expect(sdl).toBe(printSubgraphSchema(federationSchema(schema, 'People')));
    expect(sdl).toMatch(/type Person implements Node\s+@key\(fields: "id"\)\s+@key\(fields: "externalId"\)/);
    expect(sdl).not.toMatch(/^\s+nodes?\(ids?:/m);
    expect(sdl).toMatch(/interface PeopleError\b/);
    expect(sdl).toMatch(/type PeopleValidationError implements PeopleError\b/);
    expect(sdl).toMatch(/fieldErrors: \[PeopleFieldError!\]!/);
    expect(sdl).not.toMatch(/\b(type|interface) (Error|ValidationError|FieldError)\b/);
  });

  it('has every type and field of the public schema but node and nodes, the error types renamed', () => {
    const federation = federationSchema(schema, 'People');
    const errorTypes = new Set(['Error', 'FieldError', ...schema.getPossibleTypes(schema.getType('Error') as GraphQLInterfaceType).map((type) => type.name)]);
    expect(errorTypes).toEqual(
      new Set(['Error', 'FieldError', 'NotFoundError', 'ValidationError', 'ConflictError', 'ForbiddenError', 'FieldNotSetError', 'SuppressedPersonError', 'WebhookUrlRefusedError']),
    );
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__')) continue;
      const name = errorTypes.has(type.name) ? `People${type.name}` : type.name;
      expect(federation.getType(type.name)?.name, type.name).toBe(errorTypes.has(type.name) ? undefined : name);
      const counterpart = federation.getType(name);
      expect(counterpart?.constructor, type.name).toBe(type.constructor);
      if (!('getFields' in type) || !counterpart || !('getFields' in counterpart)) continue;
      const fields = Object.keys(type.getFields()).filter((field) => type.name !== 'Query' || (field !== 'node' && field !== 'nodes'));
      expect(Object.keys(counterpart.getFields()), type.name).toEqual(fields);
    }
  });

  it('runs the same resolvers: entities, and errors under their prefixed names', async () => {
    const response = await test.app.fetch('http://test/subgraph', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${acme.apiKey}` },
      body: JSON.stringify({
        query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { fullName } } }`,
        variables: { r: [ref('Person', acmePeople[0]!)] },
      }),
    });
    expect(await response.json()).toEqual({ data: { _entities: [{ fullName: 'Ada P0' }] } });
    const mutation = await test.app.fetch('http://test/subgraph', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${acme.apiKey}` },
      body: JSON.stringify({
        query: 'mutation { createPerson(input: { familyName: "" }) { __typename ... on PeopleError { message } ... on PeopleValidationError { fieldErrors { path } } } }',
      }),
    });
    const body = (await mutation.json()) as { data: { createPerson: { __typename: string; fieldErrors: unknown[] } } };
    expect(body.data.createPerson).toMatchObject({ __typename: 'PeopleValidationError', fieldErrors: [{ path: ['input', 'familyName'] }] });
  });

  it('needs a key for anything but _service, as /graphql does', async () => {
    const response = await test.app.fetch('http://test/subgraph', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { fullName } } }', variables: { r: [ref('Person', acmePeople[0]!)] } }),
    });
    expect(response.status).toBe(401);
  });
});

/** A second subgraph, as another team would write it: deals that point at people by the same global id. */
const dealsSdl = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Deal @key(fields: "id") {
    id: ID!
    title: String!
    person: Person!
  }

  type Person @key(fields: "id") {
    id: ID!
    deals: [Deal!]!
  }

  type Query {
    deals: [Deal!]!
  }
`;

function dealsSubgraph(deals: { id: string; title: string; personId: string }[]) {
  return buildSubgraphSchema({
    typeDefs: parse(dealsSdl),
    resolvers: {
      Query: { deals: () => deals },
      Deal: { person: (deal: { personId: string }) => ({ __typename: 'Person', id: deal.personId }) },
      Person: {
        __resolveReference: (person: { id: string }) => person,
        deals: (person: { id: string }) => deals.filter((deal) => deal.personId === person.id),
      },
    },
  });
}

describe('Federation with a second subgraph', () => {
  it('composes with a subgraph that extends Person by its key', async () => {
    const { _service } = await acme.request(ServiceSdl);
    const result = composeServices([
      { name: 'people', url: 'http://people.test/graphql', typeDefs: parse(_service.sdl!) },
      { name: 'deals', url: 'http://deals.test/graphql', typeDefs: parse(dealsSdl) },
    ]);
    expect(result.errors ?? []).toEqual([]);
    const supergraph = buildSchema(result.supergraphSdl!, { assumeValidSDL: true });
    const person = supergraph.getType('Person') as GraphQLObjectType;
    expect(Object.keys(person.getFields())).toEqual(expect.arrayContaining(['fullName', 'deals']));
  });

  it("joins both ways through _entities, as a gateway's query plan does", async () => {
    const deals = dealsSubgraph([
      { id: 'deal-1', title: 'Renewal', personId: acmePeople[2]! },
      { id: 'deal-2', title: 'Upsell', personId: acmePeople[3]! },
      { id: 'deal-3', title: 'Leaked?', personId: globexPersonId },
    ]);
    // deals → people: the deals subgraph gives person references, this subgraph fills them in.
    const fromDeals = await execute({ schema: deals, document: parse('{ deals { title person { __typename id } } }') });
    const dealRows = (fromDeals.data as { deals: { title: string; person: Representation }[] }).deals;
    const { _entities } = await acme.request(Entities, { representations: dealRows.map((deal) => deal.person) });
    expect(dealRows.map((deal, index) => [deal.title, _entities[index] && 'fullName' in _entities[index] ? _entities[index].fullName : null])).toEqual([
      ['Renewal', 'Ada P2'],
      ['Upsell', 'Ada P3'],
      // Another organisation's person stays hidden from Acme's key, whatever the other subgraph holds.
      ['Leaked?', null],
    ]);
    // people → deals: this subgraph's ids are the keys the deals subgraph resolves Person by.
    const toDeals = await execute({
      schema: deals,
      document: parse('query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id deals { title } } } }'),
      variableValues: { r: [ref('Person', acmePeople[2]!), ref('Person', acmePeople[4]!)] },
    });
    expect(toDeals.errors).toBeUndefined();
    expect(toDeals.data).toEqual({
      _entities: [
        { id: acmePeople[2], deals: [{ title: 'Renewal' }] },
        { id: acmePeople[4], deals: [] },
      ],
    });
  });
});
