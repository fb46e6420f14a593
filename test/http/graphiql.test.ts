import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import {
  type Browser,
  completeBearerKey,
  editorText,
  launchBrowser,
  openGraphiQL,
  run,
  runSubscription,
  setOperation,
  waitForResult,
} from '../support/graphiql-page.ts';

/**
 * What a newcomer meets first: GraphiQL in a real browser, over a real port. The Headers pane is
 * open with `"Authorization": "Bearer "` ready to complete, the example operation runs, and so does a
 * subscription.
 */
let test: TestApp;
let admin: TestClient;
let server: Server;
let endpoint: string;
let browser: Browser;

const CreateStella = graphql(`
  mutation GraphiQLCreatePerson($input: PersonInput!) {
    createPerson(input: $input) { __typename }
  }
`);

const peopleChanges = 'subscription PeopleChanges {\n  peopleChanged {\n    kind\n    person {\n      fullName\n    }\n  }\n}\n';

beforeAll(async () => {
  test = await createTestApp();
  admin = await createOrgClient(test);
  await admin.request(CreateStella, { input: { givenName: 'Stella', familyName: 'Altois' } });
  server = createServer(test.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await test.close();
});

describe('GraphiQL at /graphql', () => {
  it('opens with the Headers pane ready for a key and runs the example operation with it', { timeout: 120_000 }, async () => {
    const { page } = browser;
    await openGraphiQL(page, endpoint);

    expect(JSON.parse(await editorText(page, 'headers'))).toEqual({ Authorization: 'Bearer ' });
    expect(await editorText(page, 'operation')).toMatch(/^query FirstPeople \{$/m);

    await completeBearerKey(page, admin.apiKey);
    expect(JSON.parse(await editorText(page, 'headers'))).toEqual({ Authorization: `Bearer ${admin.apiKey}` });

    await run(page);
    const result = await waitForResult(page, 'Stella Altois');
    expect(result).toMatchObject({
      data: { people: { totalCount: 1, edges: [{ node: { fullName: 'Stella Altois', primaryEmail: null } }] } },
    });

    // Another operation in the same tab runs with the same key (the helpers a subscription step uses).
    await setOperation(page, 'query WhoAmI {\n  viewer {\n    role\n  }\n}\n', 'WhoAmI');
    await run(page);
    expect(await waitForResult(page, 'ADMIN')).toEqual({ data: { viewer: { role: 'ADMIN' } } });

    // The key is a secret: GraphiQL keeps its tabs in localStorage, but not the headers.
    const stored = await page.evaluate(() => Object.values(window.localStorage).join('\n'));
    expect(stored).toContain('WhoAmI');
    expect(stored).not.toContain(admin.apiKey);

    // A subscription runs from the same tab, over Server-Sent Events: a person created elsewhere
    // (here over HTTP with the same key) shows up in the result pane as the mutation commits.
    await setOperation(page, peopleChanges, 'PeopleChanges');
    await runSubscription(page, 'PeopleChanges');
    await admin.request(CreateStella, { input: { givenName: 'Grace', familyName: 'Hopper' } });
    expect(await waitForResult(page, 'Grace Hopper')).toEqual({
      data: { peopleChanged: { kind: 'CREATED', person: { fullName: 'Grace Hopper' } } },
    });
  });
});
