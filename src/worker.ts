import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { loadConfigOrExit, nestLogLevels } from './config/startup';

/** A worker alone: an application context with no HTTP server. Stops cleanly on SIGTERM/SIGINT. */
async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config, { worker: true, migrate: config.database.migrate }), {
    logger: nestLogLevels(config.logLevel),
  });
  app.enableShutdownHooks();
  new Logger('Main').log(`worker running: queue ${config.queue.connection}, concurrency ${config.queue.concurrency}`);
}

void bootstrap();
