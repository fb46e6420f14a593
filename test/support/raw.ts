import { expect } from 'vitest';
import { postRaw, type TestApp, type TestClient } from './app.ts';

/** What lies at a dotted path ("createPerson.person.id", "edges.0.node") of a JSON answer. */
export function pick(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((at, key) => (at == null ? undefined : (at as Record<string, unknown>)[key]), value);
}

/**
 * What a raw request answers: its status and body, errors included (hostile input is sent raw).
 * `Data` is what the test knows of the shape of `data`; an untyped query's data is unknown.
 */
export interface RawResult<Data = unknown> {
  status: number;
  data?: Data | null;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

/**
 * Sends a query with variables as JSON, as a client would, with the client's key. `raw` replaces
 * the placeholder string "__RAW__" in the body with JSON text the test writes itself (a value
 * nested 10,000 deep, which JSON.stringify cannot make).
 */
export async function rawRequest<Data = unknown>(
  test: TestApp,
  client: Pick<TestClient, 'apiKey'>,
  query: string,
  variables: Record<string, unknown> = {},
  raw?: string,
): Promise<RawResult<Data>> {
  let body = JSON.stringify({ query, variables });
  if (raw !== undefined) body = body.replace('"__RAW__"', raw);
  const response = await postRaw(test, body, { authorization: `Bearer ${client.apiKey}` });
  return { status: response.status, ...((await response.json()) as Omit<RawResult<Data>, 'status'>) };
}

/** The request was refused as the client's mistake, never as a masked error; returns its fieldErrors. */
export function expectBadUserInput(result: RawResult): { path: string[]; message: string }[] {
  expect(result.errors, JSON.stringify(result)).toBeDefined();
  for (const error of result.errors!) expect(error.extensions?.code, JSON.stringify(error)).toBe('BAD_USER_INPUT');
  return result.errors!.flatMap((error) => (error.extensions?.fieldErrors as unknown as { path: string[]; message: string }[]) ?? []);
}

/** No error at all, and in particular no masked INTERNAL_SERVER_ERROR. */
export function expectNoErrors(result: RawResult): unknown {
  expect(result.errors, JSON.stringify(result.errors)).toBeUndefined();
  return result.data;
}
