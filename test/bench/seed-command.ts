import { runCommand } from '../../src/scripts/cli.ts';
import { newApiKey } from '../../src/accounts/account-service.ts';
import { seedOrganization } from './seed.ts';

/**
 * npm run -s bench:seed: the benchmark organisation in the configured database (DATABASE_URL, else
 * the embedded one), for benches outside this repository (the peer bench) that must not reach
 * into the project's modules. Migrates; seeds PEOPLE people (default 10,000) when the database has
 * no organisation; VACUUM ANALYZE after a seed, ANALYZE otherwise; mints a new key for the
 * organisation's first admin. Prints one JSON line: {"organizationId","apiKey","people","seeded"}.
 */
const peopleCount = Number(process.env.PEOPLE ?? 10_000);
if (!Number.isInteger(peopleCount) || peopleCount < 1) {
  process.stderr.write(`PEOPLE must be a positive whole number, not ${process.env.PEOPLE}\n`);
  process.exit(2);
}

await runCommand({}, async (prisma) => {
  const organizations = await prisma.organization.count();
  // PostGraphile, beside which the peer bench runs the project, has no tenant filter: its answers
  // match the project's only when the database holds this one organisation.
  if (organizations > 1) throw new Error(`expected at most one organisation in the database, found ${organizations}`);
  const seeded = organizations === 0;
  if (seeded) {
    const start = performance.now();
    await seedOrganization(prisma, peopleCount);
    process.stderr.write(`seeded ${peopleCount} people in ${((performance.now() - start) / 1000).toFixed(1)} s\n`);
  }
  // Autovacuum may be off (it is on the machines this was built on): without statistics the
  // planner expects one person per organisation and picks plans tens of times slower.
  await prisma.$executeRawUnsafe(seeded ? 'VACUUM ANALYZE' : 'ANALYZE');

  const admin = await prisma.user.findFirstOrThrow({ where: { role: 'ADMIN', deactivatedAt: null }, orderBy: { createdAt: 'asc' } });
  const key = newApiKey();
  await prisma.apiKey.create({
    data: { organizationId: admin.organizationId, userId: admin.id, name: 'bench:seed', hashedKey: key.hashedKey, prefix: key.prefix },
  });
  const people = await prisma.person.count({ where: { organizationId: admin.organizationId } });
  return { organizationId: admin.organizationId, apiKey: key.secret, people, seeded };
});
