import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/index.ts';
import { createOrgClient, createTestApp, multipartForm, type TestApp, type TestClient } from '../support/app.ts';

/**
 * Issue 22, item 5: text that is not UTF-8 is refused with 400 and BAD_REQUEST, never stored with
 * U+FFFD in place of the client's bytes. Each case reads back through the API that nothing was
 * written.
 */

const CreatePerson = graphql(`
  mutation Utf8CreatePerson($input: PersonInput!) {
    createPerson(input: $input) { __typename ... on CreatePersonSuccess { person { id familyName } } }
  }
`);

const People = graphql(`
  query Utf8People {
    people(first: 10) { totalCount nodes { familyName } }
  }
`);

const ImportPeople = graphql(`
  mutation Utf8ImportPeople($input: ImportPeopleInput!) {
    importPeople(input: $input) {
      __typename
      ... on ImportPeopleSuccess { import { id createdCount } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

const Imports = graphql(`
  query Utf8Imports {
    imports(first: 10) { totalCount }
  }
`);

let test: TestApp;

beforeAll(async () => {
  test = await createTestApp();
});
afterAll(() => test?.close());

const encoder = new TextEncoder();
/** `Bad\xC3(\xFF`: a two-byte sequence cut short, then a byte UTF-8 never uses. */
const badBytes = new Uint8Array([0x42, 0x61, 0x64, 0xc3, 0x28, 0xff]);

function concat(...parts: (string | Uint8Array)[]): Uint8Array<ArrayBuffer> {
  const chunks = parts.map((part) => (typeof part === 'string' ? encoder.encode(part) : part));
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** A createPerson request body whose familyName is `familyName`'s bytes, whatever they are. */
function createPersonJson(familyName: Uint8Array): Uint8Array<ArrayBuffer> {
  const [before, after] = JSON.stringify({ query: print(CreatePerson), variables: { input: { familyName: '\u0000' } } }).split('\\u0000');
  return concat(before!, familyName, after!);
}

function post(client: TestClient, body: Uint8Array<ArrayBuffer>, contentType: string): Promise<Response> {
  return Promise.resolve(
    test.app.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${client.apiKey}` },
      body,
    }),
  );
}

/** A multipart request with the operation (and no files) as its one text part, written byte by byte. */
function multipartOperations(operations: Uint8Array): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const boundary = 'utf8-test-boundary';
  const body = concat(
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n`,
    operations,
    `\r\n--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{}\r\n--${boundary}--\r\n`,
  );
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

async function expectBadRequest(response: Response): Promise<void> {
  expect(response.status).toBe(400);
  const body = (await response.json()) as { data?: unknown; errors: { message: string; extensions: { code: string } }[] };
  expect(body.data).toBeUndefined();
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
  expect(body.errors[0]!.message).toMatch(/not UTF-8/);
}

async function familyNames(client: TestClient): Promise<string[]> {
  const { people } = await client.request(People);
  return people.nodes.map((person) => person.familyName!);
}

describe('text that is not UTF-8 is refused, not repaired', () => {
  it('refuses a JSON body with 400 BAD_REQUEST and writes nothing; the same body in UTF-8 is stored as sent', async () => {
    const acme = await createOrgClient(test);
    await expectBadRequest(await post(acme, createPersonJson(badBytes), 'application/json'));
    await expectBadRequest(await post(acme, createPersonJson(badBytes), 'application/graphql+json; charset=utf-8'));
    expect(await familyNames(acme)).toEqual([]);

    const good = await post(acme, createPersonJson(encoder.encode('Bad\u00e9(\u00ff')), 'application/json');
    expect(good.status).toBe(200);
    expect(await familyNames(acme)).toEqual(['Bad\u00e9(\u00ff']);
  });

  it("refuses a multipart request whose operations part is not UTF-8, writing nothing; files' bytes are not its concern", async () => {
    const acme = await createOrgClient(test);
    const operations = createPersonJson(badBytes);
    const bad = multipartOperations(operations);
    await expectBadRequest(await post(acme, bad.body, bad.contentType));
    expect(await familyNames(acme)).toEqual([]);

    const good = multipartOperations(createPersonJson(encoder.encode('Multipart')));
    const response = await post(acme, good.body, good.contentType);
    expect(response.status).toBe(200);
    expect(await familyNames(acme)).toEqual(['Multipart']);
  });

  it('refuses a CSV upload that is not UTF-8 as a typed ValidationError of the file, importing nothing', async () => {
    const acme = await createOrgClient(test);
    const form = multipartForm(ImportPeople, { input: { file: null } }, { 'input.file': new File([concat('familyName\n', badBytes, '\n')], 'people.csv') });
    const response = await test.app.fetch('http://test/graphql', { method: 'POST', headers: { authorization: `Bearer ${acme.apiKey}` }, body: form });
    expect(response.status).toBe(200);
    const { data } = (await response.json()) as { data: { importPeople: { __typename: string; fieldErrors: { path: string[]; message: string }[] } } };
    expect(data.importPeople.__typename).toBe('ValidationError');
    expect(data.importPeople.fieldErrors[0]).toMatchObject({ path: ['input', 'file'], message: expect.stringMatching(/not UTF-8/) });
    expect(await familyNames(acme)).toEqual([]);
    expect((await acme.request(Imports)).imports.totalCount).toBe(0);
  });

  it('refuses a GET whose query string percent-decodes to bytes that are not UTF-8; valid escapes still work', async () => {
    const query = encodeURIComponent('query Echo($name: String!) { __type(name: $name) { name } }');
    await expectBadRequest(await test.app.fetch(`http://test/graphql?query=${query}&variables=${encodeURIComponent('{"name":"')}Bad%C3(%FF%22%7D`));
    await expectBadRequest(await test.app.fetch(`http://test/graphql?query=${query}%FF`));
    const good = await test.app.fetch(`http://test/graphql?query=${query}&variables=${encodeURIComponent('{"name":"Bad\u00e9"}')}`);
    expect(good.status).toBe(200);
    expect(await good.json()).toEqual({ data: { __type: null } });
  });
});
