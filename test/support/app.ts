import { randomBytes } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { ClientError, GraphQLClient } from 'graphql-request';
import { print } from 'graphql';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate, quoteIdent } from '../../src/db/migrate.ts';
import { createPrismaClient, type PrismaClient } from '../../src/db/prisma.ts';
import { createLogger } from '../../src/logger.ts';
import type { UserRole } from '../../src/shared/actor.ts';
import { createOrganization, createUser } from '../../src/accounts/account-service.ts';
import { type App, type AppOptions, createApp } from '../../src/yoga.ts';

export interface TestApp {
  app: App;
  prisma: PrismaClient;
  schema: string;
  databaseUrl: string;
  /** Every SQL statement sent since the last `sql.length = 0`. */
  sql: string[];
  close(): Promise<void>;
}

/** A fresh, migrated PostgreSQL schema for one test file, and the app over it. */
/**
 * The app logs at error level to stderr, so that an unexpected error in a test shows; a test that
 * expects one passes a logger of its own (captureLogs in log-capture.ts) and asserts it.
 */
export async function createTestApp(
  options: Partial<Pick<AppOptions, 'apiKeyCache' | 'corsOrigins' | 'rateLimit' | 'log' | 'allowLoopbackWebhooks'>> = {},
): Promise<TestApp> {
  const databaseUrl = inject('databaseUrl');
  const schema = `test_${randomBytes(6).toString('hex')}`;
  await migrate({ connectionString: databaseUrl, schema });
  const sql: string[] = [];
  // PGlite serves all connections from one session, where concurrent statements can interleave.
  const poolSize = inject('embedded') ? 1 : 4;
  const prisma = createPrismaClient({
    url: databaseUrl,
    schema,
    poolSize,
    preparedStatements: !inject('embedded'),
    onQuery: (statement) => sql.push(statement),
  });
  const app = createApp({ prisma, dbSchema: schema, ...options, log: options.log ?? createLogger('error') });
  return {
    app,
    prisma,
    schema,
    databaseUrl,
    sql,
    async close() {
      await prisma.$disconnect();
      await dropSchema(databaseUrl, schema);
    },
  };
}

export async function dropSchema(databaseUrl: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  } finally {
    await client.end();
  }
}

export interface TestClient {
  apiKey: string;
  userId: string;
  organizationId: string;
  /** Runs a typed operation; a GraphQL error fails the call. */
  request<Result, Variables extends object>(
    document: TypedDocumentNode<Result, Variables>,
    variables?: Variables,
  ): Promise<Result>;
}

/** An organisation with an admin key, and a client that sends that key. */
export async function createOrgClient(test: TestApp, name = 'Acme'): Promise<TestClient> {
  const org = await createOrganization(test.prisma, { name });
  return clientFor(test, org.apiKey, org.userId, org.organizationId);
}

/** Another user of the same organisation, with a key of their own. */
export async function createUserClient(
  test: TestApp,
  organizationId: string,
  role: UserRole = 'EDITOR',
): Promise<TestClient> {
  const email = `user-${randomBytes(4).toString('hex')}@example.org`;
  const user = await createUser(test.prisma, { organizationId, email, role });
  return clientFor(test, user.apiKey, user.userId, organizationId);
}

/** A client that sends this key, e.g. one a test made through createApiKey. */
export function clientWithKey(test: TestApp, apiKey: string): Pick<TestClient, 'apiKey' | 'request'> {
  return clientFor(test, apiKey, '', '');
}

function clientFor(test: TestApp, apiKey: string, userId: string, organizationId: string): TestClient {
  const client = new GraphQLClient('http://test/graphql', {
    headers: { authorization: `Bearer ${apiKey}` },
    fetch: async (input: RequestInfo | URL, init?: RequestInit) => test.app.fetch(new Request(input, init)),
  });
  return {
    apiKey,
    userId,
    organizationId,
    request: (document, variables) =>
      client.request({ document, variables } as Parameters<typeof client.request>[0]) as never,
  };
}

export async function expectGraphQLError(promise: Promise<unknown>): Promise<ClientError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ClientError) return error;
    throw error;
  }
  throw new Error('Expected the request to fail with a GraphQL error.');
}

/** A raw POST, for what a typed client cannot send (no key, a wrong key, broken JSON). */
export function postRaw(test: TestApp, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    test.app.fetch('http://test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    }),
  );
}

/**
 * The body of a request with file uploads, as the GraphQL multipart request spec has it: `files`
 * maps a variable path ("input.file") to its file, which the variables carry as null.
 */
export function multipartForm<Result, Variables extends object>(
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
  files: Record<string, Blob>,
): FormData {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: print(document), variables }));
  const paths = Object.keys(files);
  form.append('map', JSON.stringify(Object.fromEntries(paths.map((path, index) => [String(index), [`variables.${path}`]]))));
  paths.forEach((path, index) => form.append(String(index), files[path]!, files[path] instanceof File ? files[path].name : 'upload'));
  return form;
}

/** Sends a multipart request (see multipartForm) with the client's key. */
export async function requestWithFiles<Result, Variables extends object>(
  test: TestApp,
  client: Pick<TestClient, 'apiKey'>,
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
  files: Record<string, Blob>,
): Promise<{ status: number; data?: Result; errors?: { message: string }[] }> {
  const response = await test.app.fetch('http://test/graphql', {
    method: 'POST',
    headers: { authorization: `Bearer ${client.apiKey}` },
    body: multipartForm(document, variables, files),
  });
  return { status: response.status, ...((await response.json()) as { data?: Result; errors?: { message: string }[] }) };
}

export interface RawResponse<Result> {
  status: number;
  headers: Headers;
  data?: Result | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
  extensions?: Record<string, unknown>;
}

/** A typed operation sent with the key and extra headers, answered with its status and headers (rate limits, idempotency). */
export async function postTyped<Result, Variables extends object>(
  app: Pick<App, 'fetch'>,
  apiKey: string,
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
  headers: Record<string, string> = {},
): Promise<RawResponse<Result>> {
  const response = await app.fetch('http://test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}`, ...headers },
    body: JSON.stringify({ query: print(document), variables }),
  });
  return { status: response.status, headers: response.headers, ...((await response.json()) as Omit<RawResponse<Result>, 'status' | 'headers'>) };
}
