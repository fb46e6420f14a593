import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../../src/telemetry/tracing.ts';
import { createApp } from '../../src/yoga.ts';
import { graphql } from '../generated/gql.ts';
import { createOrgClient, createTestApp, type TestApp, type TestClient } from '../support/app.ts';
import { captureLogs } from '../support/log-capture.ts';
import { type OtlpCollector, startOtlpCollector } from '../support/otlp-collector.ts';

const TracedPeople = graphql(`
  query TracedPeople { people(first: 3) { totalCount edges { node { id familyName } } } }
`);

let test: TestApp;
let acme: TestClient;
let receiver: OtlpCollector;
let tracing: Tracing;

beforeAll(async () => {
  test = await createTestApp();
  acme = await createOrgClient(test);
  receiver = await startOtlpCollector();
  tracing = startTracing({ endpoint: receiver.endpoint });
});
afterAll(async () => {
  await tracing?.shutdown();
  receiver?.server.close();
  await test?.close();
});

describe('OpenTelemetry tracing', () => {
  it('exports a span for the operation and one for each of its SQL statements, in one trace', async () => {
    const app = createApp({ prisma: test.prisma, log: captureLogs('error').log, dbSchema: test.schema, tracing });
    const send = () =>
      app.fetch('http://test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${acme.apiKey}` },
        body: JSON.stringify({ query: print(TracedPeople) }),
      });
    // The first request looks its key up, before the operation (a trace of its own); the key is
    // then cached, so that every statement of the second belongs to its operation.
    expect((await send()).status).toBe(200);
    await tracing.flush();
    receiver.spans.length = 0;
    test.sql.length = 0;
    expect((await send()).status).toBe(200);
    const statements = test.sql.length;
    // One with the compiled read path (src/compiled-reads), more through the resolvers.
    expect(statements).toBeGreaterThanOrEqual(1);
    await tracing.flush();

    expect(receiver.paths[0]).toBe('POST /v1/traces application/json');
    const operation = receiver.spans.find((span) => span.name === 'query.TracedPeople');
    expect(operation).toBeDefined();
    const inTrace = receiver.spans.filter((span) => span.traceId === operation!.traceId);
    expect(inTrace.some((span) => span.name === 'prisma:client:operation')).toBe(true);
    const sql = inTrace.filter((span) => span.name === 'prisma:client:db_query');
    expect(sql).toHaveLength(statements);
    const texts = sql.map((span) => span.attributes.find((attribute) => attribute.key === 'db.query.text')?.value.stringValue ?? '');
    expect(texts.some((text) => /SELECT .* FROM .*"Person"/s.test(text))).toBe(true);
    // Each statement hangs under the operation (through Prisma's operation span).
    const byId = new Map(inTrace.map((span) => [span.spanId, span]));
    for (const span of sql) {
      let parent = span.parentSpanId ? byId.get(span.parentSpanId) : undefined;
      while (parent && parent !== operation) parent = parent.parentSpanId ? byId.get(parent.parentSpanId) : undefined;
      expect(parent).toBe(operation);
    }
    // The API key never travels with the spans.
    expect(JSON.stringify(receiver.spans)).not.toContain(acme.apiKey);
  });
});
