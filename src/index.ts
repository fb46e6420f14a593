import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { cancelGraceMs, startServer } from './server.ts';

const config = loadConfig();
const log = createLogger(config.logLevel);

/**
 * Beyond the shutdown's own bounds (the timeout, the cancel grace, closing the database), the
 * process exits anyway: a shutdown always ends.
 */
const watchdogMs = config.shutdownTimeoutMs + cancelGraceMs + 10_000;

try {
  // Loaded only when asked for: without a collector, none of the OpenTelemetry SDK is imported.
  const tracing = config.otelEndpoint
    ? (await import('./telemetry/tracing.ts')).startTracing({ endpoint: config.otelEndpoint, serviceName: config.otelServiceName })
    : undefined;
  const server = await startServer(config, log, tracing);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.info('signal received', { signal });
      setTimeout(() => {
        log.error('shutdown did not finish in time: exiting anyway', { watchdogMs });
        process.exit(1);
      }, watchdogMs).unref();
      server.stop().then(
        () => process.exit(0),
        (error: unknown) => {
          log.error('shutdown failed', { error });
          process.exit(1);
        },
      );
    });
  }
} catch (error) {
  log.error('server failed to start', { error });
  process.exit(1);
}
