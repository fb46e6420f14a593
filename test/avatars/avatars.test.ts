import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ResultOf, TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/db/migrate.ts';
import { createApp } from '../../src/yoga.ts';
import { graphql } from '../generated/gql.ts';
import {
  createOrgClient,
  createTestApp,
  createUserClient,
  multipartForm,
  type TestApp,
  type TestClient,
} from '../support/app.ts';
import { captureLogs, errorLinesFor } from '../support/log-capture.ts';

const CreatePerson = graphql(`
  mutation AvatarCreatePerson($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id avatarUrl } }
    }
  }
`);

const SetPersonAvatar = graphql(`
  mutation SetPersonAvatar($personId: ID!, $file: File!) {
    setPersonAvatar(personId: $personId, file: $file) {
      __typename
      ... on SetPersonAvatarSuccess { person { id avatarUrl } }
      ... on ValidationError { message fieldErrors { path message } }
      ... on NotFoundError { message }
      ... on ForbiddenError { message }
    }
  }
`);

const RemovePersonAvatar = graphql(`
  mutation RemovePersonAvatar($personId: ID!) {
    removePersonAvatar(personId: $personId) {
      __typename
      ... on RemovePersonAvatarSuccess { person { id avatarUrl } }
      ... on NotFoundError { message }
      ... on ForbiddenError { message }
    }
  }
`);

const AvatarOf = graphql(`
  query AvatarOf($id: ID!) {
    person(id: $id) {
      avatarUrl
      timeline(first: 10, types: [AVATAR_CHANGED]) { totalCount nodes { type data actor { id } } }
    }
  }
`);

const PeopleWithAvatars = graphql(`
  query PeopleWithAvatars {
    people(first: 100) { edges { node { id avatarUrl } } }
  }
`);

const MergeAvatars = graphql(`
  mutation MergeAvatars($input: MergePeopleInput!) {
    mergePeople(input: $input) {
      __typename
      ... on MergePeopleSuccess { person { id avatarUrl } }
    }
  }
`);

// A real 1x1 PNG; the JPEG and WebP need only be right in their first bytes, which is all that is judged.
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0xff, 0xd9]);
const webp = Buffer.concat([Buffer.from('RIFF'), Buffer.from([0x1a, 0, 0, 0]), Buffer.from('WEBPVP8L'), Buffer.alloc(14, 1)]);
const twoMegabytes = 2 * 1024 * 1024;

let test: TestApp;
let acme: TestClient;
let globex: TestClient;

beforeAll(async () => {
  // A page of this origin may send the key (see the CORS preflight below).
  test = await createTestApp({ corsOrigins: ['https://app.example.org'] });
  acme = await createOrgClient(test, 'Acme');
  globex = await createOrgClient(test, 'Globex');
});
afterAll(() => test?.close());

function databaseId(id: string): string {
  return Buffer.from(id, 'base64').toString().split(':')[1]!;
}

async function createPerson(client: TestClient, familyName: string): Promise<string> {
  const { createPerson } = await client.request(CreatePerson, { input: { familyName } });
  if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(createPerson.__typename);
  expect(createPerson.person.avatarUrl).toBeNull();
  return createPerson.person.id;
}

/** The GraphQL multipart request: the operation, a map from the file part to its variable, the file. */
function uploadForm<Result, Variables extends { file: unknown }>(
  document: TypedDocumentNode<Result, Variables>,
  variables: Omit<Variables, 'file'>,
  file: Uint8Array,
  fileName: string,
  declaredType = 'image/png',
): FormData {
  const upload = new File([new Uint8Array(file)], fileName, { type: declaredType });
  return multipartForm(document, { ...variables, file: null } as Variables, { file: upload });
}

async function upload(
  client: TestClient,
  personId: string,
  file: Uint8Array,
  fileName = 'me.png',
  declaredType = 'image/png',
) {
  const response = await test.app.fetch('http://test/graphql', {
    method: 'POST',
    headers: { authorization: `Bearer ${client.apiKey}` },
    body: uploadForm(SetPersonAvatar, { personId }, file, fileName, declaredType),
  });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { data: { setPersonAvatar: SetAvatarResult }; errors?: unknown };
  expect(body.errors).toBeUndefined();
  return body.data.setPersonAvatar;
}

type SetAvatarResult = ResultOf<typeof SetPersonAvatar>['setPersonAvatar'];

async function uploadOk(client: TestClient, personId: string, file: Uint8Array, fileName?: string): Promise<string> {
  const result = await upload(client, personId, file, fileName);
  if (result.__typename !== 'SetPersonAvatarSuccess') throw new Error(JSON.stringify(result));
  return result.person.avatarUrl!;
}

function getAvatar(path: string, apiKey: string | undefined, headers: Record<string, string> = {}, method = 'GET') {
  return Promise.resolve(
    test.app.fetch(`http://test${path}`, {
      method,
      headers: { ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}), ...headers },
    }),
  );
}

/** What a bad request must leave untouched: the stored avatar and the timeline. */
async function snapshot(personId: string) {
  const avatar = await test.prisma.personAvatar.findUnique({ where: { personId: databaseId(personId) } });
  const events = await test.prisma.timelineEvent.count({ where: { personId: databaseId(personId) } });
  return { avatar: avatar && { ...avatar, data: Buffer.from(avatar.data).toString('base64') }, events };
}

describe('Mutation.setPersonAvatar', () => {
  it('stores a PNG, gives its URL, serves it with its type and cache headers, and records AVATAR_CHANGED', async () => {
    const id = await createPerson(acme, 'Png');
    const url = await uploadOk(acme, id, png, 'photo.png');
    expect(url).toMatch(new RegExp(`^/avatars/${encodeURIComponent(id).replace(/[+]/g, '\\+')}\\?v=\\d+$`));

    const read = await acme.request(AvatarOf, { id });
    expect(read.person!.avatarUrl).toBe(url);
    expect(read.person!.timeline.nodes).toEqual([
      { type: 'AVATAR_CHANGED', data: { before: null, after: { contentType: 'image/png', byteSize: png.length } }, actor: { id: expect.any(String) } },
    ]);

    const response = await getAvatar(url, acme.apiKey);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(png);

    const etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"\d+"$/);
    const revalidated = await getAvatar(url, acme.apiKey, { 'if-none-match': etag });
    expect(revalidated.status).toBe(304);
    expect(await revalidated.text()).toBe('');
    expect(revalidated.headers.get('etag')).toBe(etag);
    expect((await getAvatar(url, acme.apiKey, { 'if-none-match': '"0"' })).status).toBe(200);

    const head = await getAvatar(url, acme.apiKey, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(png.length));
  });

  it('replaces the picture with a JPEG or a WebP, whatever the name says, and changes the URL', async () => {
    const id = await createPerson(acme, 'Replaced');
    const first = await uploadOk(acme, id, png);
    const second = await uploadOk(acme, id, jpeg, 'not-really.png');
    expect(second).not.toBe(first);
    const response = await getAvatar(second, acme.apiKey);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(jpeg);
    // The old URL still answers with today's picture, but it may not be kept for good.
    const stale = await getAvatar(first, acme.apiKey);
    expect(stale.headers.get('content-type')).toBe('image/jpeg');
    expect(stale.headers.get('cache-control')).toBe('private, no-cache');

    const third = await uploadOk(acme, id, webp, 'avatar');
    expect((await getAvatar(third, acme.apiKey)).headers.get('content-type')).toBe('image/webp');
    const { person } = await acme.request(AvatarOf, { id });
    expect(person!.timeline.nodes.map((event) => event.data)).toEqual([
      { before: { contentType: 'image/jpeg' }, after: { contentType: 'image/webp', byteSize: webp.length } },
      { before: { contentType: 'image/png' }, after: { contentType: 'image/jpeg', byteSize: jpeg.length } },
      { before: null, after: { contentType: 'image/png', byteSize: png.length } },
    ]);
    expect(await test.prisma.personAvatar.count({ where: { personId: databaseId(id) } })).toBe(1);
  });

  describe('bad input: a typed error, and nothing written', () => {
    let id: string;
    let before: Awaited<ReturnType<typeof snapshot>>;

    beforeAll(async () => {
      id = await createPerson(acme, 'Guarded');
      await uploadOk(acme, id, png);
      before = await snapshot(id);
    });

    it('refuses a 10 MB image with a ValidationError on the file', async () => {
      const tenMegabytes = Buffer.alloc(10 * 1024 * 1024, 0);
      png.copy(tenMegabytes);
      const result = await upload(acme, id, tenMegabytes, 'huge.png');
      expect(result).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['file'], message: expect.stringMatching(/at most 2097152/) }] });
      expect(await snapshot(id)).toEqual(before);
    });

    it('refuses a 23 MB upload sent without a Content-Length (chunked) with 413, before holding it', async () => {
      const huge = Buffer.alloc(23 * 1024 * 1024, 0);
      png.copy(huge);
      const response = await test.app.fetch('http://test/graphql', {
        method: 'POST',
        headers: { authorization: `Bearer ${acme.apiKey}` },
        body: uploadForm(SetPersonAvatar, { personId: id }, huge, 'huge.png'),
      });
      expect(response.status).toBe(413);
      const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
      expect(body.errors[0]!.extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
      expect(await snapshot(id)).toEqual(before);
    });

    it('refuses a 23 MB upload over a real connection, by its Content-Length', async () => {
      const server = createServer(test.app);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = server.address() as AddressInfo;
        const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
          method: 'POST',
          headers: { authorization: `Bearer ${acme.apiKey}` },
          body: uploadForm(SetPersonAvatar, { personId: id }, Buffer.alloc(23 * 1024 * 1024, 7), 'huge.png'),
        });
        expect(response.status).toBe(413);
        const body = (await response.json()) as { errors: { extensions: { code: string } }[] };
        expect(body.errors[0]!.extensions.code).toBe('REQUEST_ENTITY_TOO_LARGE');
      } finally {
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
      expect(await snapshot(id)).toEqual(before);
    });

    it('refuses an image a byte over 2 MB with a ValidationError on the file', async () => {
      const tooBig = Buffer.alloc(twoMegabytes + 1, 0);
      png.copy(tooBig);
      const result = await upload(acme, id, tooBig);
      expect(result).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['file'], message: expect.stringMatching(/at most 2097152/) }] });
      expect(await snapshot(id)).toEqual(before);
    });

    it('accepts an image of exactly 2 MB', async () => {
      const other = await createPerson(acme, 'Exactly');
      const exactly = Buffer.alloc(twoMegabytes, 0);
      png.copy(exactly);
      const url = await uploadOk(acme, other, exactly);
      expect((await (await getAvatar(url, acme.apiKey)).arrayBuffer()).byteLength).toBe(twoMegabytes);
    });

    it.each([
      ['a text file named .png', Buffer.from('hello, I am text, not a picture\n'), 'photo.png', 'image/png'],
      ['an empty file', Buffer.alloc(0), 'empty.png', 'image/png'],
      ['a GIF', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1'), 'anim.webp', 'image/webp'],
      ['a RIFF that is not WebP', Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVEfmt ')]), 'sound.webp', 'image/webp'],
    ])('refuses %s with a ValidationError on the file', async (_name, bytes, fileName, declaredType) => {
      const result = await upload(acme, id, bytes, fileName, declaredType);
      expect(result).toMatchObject({ __typename: 'ValidationError', fieldErrors: [{ path: ['file'] }] });
      expect(await snapshot(id)).toEqual(before);
    });

    it('answers NotFoundError for an unknown, malformed or other organisation\'s person', async () => {
      const foreign = await createPerson(globex, 'Foreign');
      const foreignBefore = await snapshot(foreign);
      const unknown = Buffer.from('Person:01900000-0000-7000-8000-000000000000').toString('base64');
      for (const personId of [foreign, unknown, 'not-an-id', Buffer.from(`Note:${databaseId(id)}`).toString('base64')]) {
        expect((await upload(acme, personId, png)).__typename).toBe('NotFoundError');
      }
      expect(await snapshot(foreign)).toEqual(foreignBefore);
      expect(await snapshot(id)).toEqual(before);
    });

    it('answers ForbiddenError to a viewer', async () => {
      const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
      expect((await upload(viewer, id, jpeg)).__typename).toBe('ForbiddenError');
      expect(await snapshot(id)).toEqual(before);
    });

    it('refuses a file written into the query instead of sent as a part', async () => {
      const response = await test.app.fetch('http://test/graphql', {
        method: 'POST',
        headers: { authorization: `Bearer ${acme.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: print(SetPersonAvatar), variables: { personId: id, file: 'iVBORw0KGgo=' } }),
      });
      const body = (await response.json()) as { data?: unknown; errors: { message: string }[] };
      expect(body.data).toBeUndefined();
      expect(body.errors[0]!.message).toMatch(/File must be an upload sent as a multipart request/);
      expect(await snapshot(id)).toEqual(before);
    });

    it('writes neither the picture nor the event when the timeline write fails', async () => {
      // A real failure inside the transaction, after the picture is written: a trigger refusing the event.
      const client = new pg.Client({ connectionString: test.databaseUrl });
      await client.connect();
      const table = `${quoteIdent(test.schema)}."TimelineEvent"`;
      const fn = `${quoteIdent(test.schema)}.refuse_avatar_events`;
      try {
        await client.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
          BEGIN RAISE EXCEPTION 'timeline unavailable'; END $$`);
        await client.query(`CREATE TRIGGER refuse_avatar_events BEFORE INSERT ON ${table}
          FOR EACH ROW WHEN (NEW.type = 'AVATAR_CHANGED') EXECUTE FUNCTION ${fn}()`);
        // The failure is unexpected: masked for the client, logged at error level for the operator.
        const captured = captureLogs();
        const app = createApp({ prisma: test.prisma, log: captured.log, dbSchema: test.schema });
        const response = await app.fetch('http://test/graphql', {
          method: 'POST',
          headers: { authorization: `Bearer ${acme.apiKey}`, 'x-request-id': 'avatar-timeline-down' },
          body: uploadForm(SetPersonAvatar, { personId: id }, jpeg, 'new.jpg'),
        });
        const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
        expect(body.errors[0]!.extensions.code).toBe('INTERNAL_SERVER_ERROR');
        expect(body.errors[0]!.message).not.toMatch(/timeline unavailable/);
        const removal = await app.fetch('http://test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${acme.apiKey}`, 'x-request-id': 'avatar-removal-timeline-down' },
          body: JSON.stringify({ query: print(RemovePersonAvatar), variables: { personId: id } }),
        });
        const removalBody = (await removal.json()) as { errors: { extensions: { code: string } }[] };
        expect(removalBody.errors[0]!.extensions.code).toBe('INTERNAL_SERVER_ERROR');
        for (const requestId of ['avatar-timeline-down', 'avatar-removal-timeline-down']) {
          const lines = errorLinesFor(captured.entries, requestId);
          expect(lines).toHaveLength(1);
          expect(lines[0]!.line).toMatch(/timeline unavailable/);
        }
      } finally {
        await client.query(`DROP TRIGGER IF EXISTS refuse_avatar_events ON ${table}`);
        await client.query(`DROP FUNCTION IF EXISTS ${fn}()`);
        await client.end();
      }
      expect(await snapshot(id)).toEqual(before);
    });
  });
});

describe('Mutation.removePersonAvatar', () => {
  it('removes the picture: avatarUrl is null, the URL is gone, AVATAR_CHANGED is recorded', async () => {
    const id = await createPerson(acme, 'Removed');
    const url = await uploadOk(acme, id, png);
    const { removePersonAvatar } = await acme.request(RemovePersonAvatar, { personId: id });
    expect(removePersonAvatar).toEqual({ __typename: 'RemovePersonAvatarSuccess', person: { id, avatarUrl: null } });
    expect((await getAvatar(url, acme.apiKey)).status).toBe(404);
    const { person } = await acme.request(AvatarOf, { id });
    expect(person!.avatarUrl).toBeNull();
    expect(person!.timeline.nodes.map((event) => event.data)).toEqual([
      { before: { contentType: 'image/png' }, after: null },
      { before: null, after: { contentType: 'image/png', byteSize: png.length } },
    ]);
  });

  it('answers NotFoundError when there is no picture, or the person is not yours, and writes nothing', async () => {
    const bare = await createPerson(acme, 'Bare');
    const bareBefore = await snapshot(bare);
    expect(await acme.request(RemovePersonAvatar, { personId: bare })).toEqual({
      removePersonAvatar: { __typename: 'NotFoundError', message: 'This person has no avatar.' },
    });
    expect(await snapshot(bare)).toEqual(bareBefore);

    const foreign = await createPerson(globex, 'Theirs');
    await uploadOk(globex, foreign, png);
    const foreignBefore = await snapshot(foreign);
    expect((await acme.request(RemovePersonAvatar, { personId: foreign })).removePersonAvatar.__typename).toBe('NotFoundError');
    expect(await snapshot(foreign)).toEqual(foreignBefore);
  });

  it('answers ForbiddenError to a viewer', async () => {
    const id = await createPerson(acme, 'Kept');
    await uploadOk(acme, id, png);
    const before = await snapshot(id);
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    expect((await viewer.request(RemovePersonAvatar, { personId: id })).removePersonAvatar.__typename).toBe('ForbiddenError');
    expect(await snapshot(id)).toEqual(before);
  });
});

describe('GET /avatars/<personId>', () => {
  let url: string;

  beforeAll(async () => {
    url = await uploadOk(acme, await createPerson(acme, 'Served'), png);
  });

  it('needs a key: 401 without one or with an unknown one', async () => {
    for (const key of [undefined, 'pgw_not-a-key']) {
      const response = await getAvatar(url, key);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it("serves a viewer of the same organisation, and answers 404 to another organisation's key", async () => {
    const viewer = await createUserClient(test, acme.organizationId, 'VIEWER');
    expect((await getAvatar(url, viewer.apiKey)).status).toBe(200);
    const response = await getAvatar(url, globex.apiKey);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('answers 404 for a person without a picture, an unknown person or something that is not a person id', async () => {
    const bare = await createPerson(acme, 'NoPicture');
    for (const path of [`/avatars/${encodeURIComponent(bare)}`, '/avatars/nonsense', '/avatars/%E0%A4%A', '/avatars/']) {
      expect((await getAvatar(path, acme.apiKey)).status).toBe(404);
    }
  });

  it('allows only GET and HEAD', async () => {
    const response = await getAvatar(url, acme.apiKey, {}, 'DELETE');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it("answers a browser's CORS preflight from an allowed origin, so a page can send the key", async () => {
    const response = await getAvatar(url, undefined, {
      origin: 'https://app.example.org',
      'access-control-request-method': 'GET',
      'access-control-request-headers': 'authorization',
    }, 'OPTIONS');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-headers')).toMatch(/authorization/i);
  });
});

describe('Person.avatarUrl', () => {
  it('is read for a whole page without loading any picture', async () => {
    test.sql.length = 0;
    const { people } = await acme.request(PeopleWithAvatars, {});
    const urls = people.edges.map((edge) => edge.node.avatarUrl);
    expect(urls.some((url) => url !== null)).toBe(true);
    expect(urls.some((url) => url === null)).toBe(true);
    const avatarStatements = test.sql.filter((statement) => statement.includes('PersonAvatar'));
    // One statement: the page, with each avatar's version joined in.
    expect(avatarStatements).toHaveLength(1);
    expect(avatarStatements.some((statement) => /"data"/.test(statement))).toBe(false);
  });

  it('follows the picture a merge keeps (an AVATAR override)', async () => {
    const primary = await createPerson(acme, 'MergePrimary');
    const other = await createPerson(acme, 'MergeOther');
    await uploadOk(acme, primary, png);
    await uploadOk(acme, other, jpeg);
    const { mergePeople } = await acme.request(MergeAvatars, {
      input: { personIds: [primary, other], primaryId: primary, overrides: [{ field: 'AVATAR', fromPersonId: other }] },
    });
    if (mergePeople.__typename !== 'MergePeopleSuccess') throw new Error(mergePeople.__typename);
    const response = await getAvatar(mergePeople.person.avatarUrl!, acme.apiKey);
    expect(response.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(jpeg);
    expect(await test.prisma.personAvatar.count({ where: { personId: { in: [databaseId(primary), databaseId(other)] } } })).toBe(1);
  });
});
