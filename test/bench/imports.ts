import type { SeededOrg } from './seed.ts';

/**
 * Imports measured one request at a time (an import is one long request, not a stream of short
 * ones): a 10,000-row CSV of new people, the same file again (every row matched and unchanged),
 * 10,000 rows with two custom fields each, and 1,000 rows with a company each, which go the
 * one-by-one path. For each: time, rows per second, SQL statements and the server's memory after
 * it and at its peak.
 */
export interface ImportFigures {
  name: string;
  rows: number;
  seconds: number;
  statements: number;
  rss: number;
  maxRss: number;
}

interface Stats {
  statements: number;
  rss: number;
  maxRss: number;
}

const ImportMutation = `mutation($file: File!) {
  importPeople(input: { file: $file }) {
    __typename
    ... on ImportPeopleSuccess { import { totalRows createdCount updatedCount unchangedCount failedCount } }
    ... on Error { message }
  }
}`;

export async function benchImports(base: string, seeded: SeededOrg, stats: () => Promise<Stats>): Promise<ImportFigures[]> {
  const plain = ['externalId,givenName,familyName,email,phone,jobTitle'];
  for (let index = 0; index < 10_000; index++) {
    plain.push(`import-${index},Given ${index},Imported,imported${index}@bench.test,+46 70 ${String(index).padStart(7, '0')},Role ${index % 13}`);
  }
  const [text, number] = seeded.fieldSlugs;
  const withFields = [`familyName,email,field:${text},field:${number}`];
  for (let index = 0; index < 10_000; index++) withFields.push(`Fielded,fielded${index}@bench.test,Nick ${index},${index}`);
  const withCompany = ['familyName,email,company'];
  for (let index = 0; index < 1_000; index++) withCompany.push(`Employed,employed${index}@bench.test,Company ${index % 50}`);

  const runs: [string, string[], (result: ImportCounts) => boolean][] = [
    ['10,000 new people (CSV)', plain, (result) => result.createdCount === 10_000],
    ['the same 10,000 again (unchanged)', plain, (result) => result.unchangedCount === 10_000],
    ['10,000 with 2 custom fields each', withFields, (result) => result.createdCount === 10_000],
    ['1,000 with a company each (one by one)', withCompany, (result) => result.createdCount === 1_000],
  ];
  const figures: ImportFigures[] = [];
  for (const [name, lines, expected] of runs) {
    await fetch(`${base}/bench/reset`);
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: ImportMutation, variables: { file: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new Blob([lines.join('\n')], { type: 'text/csv' }), 'people.csv');
    const start = performance.now();
    const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${seeded.apiKey}` }, body: form });
    const seconds = (performance.now() - start) / 1000;
    const body = (await response.json()) as { data?: { importPeople: { __typename: string; import?: ImportCounts } } };
    const result = body.data?.importPeople.import;
    if (!result || !expected(result)) {
      throw new Error(`import ${name}: unexpected answer ${JSON.stringify(body).slice(0, 500)}`);
    }
    const { statements, rss, maxRss } = await stats();
    figures.push({ name, rows: lines.length - 1, seconds, statements, rss, maxRss });
  }
  return figures;
}

interface ImportCounts {
  createdCount: number;
  updatedCount: number;
  unchangedCount: number;
  failedCount: number;
}
