import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { loadConfigOrExit, nestLogLevels } from './config/startup';
import { configureHttp } from './http/configure-http';

async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, { worker: config.queue.runWorker, migrate: config.database.migrate }), {
    bodyParser: false,
    logger: nestLogLevels(config.logLevel),
  });
  configureHttp(app, config);
  await app.listen(config.port);
  const { database, queue } = config;
  new Logger('Main').log(
    `listening on port ${config.port}: database ${database.type}, queue ${queue.connection}, ` +
      (queue.runWorker ? `worker in this process (concurrency ${queue.concurrency})` : 'no worker (RUN_WORKER=false)'),
  );
}

void bootstrap();
