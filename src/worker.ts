import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfigOrExit } from './config/startup';
import { createRootLogger, nestLogger } from './logging/logger';
import { MetricsListener } from './metrics/metrics-listener';
import { WorkerModule } from './worker.module';

/**
 * A worker alone: an application context with no HTTP server, on the worker's module graph (WorkerModule:
 * none of the API's modules are loaded). Stops cleanly on SIGTERM/SIGINT.
 */
async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createRootLogger(config, 1, { batch: true });
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config, { worker: true, migrate: config.database.migrate }), {
    logger: nestLogger(logger),
  });
  app.enableShutdownHooks();
  const metricsUrl = await app.get(MetricsListener).start();
  const metrics = metricsUrl ? `, metrics on ${metricsUrl}` : '';
  new Logger('Main').log(`worker running: queue ${config.queue.connection}, concurrency ${config.queue.concurrency}${metrics}`);
}

void bootstrap();
