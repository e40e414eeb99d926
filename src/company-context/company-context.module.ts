import { BullModule } from '@nestjs/bull';
import { DynamicModule, Module, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AiModule } from '../ai/ai.module';
import { Client } from '../clients/client.entity';
import { AppConfig, QueueConnection } from '../config/app-config';
import { COMPANY_CONTEXT_QUEUE } from './company-context.job';
import { CompanyContextDispatcher } from './company-context.dispatcher';
import { CompanyContextProcessor } from './company-context.processor';
import { CompanyContextState } from './company-context.state';
import { DatabaseQueueDriver } from './drivers/database-queue.driver';
import { BULL_BACKOFF_STRATEGIES, RedisQueueDriver } from './drivers/redis-queue.driver';
import { SyncQueueDriver } from './drivers/sync-queue.driver';
import { JOB_HANDLER, QUEUE_DRIVER, QueueDriver } from './queue-driver';
import { QueueOperations } from './queue-operations';
import { QueueState } from './queue-state.entity';
import { QueueWorker, WORKER_ENABLED } from './queue-worker';
import { RecordQueueStore } from './record-queue.store';

// The one place a queue driver is chosen.
const DRIVERS: Record<QueueConnection, Type<QueueDriver>> = {
  redis: RedisQueueDriver,
  database: DatabaseQueueDriver,
  sync: SyncQueueDriver,
};

function bullModules(config: AppConfig): DynamicModule[] {
  return [
    BullModule.forRoot({
      url: config.queue.redisUrl,
      settings: {
        // A retry waits until the record's retry time; Bull keeps no count of its own.
        backoffStrategies: BULL_BACKOFF_STRATEGIES,
        // A dead worker's job is taken over after about this long (the lock is renewed at half of it).
        lockDuration: config.queue.stalledMs,
        lockRenewTime: config.queue.stalledMs / 2,
        stalledInterval: config.queue.stalledMs,
      },
    }),
    BullModule.registerQueue({
      name: COMPANY_CONTEXT_QUEUE,
      // AI_RATE_LIMIT across every worker: one job start per 60 s / limit.
      ...(config.ai.rateLimit > 0 ? { limiter: { max: 1, duration: Math.ceil(60_000 / config.ai.rateLimit) } } : {}),
    }),
  ];
}

export interface CompanyContextModuleOptions {
  /** Whether this process takes jobs (the API with RUN_WORKER=true, and queue:work). */
  worker: boolean;
}

/** The configured driver, under a token only CompanyContextModule reads: it provides it to the rest as QUEUE_DRIVER. */
const CONFIGURED_DRIVER = Symbol('CONFIGURED_DRIVER');

/**
 * What QUEUE_CONNECTION and the process's role decide: the driver (with Bull for `redis`) and whether this
 * process takes jobs. Imported once, by AppModule. Global as TypeORM's and Bull's roots are: it is configured
 * at start, so the static CompanyContextModule that features import cannot name it; it exports only what
 * CompanyContextModule reads.
 */
@Module({})
export class QueueConnectionModule {
  static forRoot(config: AppConfig, options: CompanyContextModuleOptions): DynamicModule {
    const driver = DRIVERS[config.queue.connection];
    return {
      module: QueueConnectionModule,
      global: true,
      imports: [
        TypeOrmModule.forFeature([QueueState]),
        CompanyContextModule,
        ...(config.queue.connection === 'redis' ? bullModules(config) : []),
      ],
      providers: [driver, { provide: CONFIGURED_DRIVER, useExisting: driver }, { provide: WORKER_ENABLED, useValue: options.worker }],
      exports: [CONFIGURED_DRIVER, WORKER_ENABLED],
    };
  }
}

/** What the company-context job offers the rest of the service (and uses itself). */
const COMPANY_CONTEXT_EXPORTS = [
  CompanyContextState,
  RecordQueueStore,
  CompanyContextProcessor,
  CompanyContextDispatcher,
  QueueWorker,
  QueueOperations,
];

/** The company-context job: its state machine, its processor, dispatching, the worker and the queue's operations. */
@Module({
  imports: [TypeOrmModule.forFeature([Client]), AiModule],
  providers: [
    ...COMPANY_CONTEXT_EXPORTS,
    { provide: QUEUE_DRIVER, useExisting: CONFIGURED_DRIVER },
    { provide: JOB_HANDLER, useExisting: CompanyContextProcessor },
  ],
  exports: [...COMPANY_CONTEXT_EXPORTS, QUEUE_DRIVER, JOB_HANDLER],
})
export class CompanyContextModule {}
