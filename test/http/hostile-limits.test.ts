import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryLimits } from '../../src/graphql/builder.ts';
import { documentLimits } from '../../src/http/limits.ts';
import { inputLimits } from '../../src/graphql/input-limits.ts';
import { unknownId } from '../support/organising.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';

/**
 * Hostile input, as a tester found it (issue 10): each is refused with a clear error before any
 * work, and before any SQL. Everything goes through HTTP as raw bodies, since no typed client
 * would send them; an anonymous request sends no key at all.
 */

let test: TestApp;
let acme: TestClient;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
});
afterAll(() => test?.close());

interface GraphQLBody {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * A raw POST. It accepts application/graphql-response+json, with which a request that cannot run
 * (unparsable, invalid, over a document limit) is answered with HTTP 400 (with application/json
 * alone, GraphQL over HTTP answers such a request with 200).
 */
async function post(body: unknown, { key = true, headers = {} as Record<string, string> } = {}) {
  const response = await test.app.fetch('http://test/graphql', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json',
      ...(key ? { authorization: `Bearer ${acme.apiKey}` } : {}),
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as GraphQLBody };
}

/** The statements sent since `test.sql` was cleared, leaving out the API key's lookup. */
function sqlRun(): string[] {
  return test.sql.filter((statement) => !/"ApiKey"/.test(statement));
}

function firstError(body: GraphQLBody) {
  expect(body.errors, JSON.stringify(body).slice(0, 500)).toBeDefined();
  return body.errors![0]!;
}

describe('anonymous requests cost a small, bounded amount', () => {
  it('refuses 1,000 aliased introspections (no data, no 26 MB answer)', async () => {
    const alias = (index: number) => `s${index}: __schema { types { name fields { name type { name } } } }`;
    const query = `{ ${Array.from({ length: 1000 }, (_, index) => alias(index)).join(' ')} }`;
    test.sql.length = 0;
    const { status, body } = await post({ query }, { key: false });
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    // Its 8,000 tokens are the first limit it meets.
    expect(firstError(body).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'tokens', max: documentLimits.tokens });
    expect(test.sql).toEqual([]);
  });

  it('refuses more aliases than the limit, before authentication', async () => {
    const count = documentLimits.aliases + 1;
    const query = `{ ${Array.from({ length: count }, (_, index) => `p${index}: people { totalCount }`).join(' ')} }`;
    test.sql.length = 0;
    const { status, body } = await post({ query }, { key: false });
    expect(status).toBe(400);
    expect(firstError(body)).toMatchObject({
      message: `The operation has ${count} aliases; at most ${documentLimits.aliases} are allowed.`,
      extensions: { code: 'QUERY_TOO_COMPLEX', kind: 'aliases', measure: count, max: documentLimits.aliases },
    });
    expect(test.sql).toEqual([]);
  });

  it('refuses introspection asked for more times than the limit, even under the alias limit', async () => {
    const count = documentLimits.introspectionFields + 1;
    const query = `{ ${Array.from({ length: count }, (_, index) => `s${index}: __schema { types { name } }`).join(' ')} }`;
    const { status, body } = await post({ query }, { key: false });
    expect(status).toBe(400);
    expect(firstError(body)).toMatchObject({
      message: `The operation asks for introspection (__schema, __type) ${count} times; at most ${documentLimits.introspectionFields} are allowed.`,
      extensions: { code: 'QUERY_TOO_COMPLEX', kind: 'introspection', measure: count, max: documentLimits.introspectionFields },
    });
  });

  it("still answers GraphiQL's introspection query without a key", async () => {
    const query = getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, inputValueDeprecation: true });
    const { status, body } = await post({ query }, { key: false });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data).toHaveProperty('__schema.queryType.name', 'Query');
  });

  it('still answers one introspection, with a few __type besides', async () => {
    const query = '{ __schema { queryType { name } } person: __type(name: "Person") { name } tag: __type(name: "Tag") { name } }';
    const { status, body } = await post({ query }, { key: false });
    expect(status).toBe(200);
    expect(body.data).toEqual({ __schema: { queryType: { name: 'Query' } }, person: { name: 'Person' }, tag: { name: 'Tag' } });
  });

  it('refuses 1 MB of "id id id ..." without a key by its size, before reading it', async () => {
    const query = `{ ${'id '.repeat(350_000)} }`;
    const { status, body } = await post({ query }, { key: false });
    expect(status).toBe(413);
    expect(firstError(body)).toMatchObject({
      message: `Request body too large: without an Authorization header a request may be at most ${documentLimits.anonymousBodyBytes} bytes.`,
      extensions: { code: 'REQUEST_ENTITY_TOO_LARGE' },
    });
  });

  it('refuses 1 MB of "id id id ..." with a key at the token limit, before anything is read', async () => {
    const query = `{ ${'id '.repeat(350_000)} }`;
    test.sql.length = 0;
    const { status, body } = await post({ query });
    expect(status).toBe(400);
    expect(firstError(body)).toMatchObject({
      message: `The document has more than ${documentLimits.tokens} tokens; at most ${documentLimits.tokens} are allowed.`,
      extensions: { code: 'QUERY_TOO_COMPLEX', kind: 'tokens', max: documentLimits.tokens },
    });
    // At most the key's lookup (it is cached by now).
    expect(test.sql.filter((statement) => !/"ApiKey"/.test(statement))).toEqual([]);
  });

  it('refuses 1 MB with a wrong key as 401, before the body is read', async () => {
    const query = `{ ${'id '.repeat(350_000)} }`;
    const { status, body } = await post({ query }, { key: false, headers: { authorization: 'Bearer pgw_wrong' } });
    expect(status).toBe(401);
    expect(firstError(body)).toMatchObject({ message: 'Unknown or revoked API key.', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('answers a wrong key with 401 even while its body is still being sent (it is never read)', async () => {
    // A body that sends one chunk and then never ends: only a server that does not wait for it answers.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"query":"{ ' + 'id '.repeat(1000)));
      },
    });
    const response = await test.app.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer pgw_wrong' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(401);
    await body.cancel().catch(() => {});
  });

  it.each([
    ['10,000 nested selections', `{ ${'a { '.repeat(10_000)}id${' }'.repeat(10_000)} }`],
    ['10,000 nested lists in an argument', `{ people(filter: { ownerIds: ${'['.repeat(10_000)}${']'.repeat(10_000)} }) { totalCount } }`],
    ['5,000 nested objects in an argument', `{ people(filter: ${'{ not: '.repeat(5_000)}{}${' }'.repeat(5_000)}) { totalCount } }`],
  ])('refuses %s at the token limit (not HTTP 500)', async (_name, query) => {
    const { status, body } = await post({ query }, { key: false });
    expect(status).toBe(400);
    expect(firstError(body).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'tokens' });
  });

  it('refuses 10,000 opening braces as a syntax error (not HTTP 500)', async () => {
    const { status, body } = await post({ query: '{'.repeat(10_000) }, { key: false });
    expect(status).toBe(400);
    expect(firstError(body).message).toMatch(/^Syntax Error/);
  });

  it('refuses more directives than the limit', async () => {
    const directives = Array.from({ length: documentLimits.directives + 1 }, () => '@include(if: true)').join(' ');
    const { status, body } = await post({ query: `{ __typename ${directives} }` }, { key: false });
    expect(status).toBe(400);
    expect(firstError(body).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'directives', max: documentLimits.directives });
  });

  it('answers an anonymous operation on data with 401 before its arguments are looked at', async () => {
    const tagIds = Array.from({ length: 1000 }, () => unknownId('Tag'));
    const query = 'query($tagIds: [ID!]) { people(filter: { tagIds: $tagIds }) { totalCount } }';
    const { status, body } = await post({ query, variables: { tagIds } }, { key: false });
    expect(status).toBe(401);
    expect(firstError(body).extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses an anonymous body streamed without a Content-Length as soon as it passes the limit', async () => {
    const chunk = new TextEncoder().encode(' '.repeat(16 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent === 0) controller.enqueue(new TextEncoder().encode('{"query": "{ __typename }"'));
        controller.enqueue(chunk);
        sent += chunk.byteLength;
        // Never closed by the client: the server stops reading at the limit.
        if (sent > 100 * documentLimits.anonymousBodyBytes) controller.close();
      },
    });
    const response = await test.app.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(sent).toBeLessThan(10 * documentLimits.anonymousBodyBytes);
  });
});

describe('_entities is counted like nodes(ids)', () => {
  const personIds = (count: number) => Array.from({ length: count }, () => unknownId('Person'));
  const nested = 'tags(first: 100) { nodes { tag { people(first: 100) { nodes { person { id fullName } } } } } }';

  it('refuses a costly selection under 50 representations, as nodes(ids) does, before any SQL', async () => {
    const ids = personIds(50);
    test.sql.length = 0;
    const entities = await post({
      query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id ${nested} } } }`,
      variables: { r: ids.map((id) => ({ __typename: 'Person', id })) },
    });
    const nodes = await post({
      query: `query($ids: [ID!]!) { nodes(ids: $ids) { ... on Person { id ${nested} } } }`,
      variables: { ids },
    });
    for (const { body } of [entities, nodes]) {
      const error = firstError(body);
      expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'complexity', max: queryLimits.complexity });
      expect(error.extensions!.measure as number).toBeGreaterThan(queryLimits.complexity);
    }
    expect((firstError(entities.body).extensions!.measure)).toBe(firstError(nodes.body).extensions!.measure);
    expect(sqlRun()).toEqual([]);
  });

  it.each([1_000, 60_000])('refuses %i representations before any SQL', async (count) => {
    test.sql.length = 0;
    const { body } = await post({
      query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id } } }',
      variables: { r: personIds(count).map((id) => ({ __typename: 'Person', id })) },
    });
    expect(firstError(body)).toMatchObject({
      message: `Argument "representations" of Query._entities has ${count} items; at most ${inputLimits.listItems} are allowed.`,
      extensions: { code: 'BAD_USER_INPUT', kind: 'items', argument: ['representations'], measure: count, max: inputLimits.listItems },
    });
    expect(sqlRun()).toEqual([]);
  });

  it('refuses nodes(ids) with more ids than the limit', async () => {
    const { body } = await post({ query: 'query($ids: [ID!]!) { nodes(ids: $ids) { id } }', variables: { ids: personIds(101) } });
    expect(firstError(body).extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'items', argument: ['ids'], max: 100 });
  });

  it('still answers 100 representations', async () => {
    const { body } = await post({
      query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Person { id } } }',
      variables: { r: personIds(100).map((id) => ({ __typename: 'Person', id })) },
    });
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ _entities: Array.from({ length: 100 }, () => null) });
  });
});

describe('filters are bounded in size, nesting and text', () => {
  const people = 'query($filter: PersonFilter) { people(filter: $filter) { totalCount } }';
  const nest = (key: 'not' | 'and', depth: number) => {
    let filter: Record<string, unknown> = { q: 'ann' };
    for (let level = 0; level < depth; level++) filter = key === 'not' ? { not: filter } : { and: [filter] };
    return filter;
  };

  // 25 filters through `and` take 50 levels of JSON, within the request's own nesting bound
  // (test/http/input-nesting.test.ts covers deeper ones).
  it.each(['not', 'and'] as const)('refuses filter.%s nested 25 deep with a clear error, before any SQL', async (key) => {
    test.sql.length = 0;
    const { body } = await post({ query: people, variables: { filter: nest(key, 25) } });
    const error = firstError(body);
    expect(error.message).toMatch(`nests PersonFilter more than ${inputLimits.filterNesting} deep`);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'nesting', max: inputLimits.filterNesting });
    expect(sqlRun()).toEqual([]);
  });

  it('still runs a filter nested to the limit', async () => {
    const { body } = await post({ query: people, variables: { filter: nest('not', inputLimits.filterNesting - 1) } });
    expect(body.errors).toBeUndefined();
  });

  it('refuses tagIds of 100,000 ids, before any SQL', async () => {
    const tagIds = Array.from({ length: 100_000 }, () => unknownId('Tag'));
    test.sql.length = 0;
    const { body } = await post({ query: people, variables: { filter: { tagIds } } });
    expect(firstError(body)).toMatchObject({
      message: `Argument "filter.tagIds" of Query.people has 100000 items; at most ${inputLimits.listItems} are allowed.`,
      extensions: { code: 'BAD_USER_INPUT', kind: 'items', argument: ['filter', 'tagIds'], measure: 100_000, max: inputLimits.listItems },
    });
    expect(sqlRun()).toEqual([]);
  });

  it.each(['identifiers', 'emails', 'ownerIds', 'groupIds', 'companyIds'])('refuses filter.%s over the list limit', async (name) => {
    const values = Array.from({ length: inputLimits.listItems + 1 }, () => unknownId('User'));
    test.sql.length = 0;
    const { body } = await post({ query: people, variables: { filter: { [name]: values } } });
    expect(firstError(body).extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'items', argument: ['filter', name] });
    expect(sqlRun()).toEqual([]);
  });

  it('refuses a customFields `in` over the list limit, and more custom field conditions than their limit', async () => {
    const values = Array.from({ length: inputLimits.listItems + 1 }, (_, index) => index);
    const tooLong = await post({ query: people, variables: { filter: { customFields: [{ field: 'x', in: values }] } } });
    expect(firstError(tooLong.body).extensions).toMatchObject({ kind: 'items', argument: ['filter', 'customFields', '0', 'in'] });
    const conditions = Array.from({ length: inputLimits.customFieldConditions + 1 }, () => ({ field: 'x', isSet: true }));
    test.sql.length = 0;
    const tooMany = await post({ query: people, variables: { filter: { customFields: conditions } } });
    expect(firstError(tooMany.body)).toMatchObject({
      message: `Argument "filter" of Query.people holds ${conditions.length} CustomFieldCondition objects; at most ${inputLimits.customFieldConditions} are allowed.`,
      extensions: { code: 'BAD_USER_INPUT', kind: 'count' },
    });
    expect(sqlRun()).toEqual([]);
  });

  it('refuses an `or` of 10,000 searches, before any SQL', async () => {
    test.sql.length = 0;
    const or = Array.from({ length: 10_000 }, (_, index) => ({ q: `word${index}` }));
    const { body } = await post({ query: people, variables: { filter: { or } } });
    expect(firstError(body).extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: ['filter', 'or'] });
    expect(sqlRun()).toEqual([]);
  });

  it('refuses a filter that holds more conditions than the limit, even in short lists', async () => {
    const or = Array.from({ length: 10 }, () => ({ or: Array.from({ length: 10 }, (_, index) => ({ q: `w${index}` })) }));
    test.sql.length = 0;
    const { body } = await post({ query: people, variables: { filter: { or } } });
    expect(firstError(body)).toMatchObject({
      message: `Argument "filter" of Query.people holds 111 PersonFilter objects; at most ${inputLimits.filters} are allowed.`,
      extensions: { code: 'BAD_USER_INPUT', kind: 'count', argument: ['filter'], measure: 111, max: inputLimits.filters },
    });
    expect(sqlRun()).toEqual([]);
  });

  it('refuses a 10 MB search, before any SQL', async () => {
    test.sql.length = 0;
    const { body } = await post({ query: people, variables: { filter: { q: 'a'.repeat(10 * 1024 * 1024) } } });
    expect(firstError(body)).toMatchObject({
      message: `Argument "filter.q" of Query.people has ${10 * 1024 * 1024} characters; at most ${inputLimits.searchText} are allowed.`,
      extensions: { code: 'BAD_USER_INPUT', kind: 'length', argument: ['filter', 'q'], max: inputLimits.searchText },
    });
    expect(sqlRun()).toEqual([]);
  });

  it('accepts a search at the length limit', async () => {
    const { body } = await post({ query: people, variables: { filter: { q: 'a'.repeat(inputLimits.searchText) } } });
    expect(body.errors).toBeUndefined();
  });

  it.each([
    ['a note search', 'query($id: ID!, $q: String) { node(id: $id) { ... on Person { notes(filter: { q: $q }) { totalCount } } } }', ['filter', 'q']],
    ['a tag title', 'query($q: String) { tags(filter: { title: $q }) { totalCount } }', ['filter', 'title']],
    ['a group title', 'query($q: String) { groups(filter: { title: $q }) { totalCount } }', ['filter', 'title']],
    ['a custom field contains', 'query($q: String) { people(filter: { customFields: [{ field: "x", contains: $q }] }) { totalCount } }', ['filter', 'customFields', '0', 'contains']],
  ])('bounds %s to the search length', async (_name, query, argument) => {
    test.sql.length = 0;
    const { body } = await post({ query, variables: { id: unknownId('Person'), q: 'x'.repeat(inputLimits.searchText + 1) } });
    expect(firstError(body).extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'length', argument });
    expect(sqlRun()).toEqual([]);
  });

  it('refuses nested connection arguments over their limits before the parent is read', async () => {
    const query = 'query($ids: [ID!]) { people { nodes { notes(filter: { categoryIds: $ids }) { totalCount } } } }';
    test.sql.length = 0;
    const { body } = await post({ query, variables: { ids: Array.from({ length: 1000 }, () => unknownId('NoteCategory')) } });
    expect(firstError(body)).toMatchObject({
      message: 'Argument "filter.categoryIds" of Person.notes has 1000 items; at most 100 are allowed.',
    });
    expect(sqlRun()).toEqual([]);
  });
});

describe("mutations' lists are bounded by typed errors, before any SQL", () => {
  async function expectValidationError(query: string, variables: object, field: string, path: string[], message: string) {
    test.sql.length = 0;
    const { body } = await post({ query, variables });
    expect(body.errors).toBeUndefined();
    expect((body.data as Record<string, unknown>)[field]).toEqual({ __typename: 'ValidationError', fieldErrors: [{ path, message }] });
    expect(sqlRun()).toEqual([]);
  }
  const many = (typename: string, count: number) => Array.from({ length: count }, () => unknownId(typename));
  const importPeople = `mutation($input: ImportPeopleInput!) {
    importPeople(input: $input) { __typename ... on ValidationError { fieldErrors { path message } } }
  }`;
  const mergePeople = `mutation($input: MergePeopleInput!) {
    mergePeople(input: $input) { __typename ... on ValidationError { fieldErrors { path message } } }
  }`;

  it('refuses an import with 100,000 tag ids and writes nothing', async () => {
    const input = { rows: [{ familyName: 'Row' }], tagIds: many('Tag', 100_000) };
    await expectValidationError(importPeople, { input }, 'importPeople', ['input', 'tagIds'], 'At most 100 tags (got 100000).');
    expect(await test.prisma.import.count()).toBe(0);
    expect(await test.prisma.person.count()).toBe(0);
  });

  it('refuses an import with 100,000 group ids', async () => {
    const input = { rows: [{ familyName: 'Row' }], groupIds: many('Group', 100_000) };
    await expectValidationError(importPeople, { input }, 'importPeople', ['input', 'groupIds'], 'At most 100 groups (got 100000).');
  });

  it('refuses an import matching on 10,000 keys', async () => {
    const input = { rows: [{ familyName: 'Row' }], matchOn: Array.from({ length: 10_000 }, () => 'EMAIL') };
    await expectValidationError(importPeople, { input }, 'importPeople', ['input', 'matchOn'], 'At most 3 keys, each once (got 10000).');
  });

  it('refuses a merge of 100,000 people with one error, not one per id', async () => {
    const personIds = many('Person', 100_000);
    const input = { personIds, primaryId: personIds[0] };
    await expectValidationError(mergePeople, { input }, 'mergePeople', ['input', 'personIds'], 'Give 2 to 10 people to merge (got 100000).');
  });

  it('refuses a merge with more overrides than there are fields', async () => {
    const personIds = many('Person', 2);
    const overrides = Array.from({ length: 10_000 }, () => ({ field: 'GIVEN_NAME', fromPersonId: personIds[1] }));
    test.sql.length = 0;
    const { body } = await post({ query: mergePeople, variables: { input: { personIds, primaryId: personIds[0], overrides } } });
    expect(body.data).toMatchObject({
      mergePeople: { __typename: 'ValidationError', fieldErrors: [{ path: ['input', 'overrides'], message: expect.stringMatching(/^At most \d+ overrides, one per field \(got 10000\)\.$/) }] },
    });
    expect(sqlRun()).toEqual([]);
  });
});

describe('only JSON and multipart requests run', () => {
  const mutation = 'mutation { createTag(input: { title: "Forged" }) { __typename } }';

  it.each([
    ['application/x-www-form-urlencoded', new URLSearchParams({ query: mutation }).toString()],
    ['text/plain', JSON.stringify({ query: mutation })],
    ['application/graphql', mutation],
  ])('refuses a %s POST and writes nothing', async (contentType, body) => {
    test.sql.length = 0;
    const response = await test.app.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${acme.apiKey}` },
      body,
    });
    expect(response.status).toBe(415);
    const result = (await response.json()) as GraphQLBody;
    expect(firstError(result).extensions).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(test.sql).toEqual([]);
    expect(await test.prisma.tag.count({ where: { title: 'Forged' } })).toBe(0);
  });

  it('refuses a mutation by GET', async () => {
    const url = `http://test/graphql?query=${encodeURIComponent(mutation)}`;
    const response = await test.app.fetch(url, { headers: { authorization: `Bearer ${acme.apiKey}`, accept: 'application/json' } });
    expect(response.status).toBe(405);
    expect(await test.prisma.tag.count({ where: { title: 'Forged' } })).toBe(0);
  });

  it('still runs a query by GET', async () => {
    const url = `http://test/graphql?query=${encodeURIComponent('{ tags { totalCount } }')}`;
    const response = await test.app.fetch(url, { headers: { authorization: `Bearer ${acme.apiKey}`, accept: 'application/json' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { tags: { totalCount: 0 } } });
  });
});
