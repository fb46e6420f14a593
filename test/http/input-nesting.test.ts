import { getNamedType, type GraphQLInputObjectType, isInputObjectType, isListType, getNullableType } from 'graphql';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { documentLimits } from '../../src/http/limits.ts';
import { maxInputNesting } from '../../src/http/input-nesting.ts';
import { schema } from '../../src/schema/index.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { captureLogs } from '../support/log-capture.ts';

/**
 * Issue 22, item 2: one request nesting its input deeply (PersonFilter through `not`, `and`,
 * `or`, in variables, in extensions, inline) once overflowed graphql-js's stack (a 500) or blocked
 * the event loop for over a minute (a path copied at every level, in the text check of variables
 * that had failed to coerce). Each is now refused with BAD_USER_INPUT before anything walks it,
 * while /healthz keeps answering. Bodies are built as text: JSON.stringify would recurse too.
 */

let test: TestApp;
let acme: TestClient;
const logs = captureLogs('warn');

beforeAll(async () => {
  test = await createTestApp({ log: logs.log });
  acme = await createOrgClient(test);
});
afterAll(() => test?.close());

/** Every input type of the schema that can contain itself, with the fields through which it does. */
function recursiveInputTypes(): Map<string, string[]> {
  const reaches = (from: GraphQLInputObjectType, target: GraphQLInputObjectType): boolean => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length > 0) {
      for (const field of Object.values(stack.pop()!.getFields())) {
        const type = getNamedType(field.type);
        if (type === target) return true;
        if (isInputObjectType(type) && !seen.has(type.name)) {
          seen.add(type.name);
          stack.push(type);
        }
      }
    }
    return false;
  };
  const found = new Map<string, string[]>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isInputObjectType(type) || type.name.startsWith('__')) continue;
    const fields = Object.values(type.getFields()).filter((field) => {
      const named = getNamedType(field.type);
      return named === type || (isInputObjectType(named) && reaches(named, type));
    });
    if (fields.length > 0) found.set(type.name, fields.map((field) => field.name));
  }
  return found;
}

/** For each recursive input type, an operation that takes it as `$value` and where it goes inline. */
const operations: Record<string, { variables: string; inline: (value: string) => string }> = {
  PersonFilter: {
    variables: 'query Nested($value: PersonFilter) { people(filter: $value, first: 1) { totalCount } }',
    inline: (value) => `query Nested { people(filter: ${value}, first: 1) { totalCount } }`,
  },
};

/** `depth` levels of `field`, as JSON text (quoted keys) or as a GraphQL literal. */
function nested(type: string, field: string, depth: number, form: 'json' | 'literal'): string {
  const key = form === 'json' ? `"${field}"` : field;
  const list = isListType(getNullableType((schema.getType(type) as GraphQLInputObjectType).getFields()[field]!.type));
  return `{${key}:${list ? '[' : ''}`.repeat(depth) + '{}' + `${list ? ']' : ''}}`.repeat(depth);
}

interface Answer {
  status: number;
  body: { data?: unknown; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

async function send(body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }, url = 'http://test/graphql'): Promise<Answer> {
  const response = await test.app.fetch(url, {
    method: typeof body === 'string' && url.includes('?') ? 'GET' : 'POST',
    headers: { accept: 'application/graphql-response+json', authorization: `Bearer ${acme.apiKey}`, ...headers },
    ...(url.includes('?') ? {} : { body }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

/** The statements sent since the test began, leaving out the API key's lookup. */
function sqlRun(): string[] {
  return test.sql.filter((statement) => !/"ApiKey"/.test(statement));
}

function expectNestingRefused({ status, body }: Answer): void {
  expect(status, JSON.stringify(body).slice(0, 300)).toBe(400);
  expect(body.data).toBeUndefined();
  expect(body.errors).toHaveLength(1);
  expect(body.errors![0]!.message).toMatch(`more than ${maxInputNesting} levels deep`);
  expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'nesting', max: maxInputNesting });
}

/**
 * /healthz is asked every 10 ms while the test runs, through the same event loop as the app; each
 * answer is timed from when it was due, so a request that blocks the loop shows up even if it
 * starts between two health checks. Timed twice: by the clock, and by this thread's own CPU time
 * over the same span. On a machine shared by many processes the clock also counts the time the
 * process waited for a core (measured here: 15 ms of CPU in 200 ms of a busy loop), which no code
 * of the app can change; its CPU time is what blocking the loop costs, and is what is asserted.
 */
let health: { stop(): Promise<{ clockMs: number; cpuMs: number }[]> };

const threadCpuMs = () => {
  const usage = (process as NodeJS.Process & { threadCpuUsage(): NodeJS.CpuUsage }).threadCpuUsage();
  return (usage.user + usage.system) / 1000;
};

function watchHealth(): typeof health {
  const rounds: { clockMs: number; cpuMs: number }[] = [];
  let running = true;
  const loop = (async () => {
    let due = performance.now();
    let cpuAtDue = threadCpuMs();
    while (running) {
      const response = await test.app.fetch('http://test/healthz');
      expect(response.status).toBe(200);
      rounds.push({ clockMs: performance.now() - due, cpuMs: threadCpuMs() - cpuAtDue });
      due = performance.now() + 10;
      cpuAtDue = threadCpuMs();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return rounds;
    },
  };
}

beforeEach(() => {
  health = watchHealth();
  test.sql.length = 0;
});
afterEach(async () => {
  const rounds = await health.stop();
  // Asked for explicitly by issue 22: the process keeps answering /healthz within 100 ms.
  expect(rounds.length).toBeGreaterThan(0);
  const worst = rounds.reduce((a, b) => (b.cpuMs > a.cpuMs ? b : a));
  expect(worst.cpuMs, `worst round: ${JSON.stringify(worst)}`).toBeLessThan(100);
});

const depths = [10_000, 100_000, 1_000_000];

describe('every recursive input type, nested far past the limit', () => {
  it('finds the recursive input types the cases below cover', () => {
    expect(Object.fromEntries(recursiveInputTypes())).toEqual({ PersonFilter: ['and', 'not', 'or'] });
    expect(Object.keys(operations)).toEqual([...recursiveInputTypes().keys()]);
  });

  for (const [type, fields] of recursiveInputTypes()) {
    for (const field of fields) {
      for (const depth of depths) {
        // Prepared before the test's timing starts.
        const variables = `{"query":${JSON.stringify(operations[type]!.variables)},"variables":{"value":${nested(type, field, depth, 'json')}}}`;
        it(`refuses ${type} nested ${depth.toLocaleString('en')} levels through ${field} in variables (${(variables.length / 1e6).toFixed(1)} MB), before any SQL`, async () => {
          expectNestingRefused(await send(variables));
          expect(sqlRun()).toEqual([]);
        });

        const inline = JSON.stringify({ query: operations[type]!.inline(nested(type, field, depth, 'literal')) });
        it(`refuses ${type} nested ${depth.toLocaleString('en')} levels through ${field} inline, at the document's token limit`, async () => {
          const { status, body } = await send(inline);
          expect(status).toBe(400);
          expect(body.errors![0]!.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', kind: 'tokens', max: documentLimits.tokens });
        });
      }

      it(`refuses ${type} nested inline through ${field} past ${maxInputNesting} levels but within the token limit`, async () => {
        expectNestingRefused(await send(JSON.stringify({ query: operations[type]!.inline(nested(type, field, maxInputNesting + 1, 'literal')) })));
        expect(sqlRun()).toEqual([]);
      });
    }
  }
});

describe('nesting anywhere in a request', () => {
  const deepJson = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  for (const depth of depths) {
    const extensions = `{"query":"{ people(first: 1) { totalCount } }","extensions":{"deep":${deepJson(depth)}}}`;
    it(`refuses extensions nested ${depth.toLocaleString('en')} levels`, async () => {
      expectNestingRefused(await send(extensions));
    });

    // A JSON argument (a custom field condition's `eq`) holds any JSON: the same bound applies.
    const json = `{"query":"query Json($value: JSON) { people(filter: { customFields: [{ field: \\"x\\", eq: $value }] }, first: 1) { totalCount } }","variables":{"value":${deepJson(depth)}}}`;
    it(`refuses a JSON variable nested ${depth.toLocaleString('en')} levels`, async () => {
      expectNestingRefused(await send(json));
    });

    // (Past 1 MB a form field is refused by the multipart parser itself.)
    if (depth > 100_000) continue;
    const operationsField = `{"query":${JSON.stringify(operations.PersonFilter!.variables)},"variables":{"value":${nested('PersonFilter', 'not', depth, 'json')}}}`;
    it(`refuses a multipart request whose operations nest ${depth.toLocaleString('en')} levels`, async () => {
      const form = new FormData();
      form.append('operations', operationsField);
      form.append('map', '{}');
      expectNestingRefused(await send(form, {}));
    });
  }

  it('refuses variables nested 10,000 levels in a GET request', async () => {
    const query = encodeURIComponent(operations.PersonFilter!.variables);
    const variables = encodeURIComponent(`{"value":${nested('PersonFilter', 'not', 10_000, 'json')}}`);
    expectNestingRefused(await send('', {}, `http://test/graphql?query=${query}&variables=${variables}`));
  });

  it('does not count brackets inside strings', async () => {
    const brackets = '{['.repeat(100);
    const { status, body } = await send(JSON.stringify({
      query: 'query Search($q: String) { people(filter: { q: $q }, first: 1) { totalCount } }',
      variables: { q: brackets },
    }));
    expect(status).toBe(200);
    expect(body).toEqual({ data: { people: { totalCount: 0 } } });
  });

  it('still runs a filter nested to its own limit (10 PersonFilters, 20 levels of JSON through and)', async () => {
    const { status, body } = await send(`{"query":${JSON.stringify(operations.PersonFilter!.variables)},"variables":{"value":${nested('PersonFilter', 'and', 9, 'json')}}}`);
    expect(status).toBe(200);
    expect(body).toEqual({ data: { people: { totalCount: 0 } } });
  });
});

describe('wide lists', () => {
  for (const width of [10_000, 100_000]) {
    const wide = `{"query":${JSON.stringify(operations.PersonFilter!.variables)},"variables":{"value":{"and":[${Array.from({ length: width }, () => '{}').join(',')}]}}}`;
    it(`refuses an and of ${width.toLocaleString('en')} filters by the list bound, before any SQL`, async () => {
      const { status, body } = await send(wide);
      expect(status).toBe(400);
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', kind: 'items', max: 100 });
      expect(sqlRun()).toEqual([]);
    });
  }

  const wideAndDeep = `{"query":${JSON.stringify(operations.PersonFilter!.variables)},"variables":{"value":{"or":[${Array.from({ length: 1_000 }, () => nested('PersonFilter', 'not', 1_000, 'json')).join(',')}]}}}`;
  it(`refuses an or of 1,000 filters each nested 1,000 levels (${(wideAndDeep.length / 1e6).toFixed(1)} MB)`, async () => {
    expectNestingRefused(await send(wideAndDeep));
  });
});

describe('what is logged', () => {
  it('logs no refusal at warn level or above: they are the client’s mistakes', () => {
    expect(logs.entries.filter((entry) => entry.level === 'error' || entry.level === 'warn')).toEqual([]);
  });
});
