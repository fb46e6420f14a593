import { useOpenTelemetry } from '@envelop/opentelemetry';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { PrismaInstrumentation } from '@prisma/instrumentation';
import type { Plugin } from 'graphql-yoga';

/**
 * OpenTelemetry tracing, on when OTEL_EXPORTER_OTLP_ENDPOINT is set. This module is imported
 * only then (see src/index.ts), so that without it none of the SDK is even loaded.
 */
export interface Tracing {
  /** The yoga plugin that opens a span per operation (`query.FirstPeople`). */
  plugin: Plugin;
  /** Sends the spans still buffered (at shutdown; tests call it before reading the receiver). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** The collector's base URL (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to <endpoint>/v1/traces. */
  endpoint: string;
  serviceName?: string;
}

/**
 * Spans go to the collector as OTLP over HTTP with JSON bodies, in batches. Beneath each
 * operation's span, Prisma's instrumentation adds its own: `prisma:client:operation` per
 * Prisma call and `prisma:client:db_query` per SQL statement (its text in `db.query.text`,
 * never its values). Variables, results and documents with inline arguments are never recorded:
 * they can carry personal data.
 */
export function startTracing({ endpoint, serviceName = 'people-gateway' }: TracingOptions): Tracing {
  const exporter = new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, '')}/v1/traces` });
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  // Global: Prisma's instrumentation finds the provider, and the context of the operation's span
  // follows the resolvers' awaits into Prisma (AsyncLocalStorage), so SQL spans are its children.
  provider.register();
  const prisma = new PrismaInstrumentation();
  prisma.setTracerProvider(provider);
  prisma.enable();
  return {
    plugin: useOpenTelemetry({ resolvers: false, variables: false, result: false, document: true }, provider) as Plugin,
    flush: () => provider.forceFlush(),
    async shutdown() {
      prisma.disable();
      await provider.shutdown();
    },
  };
}
