import { getQueueToken } from '@nestjs/bull';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Queue } from 'bull';
import { __resetOutOfContextForTests } from 'nestjs-pino/PinoLogger';
import Redis from 'ioredis';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { Client } from '../../src/clients/client.entity';
import { AppConfig, loadConfig } from '../../src/config/app-config';
import { COMPANY_CONTEXT_QUEUE } from '../../src/company-context/company-context.job';
import { QueueState } from '../../src/company-context/queue-state.entity';
import { CredentialsAuditEntry } from '../../src/credentials/credentials-audit.entity';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { configureHttp } from '../../src/http/configure-http';
import { createRootLogger, nestLogger } from '../../src/logging/logger';
import { CapturedLogs, testLogDestination } from './captured-logs';
import { documentedRequest } from './documented-responses';
import { REDIS_URL, stackEnvironment } from './stack';

export const TEST_APP_KEY = 'base64:' + Buffer.alloc(32, 7).toString('base64');

/** Settings that keep the suite fast: short backoff and polling; everything else is the product default. */
const FAST = {
  APP_KEY: TEST_APP_KEY,
  QUEUE_BACKOFF_MS: '50',
  QUEUE_POLL_MS: '50',
  AI_TIMEOUT_MS: '5000',
  JOB_TIMEOUT_MS: '10000',
  LOG_LEVEL: 'debug',
  // The lines are read back as JSON (CapturedLogs).
  LOG_FORMAT: 'json',
  RATE_LIMIT: '0',
};

export interface TestApp {
  app: NestExpressApplication;
  /** The environment the app was configured from, for processes that must share its stores (the CLI). */
  env: Record<string, string>;
  /** supertest on the app; every answer is checked against docs/openapi.json (test/support/documented-responses.ts). */
  http: ReturnType<typeof request>;
  config: AppConfig;
  dataSource: DataSource;
  logs: CapturedLogs;
  /** The raw table row, as stored. */
  row(id: number): Promise<Record<string, unknown> | undefined>;
  count(): Promise<number>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  worker?: boolean;
  /** Empty the table and the queue first (default true). */
  reset?: boolean;
}

/** The HTTP application on the current stack, wired exactly as main.ts wires it. */
export async function createTestApp({ env = {}, worker = true, reset = true }: TestAppOptions = {}): Promise<TestApp> {
  const environment = { ...stackEnvironment(), ...FAST, ...env };
  const config = loadConfig(environment);
  if (reset) await emptyStores(config);
  const logs = new CapturedLogs().activate();
  const logger = createRootLogger(config, testLogDestination);
  // nestjs-pino logs lines outside a request with the first logger it was given; make it this app's (its LOG_LEVEL).
  __resetOutOfContextForTests();
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, { worker, migrate: config.database.migrate, logger }),
    {
      bodyParser: false,
      logger: nestLogger(logger),
      abortOnError: false,
    },
  );
  configureHttp(app, config);
  const dataSource = app.get<DataSource>(getDataSourceToken());
  await app.init();
  return {
    app,
    env: environment,
    http: documentedRequest(app.getHttpServer()),
    config,
    dataSource,
    logs,
    row: async (id) => (await dataSource.query('SELECT * FROM autoseo WHERE id = ?', [id]))[0],
    count: () => dataSource.getRepository(Client).count(),
    close: () => app.close(),
  };
}

export function bullQueue(testApp: TestApp): Queue {
  return testApp.app.get<Queue>(getQueueToken(COMPANY_CONTEXT_QUEUE));
}

/** Empties the table and the queue before the application (and its worker) starts. */
async function emptyStores(config: AppConfig): Promise<void> {
  const dataSource = new DataSource(buildDataSourceOptions(config.database));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations();
    await dataSource.getRepository(Client).clear();
    await dataSource.getRepository(QueueState).clear();
    await dataSource.getRepository(CredentialsAuditEntry).clear();
  } finally {
    await dataSource.destroy();
  }
  // The suite's own Redis database, even when a test points the app at an unreachable one.
  if (config.queue.connection === 'redis') await flushRedis(REDIS_URL);
}

async function flushRedis(url: string): Promise<void> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    await redis.flushdb();
  } finally {
    redis.disconnect();
  }
}
