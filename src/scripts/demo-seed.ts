import { faker } from '@faker-js/faker';
import type { PrismaClient } from '../db/prisma.ts';
import { createOrganization } from '../accounts/index.ts';
import type { ServiceContext } from '../shared/actor.ts';
import { createCustomField } from '../fields/index.ts';
import { setPersonField, setPersonFields } from '../fields/index.ts';
import { createGroupCategory } from '../groups/index.ts';
import { addGroupMember, createGroup } from '../groups/index.ts';
import { createNoteCategory } from '../notes/index.ts';
import { createNote } from '../notes/index.ts';
import { archivePerson, createPerson, updatePerson } from '../people/index.ts';
import { createTag, tagPerson } from '../tags/index.ts';
import { runCommand } from './cli.ts';

// npm run demo:seed [-- --name "Demo Org" --people 50]
// A sample organisation to try the API on, written through the services (as the API writes), so
// its timeline is the one the API would have recorded. Prints the organisation and an admin key.
await runCommand({ name: { type: 'string' }, people: { type: 'string' } }, async (prisma, values) => {
  const name = typeof values.name === 'string' ? values.name : 'Northwind Volunteers';
  const count = Number(values.people ?? 50);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw new Error('--people must be a whole number from 1 to 1000');
  const organization = await createOrganization(prisma, { name, adminEmail: 'admin@northwind.example' });
  const people = await seedOrganisation(prisma, organization, count);
  return { organizationId: organization.organizationId, apiKey: organization.apiKey, people };
});

async function seedOrganisation(
  prisma: PrismaClient,
  organization: { organizationId: string; userId: string },
  count: number,
): Promise<number> {
  // The same sample every time.
  faker.seed(2026);
  const ctx: ServiceContext = {
    prisma,
    dbSchema: 'public',
    actor: { organizationId: organization.organizationId, userId: organization.userId, role: 'ADMIN' },
  };

  const tags = [];
  for (const [title, color] of [['Volunteer', '#2e7d32'], ['Donor', '#1565c0'], ['Press', '#ef6c00'], ['Board', '#6a1b9a']] as const) {
    tags.push(await createTag(ctx, { title, color }));
  }
  const hoursTag = await createTag(ctx, { title: 'Hours pledged', valueType: 'NUMBER' });

  const regions = await createGroupCategory(ctx, { title: 'Regions', description: 'Local chapters' });
  const teams = await createGroupCategory(ctx, { title: 'Teams' });
  const groups = [];
  for (const [title, categoryId] of [
    ['North chapter', regions.id],
    ['South chapter', regions.id],
    ['Fundraising', teams.id],
    ['Events', teams.id],
  ] as const) {
    groups.push(await createGroup(ctx, { title, categoryId }));
  }

  const interests = await createCustomField(ctx, {
    title: 'Interests',
    type: 'MULTIPLE_SELECT',
    options: ['Canvassing', 'Phone banking', 'Events', 'Writing', 'Data'],
  });
  const memberSince = await createCustomField(ctx, { title: 'Member since', type: 'DATE' });
  const shirtSize = await createCustomField(ctx, { title: 'T-shirt size', type: 'SINGLE_SELECT', options: ['S', 'M', 'L', 'XL'] });
  const budget = await createCustomField(ctx, { title: 'Event budget', type: 'NUMBER', groupId: groups[3]!.id });

  const calls = await createNoteCategory(ctx, { title: 'Call' });
  const meetings = await createNoteCategory(ctx, { title: 'Meeting' });

  for (let index = 0; index < count; index++) {
    const givenName = faker.person.firstName();
    const familyName = faker.person.lastName();
    const company = faker.company.name();
    const person = await createPerson(ctx, {
      givenName,
      familyName,
      jobTitle: faker.person.jobTitle(),
      emails: [faker.internet.email({ firstName: givenName, lastName: familyName, provider: 'example.org' }).toLowerCase()],
      phones: [faker.helpers.replaceSymbols('+44 20 7### ####')],
      addresses: [`${faker.location.streetAddress()}, ${faker.location.city()}`],
      companies: index % 3 === 0 ? [] : [{ name: faker.helpers.arrayElement([company, 'Northwind Traders', 'Contoso']) }],
      birthday: faker.date.birthdate({ min: 18, max: 80, mode: 'age' }),
      language: faker.helpers.arrayElement(['en', 'en', 'fr', 'de']),
      tagIds: faker.helpers.arrayElements(tags, { min: 0, max: 2 }).map((tag) => tag.id),
    });

    const group = groups[index % groups.length]!;
    await addGroupMember(ctx, group.id, person.id, index % 10 === 0 ? 'MANAGER' : 'MEMBER');
    await setPersonField(ctx, person.id, { id: interests.id }, faker.helpers.arrayElements(['Canvassing', 'Phone banking', 'Events', 'Writing', 'Data'], { min: 1, max: 3 }));
    await setPersonField(ctx, person.id, { id: memberSince.id }, faker.date.past({ years: 8 }).toISOString().slice(0, 10));
    if (index % 2 === 0) await setPersonField(ctx, person.id, { id: shirtSize.id }, faker.helpers.arrayElement(['S', 'M', 'L', 'XL']));
    if (group.id === groups[3]!.id) {
      await setPersonFields(ctx, person.id, [{ groupId: group.id, values: [{ field: { id: budget.id }, value: faker.number.int({ min: 100, max: 5000 }) }] }]);
    }
    if (index % 4 === 0) await tagPerson(ctx, person.id, hoursTag.id, faker.number.int({ min: 2, max: 40 }));

    for (let note = 0; note < 1 + (index % 3); note++) {
      await createNote(ctx, person.id, {
        title: faker.helpers.arrayElement(['Follow-up', 'First contact', 'Catch-up', 'Thank-you call']),
        description: faker.lorem.sentences({ min: 1, max: 3 }),
        categoryId: faker.helpers.arrayElement([calls.id, meetings.id]),
        flagged: note === 0 && index % 7 === 0,
        createdAt: faker.date.recent({ days: 90 }),
      });
    }
    if (index % 5 === 1) await updatePerson(ctx, person.id, { jobTitle: faker.person.jobTitle() });
    if (index % 12 === 11) await archivePerson(ctx, person.id);
  }
  return count;
}
