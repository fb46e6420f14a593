import { createOrganization } from '../accounts/index.ts';
import { required, runCommand } from './cli.ts';

// npm run org:create -- --name "Acme" [--admin-email admin@acme.org]
await runCommand({ name: { type: 'string' }, 'admin-email': { type: 'string' } }, async (prisma, values) => {
  const adminEmail = typeof values['admin-email'] === 'string' ? values['admin-email'] : undefined;
  const created = await createOrganization(prisma, { name: required(values, 'name'), adminEmail });
  return { organizationId: created.organizationId, apiKey: created.apiKey };
});
