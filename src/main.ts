import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { loadConfigOrExit } from './config/startup';
import { configureHttp } from './http/configure-http';
import { createRootLogger, nestLogger } from './logging/logger';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createRootLogger(config, 1, { batch: true });
  const { runWorker: worker } = config.queue;
  const appModule = AppModule.forRoot(config, { worker, migrate: config.database.migrate, logger });
  const app = await NestFactory.create<NestExpressApplication>(appModule, { bodyParser: false, logger: nestLogger(logger) });
  configureHttp(app, config);
  // SIGTERM/SIGINT close the app: the worker finishes its job in flight and the queue closes cleanly.
  app.enableShutdownHooks();
  await app.listen(config.port);
  const { database, queue } = config;
  new Logger('Main').log(
    `listening on port ${config.port}: database ${database.type}, queue ${queue.connection}, ` +
      (queue.runWorker ? `worker in this process (concurrency ${queue.concurrency})` : 'no worker (RUN_WORKER=false)'),
  );
}

void bootstrap();
