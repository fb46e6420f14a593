import type { UserRole } from '../shared/actor.ts';
import { createUser } from '../accounts/index.ts';
import { required, runCommand } from './cli.ts';

const roles = ['admin', 'editor', 'viewer'];

// npm run user:create -- --org <organizationId> --email <email> [--role admin|editor|viewer] [--name "Jo"]
await runCommand(
  { org: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
  async (prisma, values) => {
    const role = typeof values.role === 'string' ? values.role.toLowerCase() : 'editor';
    if (!roles.includes(role)) throw new Error(`--role must be one of ${roles.join(', ')}`);
    return createUser(prisma, {
      organizationId: required(values, 'org'),
      email: required(values, 'email'),
      name: typeof values.name === 'string' ? values.name : undefined,
      role: role.toUpperCase() as UserRole,
    });
  },
);
