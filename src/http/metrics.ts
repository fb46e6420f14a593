import { createHash, timingSafeEqual } from 'node:crypto';
import { createCounter, usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { Counter, Gauge, Histogram, type Metric, Registry } from 'prom-client';
import { onStatement, poolOf, type PrismaClient } from '../db/prisma.ts';

export const metricsPath = '/metrics';

export interface MetricsOptions {
  prisma: PrismaClient;
  /** When set, GET /metrics needs `Authorization: Bearer <token>` (METRICS_TOKEN). */
  token?: string;
  /** Metrics of the layers above the transport (the compiled reads' fallbacks), served here too. */
  metrics?: readonly Metric[];
}

/**
 * Prometheus metrics at GET /metrics, in a registry of this app's own (tests build several apps
 * in one process): yoga's and envelop's request, HTTP, parse, validate, context and execute
 * durations and counts, errors by code, the pg pool's connections and the SQL statements sent.
 * Operation names are labels; organisation ids and variables never are (unbounded, and private).
 */
export function useMetrics({ prisma, token, metrics = [] }: MetricsOptions): Plugin[] {
  const registry = new Registry();
  for (const metric of metrics) registry.registerMetric(metric);
  registerDatabaseMetrics(registry, prisma);
  registerMemoryMetrics(registry);
  return [
    useMetricsToken(token),
    usePrometheus({
      registry,
      endpoint: metricsPath,
      // Introspection (GraphiQL, a gateway composing) is not traffic.
      skipIntrospection: true,
      metrics: {
        graphql_envelop_error_result: createCounter({
          registry,
          counter: {
            name: 'graphql_errors_total',
            help: 'GraphQL errors in responses, by code (extensions.code) and phase',
            labelNames: ['operationName', 'phase', 'code'],
          },
          fillLabelsFn: ({ operationName, error, errorPhase }) => ({
            operationName: operationName ?? '',
            phase: errorPhase,
            code: errorCode(error, errorPhase),
          }),
        }),
        // One series per resolver would be costly and unbounded by page size; off.
        graphql_envelop_execute_resolver: false,
        // It walks every operation's document with type info on every request, looking for
        // deprecated fields (0.7 % of the CPU of a nested page of 50): the schema has none. Turn
        // it back on with the first @deprecated.
        graphql_envelop_deprecated_field: false,
        // A summary cannot be aggregated across instances; the histograms can.
        graphql_envelop_request_time_summary: false,
      },
      labels: { method: true, statusCode: true, url: false },
    }),
  ];
}

function errorCode(error: unknown, phase: string): string {
  const code = (error as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
  if (typeof code === 'string') return code;
  if (phase === 'parse') return 'GRAPHQL_PARSE_FAILED';
  if (phase === 'validate') return 'GRAPHQL_VALIDATION_FAILED';
  return 'INTERNAL_SERVER_ERROR';
}

/**
 * The process's memory, under prom-client's default metrics' names. Not collectDefaultMetrics
 * itself: it starts an event-loop monitor and a GC observer for each registry, and tests build
 * many apps in one process. These gauges cost nothing until a scrape reads them.
 */
function registerMemoryMetrics(registry: Registry): void {
  const gauge = (name: string, help: string, read: (usage: NodeJS.MemoryUsage) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(process.memoryUsage()));
      },
    });
  gauge('process_resident_memory_bytes', 'Resident memory size in bytes', (usage) => usage.rss);
  gauge('nodejs_heap_size_used_bytes', 'V8 heap used, in bytes', (usage) => usage.heapUsed);
  gauge('nodejs_heap_size_total_bytes', 'V8 heap committed, in bytes', (usage) => usage.heapTotal);
  gauge('nodejs_external_memory_bytes', 'Memory of C++ objects bound to JavaScript objects (Buffers, WebAssembly), in bytes', (usage) => usage.external);
}

function registerDatabaseMetrics(registry: Registry, prisma: PrismaClient): void {
  const pool = poolOf(prisma);
  // A client derived by $extends (tests wrap theirs so) has neither a pool nor a statement hook
  // of its own: no database series for it.
  if (!pool) return;
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('pg_pool_connections', 'Connections the pg pool holds open, in use or idle', () => pool.totalCount);
  gauge('pg_pool_idle_connections', 'Open connections waiting for a statement', () => pool.idleCount);
  gauge('pg_pool_waiting_requests', 'Statements waiting for a free connection', () => pool.waitingCount);
  const statements = new Counter({ name: 'prisma_statements_total', help: 'SQL statements Prisma sent', registers: [registry] });
  const durations = new Histogram({
    name: 'prisma_statement_duration_seconds',
    help: 'How long each SQL statement took, as Prisma measured it',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  onStatement(prisma, ({ durationMs }) => {
    statements.inc();
    durations.observe(durationMs / 1000);
  });
}

/**
 * Without METRICS_TOKEN, /metrics is open (keep the port inside the network, as with any
 * scrape target); with it, a scrape must send it as a Bearer token, or gets 401.
 */
function useMetricsToken(token: string | undefined): Plugin {
  if (!token) return {};
  const expected = digest(token);
  return {
    onRequest({ request, url, endResponse, fetchAPI }) {
      if (url.pathname !== metricsPath) return;
      const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];
      // Compared as digests, in constant time: the token's length and prefix do not leak.
      if (given !== undefined && timingSafeEqual(digest(given), expected)) return;
      endResponse(new fetchAPI.Response('Unauthorized: send Authorization: Bearer <METRICS_TOKEN>.\n', { status: 401, headers: { 'www-authenticate': 'Bearer' } }));
    },
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
