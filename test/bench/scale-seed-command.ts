import { parseArgs } from 'node:util';
import { seedScale } from './scale-seed.ts';

/**
 * npm run -s bench:seed:scale -- --people 100000 [--orgs 10000 --org-size 100]: seeds that shape
 * into its own schema of the scale database (SCALE_DATABASE_URL, default the local PostgreSQL's
 * people_gateway_scale, created when missing), unless it is there already. Prints one JSON line:
 * {"schema","seeded"}.
 */
const { values } = parseArgs({
  options: { people: { type: 'string', default: '10000' }, orgs: { type: 'string', default: '0' }, 'org-size': { type: 'string', default: '100' } },
});
const shape = { people: Number(values.people), orgs: Number(values.orgs), orgSize: Number(values['org-size']) };
for (const [name, value] of Object.entries(shape)) {
  if (!Number.isInteger(value) || value < 0 || (name !== 'orgs' && value < 1)) {
    process.stderr.write(`--${name} must be a whole number${name === 'orgs' ? '' : ' above 0'}, not ${String(value)}\n`);
    process.exit(2);
  }
}
export const scaleDatabaseUrl = process.env.SCALE_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/people_gateway_scale';
const result = await seedScale(scaleDatabaseUrl, shape);
process.stdout.write(`${JSON.stringify(result)}\n`);
