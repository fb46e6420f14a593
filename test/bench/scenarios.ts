import type { Faker } from '@faker-js/faker';
import type { Request } from 'autocannon';
import type { SeededOrg } from './seed.ts';

export interface Scenario {
  name: string;
  /** One autocannon request template, whose body changes on every request. */
  request: (faker: Faker) => Request;
}

/** What the nested read scenarios ask of each person; the raw-SQL server answers exactly this. */
export const personFields = `
  id fullName givenName familyName jobTitle emails primaryEmail phones createdAt updatedAt
  companies { nodes { id name } }
  owner { id email }
  tags(first: 10) { totalCount edges { node { value tag { id title } } } }
  groups(first: 10) { totalCount edges { node { role group { id title } } } }
  notes(first: 3) { totalCount edges { node { id description flagged category { title } author { email } } } }
  timeline(first: 5) { edges { node { type occurredAt actor { email } } } }
  interactionMetadata { workspace { approximateCount lastInteractedAt } }
  fields(first: 10) { edges { node { value field { slug type } } } }
`;

export const personByIdQuery = `query ($id: ID!) { person(id: $id) { ${personFields} } }`;
export const pageQuery = `{ people(first: 50) { totalCount edges { node { ${personFields} } } } }`;

/** The two read scenarios measured against the raw-SQL server as well. */
export const comparedScenarios = ['page of 50, nested', 'person by id, nested'] as const;

export function scenarios(seeded: SeededOrg): Scenario[] {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${seeded.apiKey}` };
  const graphql = (body: () => { query: string; variables?: object }): Request => ({
    method: 'POST',
    headers,
    setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }),
  });
  const globalId = (id: string) => Buffer.from(`Person:${id}`).toString('base64');
  return [
    {
      name: 'person by id, nested',
      request: (faker) =>
        graphql(() => ({
          query: personByIdQuery,
          variables: { id: globalId(faker.helpers.arrayElement(seeded.personIds)) },
        })),
    },
    {
      name: 'page of 50, nested',
      request: () => graphql(() => ({ query: pageQuery })),
    },
    {
      name: 'search',
      request: (faker) =>
        graphql(() => ({
          query: `query ($q: String!) { people(first: 20, filter: { q: $q }) { totalCount edges { node { id fullName primaryEmail } } } }`,
          variables: { q: faker.person.firstName().slice(0, 4) },
        })),
    },
    {
      name: 'setPersonField',
      request: (faker) =>
        graphql(() => ({
          query: `mutation ($personId: ID!, $value: JSON) { setPersonField(personId: $personId, field: "score", value: $value) { __typename } }`,
          variables: { personId: globalId(faker.helpers.arrayElement(seeded.personIds)), value: faker.number.int(1000) },
        })),
    },
    {
      name: 'createPerson',
      request: (faker) =>
        graphql(() => ({
          query: `mutation ($input: PersonInput!) { createPerson(input: $input) { __typename ... on CreatePersonSuccess { person { id } } } }`,
          variables: {
            input: { givenName: faker.person.firstName(), familyName: faker.person.lastName(), emails: [faker.internet.email()] },
          },
        })),
    },
  ];
}
