import { faker } from '@faker-js/faker';
import type { PrismaClient } from '../../src/db/prisma.ts';
import { createOrganization } from '../../src/accounts/account-service.ts';

/**
 * A realistic organisation for the benchmark: people with 2 to 3 emails, 1 to 3 tags, 1 to 2
 * groups, 5 custom field values, 3 notes and 10 timeline events each. Written with createMany
 * in batches: this is set-up, not what is measured.
 */
export interface SeededOrg {
  apiKey: string;
  organizationId: string;
  personIds: string[];
  fieldSlugs: string[];
}

export async function seedOrganization(prisma: PrismaClient, peopleCount: number): Promise<SeededOrg> {
  faker.seed(42);
  const { organizationId, userId, apiKey } = await createOrganization(prisma, { name: 'Bench Org' });
  const org = { organizationId };
  const tags = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      prisma.tag.create({ data: { ...org, title: `Tag ${i}`, titleKey: `tag ${i}` } }),
    ),
  );
  const category = await prisma.noteCategory.create({ data: { ...org, title: 'Call' } });
  const groups = await Promise.all(
    Array.from({ length: 10 }, (_, i) => prisma.group.create({ data: { ...org, title: `Group ${i}` } })),
  );
  const fieldTypes = [
    { slug: 'nickname', type: 'TEXT' as const },
    { slug: 'score', type: 'NUMBER' as const },
    { slug: 'joined', type: 'DATE' as const },
    { slug: 'homepage', type: 'URL' as const },
    { slug: 'languages', type: 'MULTIPLE_SELECT' as const, options: ['Python', 'Go', 'TypeScript', 'Rust'] },
  ];
  const fields = await Promise.all(
    fieldTypes.map((field) =>
      prisma.customField.create({ data: { ...org, title: field.slug, slug: field.slug, type: field.type, options: field.options ?? [] } }),
    ),
  );
  const companies = await Promise.all(
    Array.from({ length: 200 }, (_, i) => {
      const name = `${faker.company.name()} ${i}`;
      return prisma.company.create({ data: { ...org, name, nameKey: name.toLowerCase() } });
    }),
  );

  const personIds: string[] = [];
  const batch = 500;
  for (let start = 0; start < peopleCount; start += batch) {
    const people = Array.from({ length: Math.min(batch, peopleCount - start) }, () => {
      const givenName = faker.person.firstName();
      const familyName = faker.person.lastName();
      return {
        id: faker.string.uuid(),
        ...org,
        givenName,
        familyName,
        jobTitle: faker.person.jobTitle(),
        emails: Array.from({ length: faker.number.int({ min: 2, max: 3 }) }, (_, i) =>
          faker.internet.email({ firstName: givenName, lastName: `${familyName}${i}` }).toLowerCase(),
        ),
        phones: [faker.phone.number({ style: 'international' })],
        createdById: userId,
      };
    });
    await prisma.person.createMany({ data: people });
    const ids = people.map((person) => person.id);
    personIds.push(...ids);
    await prisma.personCompany.createMany({
      data: ids.map((personId) => ({ personId, companyId: faker.helpers.arrayElement(companies).id, position: 0, ...org })),
    });
    await prisma.personTag.createMany({
      data: ids.flatMap((personId) =>
        faker.helpers.arrayElements(tags, { min: 1, max: 3 }).map((tag) => ({ personId, tagId: tag.id, ...org })),
      ),
    });
    await prisma.groupMembership.createMany({
      data: ids.flatMap((personId) =>
        faker.helpers.arrayElements(groups, { min: 1, max: 2 }).map((group) => ({ personId, groupId: group.id, ...org })),
      ),
    });
    await prisma.personFieldValue.createMany({
      data: ids.flatMap((personId) => [
        { personId, fieldId: fields[0]!.id, value: faker.word.adjective(), ...org },
        { personId, fieldId: fields[1]!.id, value: faker.number.int(100), ...org },
        { personId, fieldId: fields[2]!.id, value: faker.date.past().toISOString().slice(0, 10), ...org },
        { personId, fieldId: fields[3]!.id, value: faker.internet.url(), ...org },
        { personId, fieldId: fields[4]!.id, value: faker.helpers.arrayElements(fieldTypes[4]!.options!, 2), ...org },
      ]),
    });
    await prisma.note.createMany({
      data: ids.flatMap((personId) =>
        Array.from({ length: 3 }, () => ({
          personId,
          ...org,
          authorId: userId,
          categoryId: category.id,
          description: faker.lorem.sentence(),
          flagged: faker.datatype.boolean(0.1),
        })),
      ),
    });
    await prisma.timelineEvent.createMany({
      data: ids.flatMap((personId) =>
        Array.from({ length: 10 }, () => ({
          personId,
          ...org,
          actorId: userId,
          type: faker.helpers.arrayElement(['PERSON_UPDATED', 'TAG_ADDED', 'NOTE_ADDED', 'FIELD_SET']),
          occurredAt: faker.date.recent({ days: 365 }),
        })),
      ),
    });
  }
  return { apiKey, organizationId, personIds, fieldSlugs: fieldTypes.map((field) => field.slug) };
}
