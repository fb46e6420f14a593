import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { createPrismaClient, type PrismaClient } from '../../src/db/prisma.ts';
import { createLogger } from '../../src/logger.ts';
import { createApp } from '../../src/yoga.ts';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, dropSchema, type TestApp, type TestClient } from '../support/app.ts';
import { type StreamingReplica, startStreamingReplica } from '../support/replica.ts';

/**
 * Reads from a PostgreSQL read replica (DATABASE_REPLICA_URL): a real streaming replica of the
 * test server is made for this file (test/support/replica.ts), and the app is given both. A query
 * reads from the replica; a mutation writes and reads, its payload included, on the primary.
 * PostgreSQL only: vitest.config.ts leaves *.postgres.test.ts out of a run on PGlite.
 */

const primaryUrl = inject('databaseUrl');
const schema = `test_${randomBytes(6).toString('hex')}`;
let replica: StreamingReplica;
let primary: PrismaClient;
let replicaClient: PrismaClient;
let replicaAdmin: pg.Client;
let test: TestApp;
let acme: TestClient;
/** The statements each client sent since the last reset. */
const primarySql: string[] = [];
const replicaSql: string[] = [];

beforeAll(async () => {
  await migrate({ connectionString: primaryUrl, schema });
  replica = await startStreamingReplica(primaryUrl);
  primary = createPrismaClient({ url: primaryUrl, schema, poolSize: 2, preparedStatements: true, onQuery: (sql) => primarySql.push(sql) });
  replicaClient = createPrismaClient({ url: replica.url, schema, poolSize: 2, preparedStatements: true, onQuery: (sql) => replicaSql.push(sql) });
  replicaAdmin = new pg.Client({ connectionString: replica.url });
  await replicaAdmin.connect();
  const app = createApp({ prisma: primary, replica: replicaClient, log: createLogger('error'), dbSchema: schema });
  test = { app, prisma: primary, schema, databaseUrl: primaryUrl, sql: primarySql, close: async () => {} };
  acme = await createOrgClient(test);
}, 300_000);

afterAll(async () => {
  await replicaAdmin?.end();
  await replicaClient?.$disconnect();
  await primary?.$disconnect();
  await replica?.stop();
  await dropSchema(primaryUrl, schema);
});

const CreatePersonOnPrimary = graphql(`
  mutation CreatePersonOnPrimary($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      # The timeline is read after the write (the columns come back with the insert): on the primary.
      ... on CreatePersonSuccess { person { id familyName version timeline(first: 1) { totalCount } } }
    }
  }
`);

const RenamePerson = graphql(`
  mutation RenamePerson($id: ID!, $givenName: String) {
    updatePerson(id: $id, input: { givenName: $givenName }) {
      __typename
      ... on UpdatePersonSuccess { person { id givenName version } }
    }
  }
`);

const ReadPerson = graphql(`
  query ReadPerson($id: ID!) {
    person(id: $id) { id familyName givenName version }
  }
`);

function resetStatements(): void {
  primarySql.length = 0;
  replicaSql.length = 0;
}

const aboutPeople = (statements: string[]) => statements.filter((sql) => sql.includes('"Person"'));

/** Polls (no timing assumed) until the replica has replayed what the primary committed so far. */
async function replicaCaughtUp(): Promise<void> {
  const [{ lsn }] = (await primary.$queryRaw<{ lsn: string }[]>`SELECT pg_current_wal_lsn()::text AS lsn`) as [{ lsn: string }];
  for (;;) {
    const { rows } = await replicaAdmin.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn]);
    if (rows[0]!.done) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function createPerson(familyName: string): Promise<string> {
  const { createPerson } = await acme.request(CreatePersonOnPrimary, { input: { familyName } });
  if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(createPerson.__typename);
  return createPerson.person.id;
}

describe('read replica (DATABASE_REPLICA_URL)', () => {
  it('is a hot standby of the primary, on a port of its own', async () => {
    const [onReplica] = await replicaClient.$queryRaw<{ recovering: boolean; port: number }[]>`
      SELECT pg_is_in_recovery() AS recovering, inet_server_port() AS port`;
    const [onPrimary] = await primary.$queryRaw<{ recovering: boolean; port: number }[]>`
      SELECT pg_is_in_recovery() AS recovering, inet_server_port() AS port`;
    expect(onReplica).toEqual({ recovering: true, port: replica.port });
    expect(onPrimary!.recovering).toBe(false);
    expect(onPrimary!.port).not.toBe(replica.port);
  });

  it('a mutation writes and reads its payload on the primary; a query reads from the replica', async () => {
    resetStatements();
    const id = await createPerson('Altois');
    expect(aboutPeople(primarySql).some((sql) => sql.startsWith('INSERT INTO'))).toBe(true);
    expect(aboutPeople(primarySql).some((sql) => sql.startsWith('SELECT'))).toBe(true);
    expect(replicaSql).toEqual([]);

    await replicaCaughtUp();
    resetStatements();
    const { person } = await acme.request(ReadPerson, { id });
    expect(person).toMatchObject({ id, familyName: 'Altois', version: 1 });
    expect(aboutPeople(replicaSql).length).toBeGreaterThan(0);
    expect(aboutPeople(primarySql)).toEqual([]);
  });

  it("replica lag never makes a mutation's answer stale", async () => {
    const id = await createPerson('Lagging');
    await replicaCaughtUp();
    // The replica stops replaying: it keeps receiving the primary's changes but shows none of them.
    await replicaAdmin.query('SELECT pg_wal_replay_pause()');
    try {
      for (;;) {
        const { rows } = await replicaAdmin.query<{ state: string }>('SELECT pg_get_wal_replay_pause_state() AS state');
        if (rows[0]!.state === 'paused') break;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const { updatePerson } = await acme.request(RenamePerson, { id, givenName: 'Fresh' });
      expect(updatePerson).toEqual({ __typename: 'UpdatePersonSuccess', person: { id, givenName: 'Fresh', version: 2 } });
      // A query meanwhile reads the replica, which has not replayed the change yet.
      expect((await acme.request(ReadPerson, { id })).person).toMatchObject({ givenName: null, version: 1 });
    } finally {
      await replicaAdmin.query('SELECT pg_wal_replay_resume()');
    }
    await replicaCaughtUp();
    expect((await acme.request(ReadPerson, { id })).person).toMatchObject({ givenName: 'Fresh', version: 2 });
  });
});
