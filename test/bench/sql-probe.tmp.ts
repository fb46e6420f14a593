import pg from 'pg';
import { createPrismaClient } from '../../src/db/prisma.ts';
import { createLogger } from '../../src/logger.ts';
import { createApp } from '../../src/yoga.ts';
import { newApiKey } from '../../src/accounts/account-service.ts';
import { scaleId } from './scale-seed.ts';
import { encodeGlobalId } from '../../src/shared/global-ids.ts';
const url = 'postgresql://root@127.0.0.1:5432/people_gateway_scale';
const schema = process.argv[2]!;
const c = new pg.Client({ connectionString: url }); await c.connect();
const key = newApiKey();
await c.query(`INSERT INTO "${schema}"."ApiKey" (id, "organizationId", "userId", name, "hashedKey", prefix) VALUES (gen_random_uuid()::text, $1, $2, 'probe', $3, $4)`, [scaleId('organization',0,0), scaleId('user',0,1), key.hashedKey, key.prefix]);
await c.end();
let log: string[] = [];
const prisma = createPrismaClient({ url, schema, onQuery: (sql) => log.push(sql) });
const app = createApp({ prisma, log: createLogger('warn'), dbSchema: schema });
const queries: [string, string, object][] = [
  ['q name', 'query($v:String){ people(first:20, filter:{q:$v}) { edges { node { id } } } }', { v: 'dap' }],
  ['total', '{ people(first:1) { totalCount } }', {}],
  ['field', 'query($n:JSON){ people(first:50, filter:{customFields:[{field:"score", eq:$n}]}) { edges { node { id } } } }', { n: 42 }],
  ['tag', 'query($t:[ID!]){ people(first:50, filter:{tagIds:$t}) { edges { node { id } } } }', { t: [encodeGlobalId('Tag', scaleId('tag',0,3))] }],
  ['created', 'query{ people(first:50, filter:{createdAt:{after:"2026-11-20T00:00:00Z", before:"2026-11-21T00:00:00Z"}}) { edges { node { id } } } }', {}],
  ['create', 'mutation { createPerson(input:{familyName:"Probe", emails:["probe@x.test"]}) { __typename } }', {}],
  ['update', `mutation { updatePerson(id:"${encodeGlobalId('Person', scaleId('person',0,5))}", input:{jobTitle:"x"}) { __typename } }`, {}],
];
for (const [name, query, variables] of queries) {
  log = [];
  const r = await app.fetch('http://x/graphql', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key.secret}` }, body: JSON.stringify({ query, variables }) });
  const t = await r.text();
  console.log(`=== ${name}: ${t.slice(0, 150)}`);
  for (const s of log) console.log(s.replace(/\s+/g, ' ').slice(0, 1500));
}
await prisma.$disconnect();
