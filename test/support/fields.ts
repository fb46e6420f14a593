import { graphql } from '../generated/gql.ts';
import type { CreateCustomFieldInput, PersonInput } from '../generated/graphql.ts';
import type { TestApp, TestClient } from './app.ts';

// Documents and helpers shared by the custom-field and field-value suites.

export const CustomFieldParts = graphql(`
  fragment CustomFieldParts on CustomField {
    id
    title
    slug
    description
    type
    options
    groupId
    createdAt
    updatedAt
  }
`);

export const CreateCustomField = graphql(`
  mutation CreateCustomField($input: CreateCustomFieldInput!) {
    createCustomField(input: $input) {
      __typename
      ... on CreateCustomFieldSuccess { customField { ...CustomFieldParts } }
      ... on ValidationError { fieldErrors { path message } }
      ... on ConflictError { message }
      ... on ForbiddenError { message }
    }
  }
`);

export const SetPersonField = graphql(`
  mutation SetPersonField($personId: ID!, $field: String!, $value: JSON) {
    setPersonField(personId: $personId, field: $field, value: $value) {
      __typename
      ... on SetPersonFieldSuccess { person { id } }
      ... on ValidationError { fieldErrors { path message } }
      ... on NotFoundError { resource id message }
      ... on ForbiddenError { message }
      ... on ConflictError { message }
    }
  }
`);

export const PersonField = graphql(`
  query PersonField($id: ID!, $field: String!) {
    person(id: $id) {
      field(idOrSlug: $field) {
        value
        field { slug type }
        updatedBy { id }
        typedValue {
          __typename
          ... on TextValue { text }
          ... on NumberValue { number }
          ... on DateValue { date }
          ... on UrlValue { url }
          ... on JsonValue { json }
          ... on SingleSelectValue { option }
          ... on MultipleSelectValue { options }
          ... on ContactValue {
            contacts {
              __typename
              ... on Person { id fullName }
              ... on Company { id name }
            }
          }
          ... on UserValue { users { id name email } }
        }
      }
    }
  }
`);

export const PersonFieldList = graphql(`
  query PersonFieldList($id: ID!, $first: Int, $after: String) {
    person(id: $id) {
      fields(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { field { slug } value } }
      }
    }
  }
`);

const CreatePersonForFields = graphql(`
  mutation CreatePersonForFields($input: PersonInput!) {
    createPerson(input: $input) {
      __typename
      ... on CreatePersonSuccess { person { id } }
      ... on ValidationError { fieldErrors { path message } }
    }
  }
`);

export async function createField(client: TestClient, input: CreateCustomFieldInput) {
  const { createCustomField } = await client.request(CreateCustomField, { input });
  if (createCustomField.__typename !== 'CreateCustomFieldSuccess') {
    throw new Error(`createCustomField failed: ${JSON.stringify(createCustomField)}`);
  }
  return createCustomField.customField;
}

export async function createPersonId(client: TestClient, input: PersonInput): Promise<string> {
  const { createPerson } = await client.request(CreatePersonForFields, { input });
  if (createPerson.__typename !== 'CreatePersonSuccess') throw new Error(`createPerson failed: ${JSON.stringify(createPerson)}`);
  return createPerson.person.id;
}

/** The database id inside a global id, for setting up rows the API cannot create yet. */
export function databaseId(globalId: string): string {
  return Buffer.from(globalId, 'base64').toString().split(':').slice(1).join(':');
}

export function globalId(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`).toString('base64');
}

/**
 * A group, and optionally memberships in it, written straight to the database: the groups API
 * is being built in parallel. Replace with createGroup/addGroupMember once it lands.
 */
export async function createGroupDirectly(
  test: TestApp,
  client: TestClient,
  title: string,
  memberIds: string[] = [],
): Promise<string> {
  const group = await test.prisma.group.create({ data: { organizationId: client.organizationId, title } });
  if (memberIds.length > 0) {
    await test.prisma.groupMembership.createMany({
      data: memberIds.map((personId) => ({ groupId: group.id, personId: databaseId(personId), organizationId: client.organizationId })),
    });
  }
  return globalId('Group', group.id);
}
