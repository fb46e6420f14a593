import { pageQuery, personByIdQuery } from './scenarios.ts';
import type { SeededOrg } from './seed.ts';

/**
 * Before anything is measured: the raw-SQL server must answer exactly what the API answers, or
 * the comparison would be between two different jobs. Both are asked for the page and for a few
 * people (and a malformed id); the parsed answers must be deep-equal, and the first difference
 * is thrown with its path.
 */
export async function checkSameAnswers(projectBase: string, rawBase: string, seeded: SeededOrg, people = 5): Promise<number> {
  const globalId = (id: string) => Buffer.from(`Person:${id}`).toString('base64');
  const step = Math.max(1, Math.floor(seeded.personIds.length / people));
  const ids = Array.from({ length: people }, (_, index) => seeded.personIds[(index * step) % seeded.personIds.length]!);
  const requests: { name: string; query: string; variables?: object }[] = [
    { name: 'page of 50', query: pageQuery },
    ...ids.map((id) => ({ name: `person ${id}`, query: personByIdQuery, variables: { id: globalId(id) } })),
    { name: 'person with a malformed id', query: personByIdQuery, variables: { id: 'not-an-id' } },
  ];
  for (const { name, query, variables } of requests) {
    const [project, raw] = await Promise.all(
      [projectBase, rawBase].map(async (base) => {
        const response = await fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${seeded.apiKey}` },
          body: JSON.stringify({ query, variables }),
        });
        if (!response.ok) throw new Error(`${name}: ${base} answered ${response.status}: ${(await response.text()).slice(0, 500)}`);
        return (await response.json()) as unknown;
      }),
    );
    const difference = firstDifference(project, raw, '$');
    if (difference) throw new Error(`${name}: the raw server's answer differs from the API's at ${difference}`);
  }
  const unauthorized = await fetch(`${rawBase}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer pgw_not-a-key' },
    body: JSON.stringify({ query: pageQuery }),
  });
  if (unauthorized.status !== 401) throw new Error(`the raw server answered ${unauthorized.status} to an unknown key`);
  return requests.length;
}

/** The path of the first place where a and b differ, with both values; undefined when equal. */
export function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  const show = (value: unknown) => JSON.stringify(value)?.slice(0, 200) ?? String(value);
  const describe = () => `${path}: API ${show(a)}, raw ${show(b)}`;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return describe();
    for (let index = 0; index < Math.max(a.length, b.length); index++) {
      if (index >= a.length || index >= b.length) return `${path}[${index}]: API has ${a.length} items, raw ${b.length}`;
      const difference = firstDifference(a[index], b[index], `${path}[${index}]`);
      if (difference) return difference;
    }
    return undefined;
  }
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) {
      if (!(key in a) || !(key in b)) return `${path}.${key}: ${key in a ? 'missing in raw' : 'missing in API'} (${show(a[key] ?? b[key])})`;
      const difference = firstDifference(a[key], b[key], `${path}.${key}`);
      if (difference) return difference;
    }
    return undefined;
  }
  return Object.is(a, b) ? undefined : describe();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
