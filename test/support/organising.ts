import { graphql } from '../generated/gql.ts';
import type { TestApp, TestClient } from './app.ts';

/** Helpers shared by the notes, tags and groups suites. */

const CreatePersonToOrganise = graphql(`
  mutation CreatePersonToOrganise($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id } }
    }
  }
`);

export async function createPersonId(client: TestClient, familyName: string): Promise<string> {
  const { createPerson } = await client.request(CreatePersonToOrganise, { input: { familyName } });
  if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(`createPerson failed: ${createPerson.__typename}`);
  return createPerson.person.id;
}

/** The database id inside a global id, to look rows up directly. */
export function localIdOf(globalId: string): string {
  return Buffer.from(globalId, 'base64').toString().split(':').slice(1).join(':');
}

/** A well-formed global id that names nothing. */
export function unknownId(typename: string): string {
  return Buffer.from(`${typename}:00000000-0000-7000-8000-000000000000`).toString('base64');
}

export async function timelineOf(test: TestApp, personGlobalId: string) {
  return test.prisma.timelineEvent.findMany({
    where: { personId: localIdOf(personGlobalId) },
    orderBy: [{ occurredAt: 'asc' }, { id: 'asc' }],
    select: { type: true, data: true, actorId: true },
  });
}
