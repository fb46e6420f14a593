import { parseArgs } from 'node:util';
import { faker } from '@faker-js/faker';
import pg from 'pg';
import { newApiKey } from '../../src/accounts/account-service.ts';
import { encodeCursor, querySignature } from '../../src/db/keyset.ts';
import { encodeGlobalId } from '../../src/shared/global-ids.ts';
import { checkAnswers, load, measureRound, megabytes, printTable, projectServerCommand, type Server, startServer, summarize } from './harness.ts';
import { ensureDatabase, scaleCatalogue, scaleId, type ScaleShape, seedScale } from './scale-seed.ts';
import { pageQuery, personByIdQuery, type Scenario } from './scenarios.ts';

/**
 * npm run bench:scale -- --sizes 10000,100000[,1000000] [--orgs 10000 --org-size 100] [--only duplicate]: how cost
 * grows with the organisation (issue 20). Each size is seeded into its own schema of the scale
 * database when it is not there yet (scale-seed.ts; kept between runs, so a second run only
 * measures), then the project's server is started on it and every scenario below is loaded with
 * autocannon: 1 s of warm-up, then BENCH_SECONDS (default 5) measured. With --orgs, the same
 * scenarios run again as one of the small organisations beside the big one. One table per size,
 * then each row's p50 and req/s at the largest size against the smallest. --only keeps the
 * scenarios whose names contain one of its comma-separated words.
 *
 * The machine has 2 cores shared with whatever else runs: compare the sizes of one run, not runs.
 */
const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000' },
    orgs: { type: 'string', default: '0' },
    'org-size': { type: 'string', default: '100' },
    only: { type: 'string', default: '' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const orgs = Number(values.orgs);
const orgSize = Number(values['org-size']);
const only = values.only.split(',').filter(Boolean);
const url = process.env.SCALE_DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/people_gateway_scale';
const loadShape = { seconds: Number(process.env.BENCH_SECONDS ?? 5), connections: Number(process.env.BENCH_CONNECTIONS ?? 10) };
/** How deep the "page after" scenarios start: 10,000 rows, or nearer the start when there are fewer. */
const deepRows = 10_000;

/** What the scenarios of one organisation need to know about its rows. */
interface OrgSample {
  label: string;
  organizationId: string;
  apiKey: string;
  people: { id: string; givenName: string; email: string; phone: string; createdAt: Date }[];
  tagIds: string[];
  groupIds: string[];
  deepCursor: string;
  deepRow: number;
}

async function sampleOrg(client: pg.Client, schema: string, org: number, size: number, label: string): Promise<OrgSample> {
  const table = (name: string) => `"${schema}"."${name}"`;
  const organizationId = scaleId('organization', org, 0);
  const key = newApiKey();
  // A key of its own for each run: the seeded admin is the same, the secret is never stored.
  await client.query(
    `INSERT INTO ${table('ApiKey')} (id, "organizationId", "userId", name, "hashedKey", prefix) VALUES (gen_random_uuid()::text, $1, $2, 'bench:scale', $3, $4)`,
    [organizationId, scaleId('user', org, 1), key.hashedKey, key.prefix],
  );
  faker.seed(org + 1);
  const numbers = Array.from({ length: Math.min(500, size) }, () => faker.number.int({ min: 1, max: size }));
  const { rows: people } = await client.query<OrgSample['people'][number]>(
    `SELECT id, "givenName", emails[1] AS email, phones[1] AS phone, "createdAt" FROM ${table('Person')}
     WHERE id = ANY($1) AND "archivedAt" IS NULL`,
    [numbers.map((n) => scaleId('person', org, n))],
  );
  const active = Math.floor(size * 0.98);
  // Deep enough to leave a page after it: halfway through an organisation too small for that.
  const deepRow = Math.min(deepRows, active > 200 ? active - 100 : Math.floor(active / 2));
  const { rows: [deep] } = await client.query<{ id: string; createdAt: Date }>(
    `SELECT id, "createdAt" FROM ${table('Person')} WHERE "organizationId" = $1 AND "archivedAt" IS NULL
     ORDER BY "createdAt", id OFFSET $2 LIMIT 1`,
    [organizationId, deepRow - 1],
  );
  // The cursor the API itself would give the row: the default order's signature and keys.
  const deepCursor = encodeCursor(querySignature({ filter: null, orderBy: null, relevance: false }), [deep!.createdAt.toISOString(), deep!.id]);
  const catalogue = scaleCatalogue(size);
  return {
    label,
    organizationId,
    apiKey: key.secret,
    people,
    tagIds: Array.from({ length: catalogue.tags }, (_, k) => encodeGlobalId('Tag', scaleId('tag', org, k))),
    groupIds: Array.from({ length: catalogue.groups }, (_, k) => encodeGlobalId('Group', scaleId('group', org, k))),
    deepCursor,
    deepRow,
  };
}

const light = 'id fullName primaryEmail';

function scaleScenarios(sample: OrgSample): Scenario[] {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${sample.apiKey}` };
  const scenario = (name: string, body: () => { query: string; variables?: object }): Scenario => ({
    name,
    request: () => ({ method: 'POST', headers, setupRequest: (request) => ({ ...request, body: JSON.stringify(body()) }) }),
  });
  const person = () => faker.helpers.arrayElement(sample.people);
  const personId = () => encodeGlobalId('Person', person().id);
  const list = (variables: string, args: string) => `query (${variables}) { people(${args}) { edges { node { ${light} } } } }`;
  return [
    scenario('first page of 50, nested', () => ({ query: pageQuery })),
    // The same page without totalCount: what the page costs apart from counting.
    scenario('the same without totalCount', () => ({ query: pageQuery.replace('totalCount edges', 'edges') })),
    scenario(`page of 50 after ${sample.deepRow} rows`, () => ({
      query: `query ($c: String!) { people(first: 50, after: $c) { edges { node { ${light} } } } }`,
      variables: { c: sample.deepCursor },
    })),
    scenario(`last 50 before row ${sample.deepRow}`, () => ({
      query: `query ($c: String!) { people(last: 50, before: $c) { edges { node { ${light} } } } }`,
      variables: { c: sample.deepCursor },
    })),
    scenario('totalCount', () => ({ query: '{ people(first: 1) { totalCount } }' })),
    scenario('totalCount, tag filter', () => ({
      query: 'query ($t: [ID!]) { people(first: 1, filter: { tagIds: $t }) { totalCount } }',
      variables: { t: [faker.helpers.arrayElement(sample.tagIds)] },
    })),
    scenario('q: name prefix', () => ({
      query: list('$v: String', 'first: 20, filter: { q: $v }'),
      variables: { v: person().givenName.slice(0, 4) },
    })),
    scenario('q: email', () => ({ query: list('$v: String', 'first: 20, filter: { q: $v }'), variables: { v: person().email } })),
    scenario('q: phone', () => ({ query: list('$v: String', 'first: 20, filter: { q: $v }'), variables: { v: person().phone } })),
    scenario('filter: tag', () => ({
      query: list('$t: [ID!]', 'first: 50, filter: { tagIds: $t }'),
      variables: { t: [faker.helpers.arrayElement(sample.tagIds)] },
    })),
    scenario('filter: group', () => ({
      query: list('$g: [ID!]', 'first: 50, filter: { groupIds: $g }'),
      variables: { g: [faker.helpers.arrayElement(sample.groupIds)] },
    })),
    scenario('filter: field value (score = n)', () => ({
      query: list('$n: JSON', 'first: 50, filter: { customFields: [{ field: "score", eq: $n }] }'),
      variables: { n: faker.number.int(999) },
    })),
    scenario('filter: createdAt, one day', () => {
      const to = person().createdAt;
      return {
        query: list('$from: DateTime, $to: DateTime', 'first: 50, filter: { createdAt: { after: $from, before: $to } }'),
        variables: { from: new Date(to.getTime() - 86_400_000).toISOString(), to: to.toISOString() },
      };
    }),
    scenario('person by id, nested', () => ({ query: personByIdQuery, variables: { id: personId() } })),
    scenario("a person's timeline, 20", () => ({
      query: 'query ($id: ID!) { person(id: $id) { timeline(first: 20) { edges { node { type occurredAt } } } } }',
      variables: { id: personId() },
    })),
    scenario('notes by date, 50', () => ({
      query: '{ notes(first: 50, orderBy: [{ field: CREATED_AT }]) { edges { node { id description createdAt } } } }',
    })),
    scenario('person { possibleDuplicates(first: 10) }', () => ({
      query: 'query ($id: ID!) { person(id: $id) { possibleDuplicates(first: 10) { score reasons person { id } } } }',
      variables: { id: personId() },
    })),
    // After the first scan (measured on its own, firstDuplicateScan): each page rescans only the people changed since.
    scenario('duplicateCandidates(first: 20), a page', () => ({
      query: '{ duplicateCandidates(first: 20) { edges { node { score reasons person { id } other { id } } } } }',
    })),
    scenario('createPerson', () => ({
      query: `mutation ($input: PersonInput!) { createPerson(input: $input) { __typename ... on CreatePersonSuccess { person { id } } } }`,
      variables: { input: { givenName: faker.person.firstName(), familyName: faker.person.lastName(), emails: [faker.internet.email()] } },
    })),
    scenario('updatePerson', () => ({
      query: `mutation ($id: ID!, $input: UpdatePersonInput!) { updatePerson(id: $id, input: $input) { __typename ... on UpdatePersonSuccess { person { id } } } }`,
      variables: { id: personId(), input: { jobTitle: faker.person.jobTitle() } },
    })),
  ];
}

interface Measured {
  table: string;
  rows: Map<string, ReturnType<typeof summarize>>;
  notes: string[];
}

/**
 * The first duplicateCandidates page of the organisation, which looks every person up: its stored
 * pairs and scan are removed first, so that each run measures a first scan. One request, timed.
 */
async function firstDuplicateScan(server: Server, sample: OrgSample, schema: string): Promise<string> {
  const table = (name: string) => `"${schema}"."${name}"`;
  await client.query(`DELETE FROM ${table('DuplicateScan')} WHERE "organizationId" = $1`, [sample.organizationId]);
  await client.query(`DELETE FROM ${table('DuplicateCandidate')} WHERE "organizationId" = $1`, [sample.organizationId]);
  const started = performance.now();
  const response = await fetch(`${server.base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${sample.apiKey}` },
    body: JSON.stringify({ query: '{ duplicateCandidates(first: 20) { edges { node { score } } } }' }),
  });
  const text = await response.text();
  const elapsed = performance.now() - started;
  if (!response.ok || text.includes('"errors"')) throw new Error(`after ${(elapsed / 1000).toFixed(1)} s: ${text.slice(0, 500)}`);
  const { rows: [stored] } = await client.query<{ pairs: number }>(
    `SELECT count(*)::int AS pairs FROM ${table('DuplicateCandidate')} WHERE "organizationId" = $1`,
    [sample.organizationId],
  );
  return `duplicateCandidates' first scan and page: ${(elapsed / 1000).toFixed(2)} s, ${stored!.pairs} pairs stored`;
}

async function measureOrg(server: Server, sample: OrgSample, schema: string): Promise<Measured> {
  const rows = new Map<string, ReturnType<typeof summarize>>();
  const notes: string[] = [];
  const scenarios = scaleScenarios(sample).filter((scenario) => only.length === 0 || only.some((word) => scenario.name.includes(word)));
  let steadyPages = true;
  if (scenarios.some((scenario) => scenario.name.startsWith('duplicateCandidates'))) {
    try {
      notes.push(await firstDuplicateScan(server, sample, schema));
    } catch (error) {
      // A scan longer than its transaction's timeout stores nothing, so there is no steady page to measure.
      notes.push(`duplicateCandidates' first scan did not finish: ${(error as Error).message.slice(0, 300)}`);
      steadyPages = false;
    }
    process.stderr.write(`${sample.label}: ${notes.at(-1)}\n`);
  }
  for (const scenario of scenarios) {
    if (!steadyPages && scenario.name.startsWith('duplicateCandidates')) continue;
    await checkAnswers(server.base, scenario);
    await load(server, scenario, 1, loadShape.connections);
    const figures = summarize([await measureRound(server, scenario, loadShape)]);
    rows.set(scenario.name.replace(/\d+ rows|row \d+/, (match) => match.replace(/\d+/, 'N')), figures);
    process.stderr.write(`${sample.label}: ${scenario.name}: ${figures.reqPerSecond.toFixed(1)} req/s, p50 ${figures.p50} ms\n`);
  }
  return { table: sample.label, rows, notes };
}

await ensureDatabase(url);
const client = new pg.Client({ connectionString: url });
await client.connect();
const results: Measured[] = [];
let maxRss = 0;
for (const people of sizes) {
  const shape: ScaleShape = { people, orgs, orgSize };
  const { schema } = await seedScale(url, shape);
  const samples = [await sampleOrg(client, schema, 0, people, `${people} people`)];
  if (orgs > 0) samples.push(await sampleOrg(client, schema, 1, orgSize, `${people} people: a small org of ${orgSize} beside ${orgs}`));
  const server = await startServer('project', projectServerCommand(), { url, schema });
  try {
    for (const sample of samples) results.push(await measureOrg(server, sample, schema));
    maxRss = Math.max(maxRss, (await server.stats()).maxRss);
  } finally {
    server.process.kill('SIGTERM');
  }
}
await client.end();

const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'SQL/req', 'RSS MB'];
for (const { table, rows, notes } of results) {
  process.stdout.write(`\n${table}, ${loadShape.connections} connections, ${loadShape.seconds} s per scenario\n`);
  printTable(
    header,
    [...rows].map(([name, figures]) => [
      name,
      figures.reqPerSecond.toFixed(1),
      figures.p50.toFixed(1),
      figures.p99.toFixed(1),
      figures.statementsPerRequest.toFixed(1),
      megabytes(figures.rss),
    ]),
  );
  for (const note of notes) process.stdout.write(`${note}\n`);
}
// Growth: the largest size against the smallest, for the big organisation and (with --orgs) the small one.
const groups = orgs > 0 ? [results.filter((_, i) => i % 2 === 0), results.filter((_, i) => i % 2 === 1)] : [results];
for (const group of groups) {
  if (group.length < 2) continue;
  const [first, last] = [group[0]!, group.at(-1)!];
  process.stdout.write(`\ngrowth: ${last.table} against ${first.table} (p50 ratio above 1.5 is flagged)\n`);
  printTable(
    ['scenario', ...group.map((measured) => `p50 ms ${measured.table.split(':')[0]}`), 'p50 ratio', 'req/s ratio', ''],
    [...first.rows.keys()].map((name) => {
      const ratio = last.rows.get(name)!.p50 / Math.max(first.rows.get(name)!.p50, 1);
      return [
        name,
        ...group.map((measured) => measured.rows.get(name)!.p50.toFixed(1)),
        ratio.toFixed(2),
        (first.rows.get(name)!.reqPerSecond / last.rows.get(name)!.reqPerSecond).toFixed(2),
        ratio > 1.5 ? 'grows' : '',
      ];
    }),
  );
}
process.stdout.write(`\nserver peak RSS over the run: ${megabytes(maxRss)} MB\n`);
