import type { PrismaClient } from '../../src/db/prisma.ts';
import type { PersonInput } from '../generated/graphql.ts';
import type { TestClient } from './app.ts';

function databaseId(id: string): string {
  return Buffer.from(id, 'base64').toString().split(':')[1]!;
}

/** Every row a merge may write, counted, to prove that a refused or dry-run merge wrote nothing. */
export async function rowCounts(db: PrismaClient) {
  return {
    people: await db.person.count(),
    companies: await db.personCompany.count(),
    tags: await db.personTag.count(),
    memberships: await db.groupMembership.count(),
    managers: await db.groupMembership.count({ where: { role: 'MANAGER' } }),
    notes: await db.note.groupBy({ by: ['personId'], _count: true, orderBy: { personId: 'asc' } }),
    fieldValues: await db.personFieldValue.count(),
    avatars: await db.personAvatar.groupBy({ by: ['personId'], orderBy: { personId: 'asc' } }),
    events: await db.timelineEvent.groupBy({ by: ['personId'], _count: true, orderBy: { personId: 'asc' } }),
    merges: await db.merge.count(),
  };
}

/**
 * Three people who overlap in every way a merge unites. The tag, group, note, custom-field and
 * avatar APIs are built on other branches, so their rows are written with Prisma directly.
 */
export async function threeOverlappingPeople(
  db: PrismaClient,
  client: TestClient,
  suffix: string,
  create: (client: TestClient, input: PersonInput) => Promise<{ id: string }>,
) {
  const ann = await create(client, {
    givenName: 'Ann',
    familyName: `Lee${suffix}`,
    description: 'The primary.',
    emails: [`ann${suffix}@example.org`, `shared${suffix}@example.org`],
    phones: ['+1 555 0100'],
    companies: [{ name: `Acme${suffix}` }],
  });
  const annie = await create(client, {
    givenName: 'Annie',
    familyName: `Lee-B${suffix}`,
    jobTitle: 'Engineer',
    emails: [`SHARED${suffix}@example.org`, `annie${suffix}@example.org`],
    phones: ['+1 555 0100', '+1 555 0200'],
    companies: [{ name: `Acme${suffix}` }, { name: `Beta${suffix}` }],
  });
  const anna = await create(client, {
    givenName: 'Anna',
    familyName: `Lee-C${suffix}`,
    jobTitle: 'CTO',
    birthday: '1990-01-31',
    emails: [`anna${suffix}@example.org`],
    urls: ['https://anna.example.org'],
    companies: [{ name: `Gamma${suffix}` }],
  });
  const [a, b, c] = [ann, annie, anna].map((person) => databaseId(person.id)) as [string, string, string];
  const organizationId = client.organizationId;
  const tags = await db.tag.createManyAndReturn({
    data: ['Donor', 'Volunteer', 'Speaker'].map((title) => ({ organizationId, title: title + suffix, titleKey: (title + suffix).toLowerCase() })),
  });
  const [donor, volunteer, speaker] = tags as [(typeof tags)[0], (typeof tags)[0], (typeof tags)[0]];
  await db.personTag.createMany({
    data: [
      { organizationId, tagId: donor.id, personId: a, value: 'from Ann' },
      { organizationId, tagId: donor.id, personId: b, value: 'from Annie' },
      { organizationId, tagId: volunteer.id, personId: b },
      { organizationId, tagId: speaker.id, personId: c },
    ],
  });
  const groups = await db.group.createManyAndReturn({
    data: ['Board', 'Choir', 'Kitchen'].map((title) => ({ organizationId, title: title + suffix })),
  });
  const [board, choir, kitchen] = groups as [(typeof groups)[0], (typeof groups)[0], (typeof groups)[0]];
  await db.groupMembership.createMany({
    data: [
      { organizationId, groupId: board.id, personId: a, role: 'MEMBER' },
      { organizationId, groupId: board.id, personId: b, role: 'MANAGER' },
      { organizationId, groupId: choir.id, personId: c, role: 'MEMBER' },
      { organizationId, groupId: kitchen.id, personId: b, role: 'MEMBER' },
      { organizationId, groupId: kitchen.id, personId: c, role: 'MANAGER' },
    ],
  });
  const category = await db.noteCategory.create({ data: { organizationId, title: `Call${suffix}` } });
  await db.note.createMany({
    data: [
      { personId: a, description: 'Ann 1' },
      { personId: b, description: 'Annie 1' },
      { personId: c, description: 'Anna 1' },
      { personId: c, description: 'Anna 2' },
    ].map((note) => ({ ...note, organizationId, categoryId: category.id })),
  });
  const fields = await db.customField.createManyAndReturn({
    data: ['shirt', 'diet', 'team'].map((slug) => ({ organizationId, title: slug, slug: slug + suffix, type: 'TEXT' as const })),
  });
  const [shirt, diet, team] = fields as [(typeof fields)[0], (typeof fields)[0], (typeof fields)[0]];
  await db.personFieldValue.createMany({
    data: [
      { personId: a, fieldId: shirt.id, value: 'M' },
      { personId: b, fieldId: shirt.id, value: 'L' },
      { personId: c, fieldId: diet.id, value: 'vegan' },
      { personId: b, fieldId: team.id, value: 'blue' },
      { personId: c, fieldId: team.id, value: 'red' },
    ].map((value) => ({ ...value, organizationId })),
  });
  await db.personAvatar.create({ data: { personId: b, contentType: 'image/png', data: Buffer.from('annie') } });
  return {
    people: { ann, annie, anna },
    ids: { a, b, c },
    tags: { donor, volunteer, speaker },
    groups: { board, choir, kitchen },
    fields: { shirt, diet, team },
  };
}
