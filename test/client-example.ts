import { GraphQLClient } from 'graphql-request';
import { graphql } from './generated/index.js';

const AddPerson = graphql(`
  mutation AddPerson($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id fullName } }
      ... on ValidationError { fieldErrors { path message } }
      ... on Error { message }
    }
  }
`);

export async function addPerson(client: GraphQLClient, givenName: string, familyName: string): Promise<string> {
  const { createPerson: result } = await client.request(AddPerson, { input: { givenName, familyName } });
  switch (result.__typename) {
    case 'CreatePersonSuccess':
      return `created ${result.person.fullName}`;
    case 'ValidationError':
      return `invalid: ${result.fieldErrors.map((error) => `${error.path.join('.')}: ${error.message}`).join('; ')}`;
    default:
      return `refused (${result.__typename}): ${result.message}`;
  }
}
