import { DynamicModule, Module, Type } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from '../clients/client.entity';
import { AppConfig, QueueConnection } from '../config/app-config';
import { CompanyContextState } from './company-context.state';
import { JOB_HANDLER, JobHandler, QUEUE_DRIVER, QueueDriver, WORKER_ENABLED } from './queue-driver';
import { QueueOperations } from './queue-operations';
import { QueueState } from './queue-state.entity';
import { RecordQueueStore } from './record-queue.store';

/** What a QUEUE_CONNECTION needs: its driver and the modules the driver injects from (Bull's, for `redis`). */
interface DriverSetup {
  driver: Type<QueueDriver>;
  imports: DynamicModule[];
}

/**
 * The one place a queue driver is chosen. Each is loaded when chosen, not before: a process on the
 * `database` driver never loads Bull and ioredis (a quarter of a `queue:monitor`'s start-up).
 */
const DRIVERS: Record<QueueConnection, (config: AppConfig) => Promise<DriverSetup>> = {
  redis: async (config) => {
    const { RedisQueueDriver, bullModules } = await import('./drivers/redis-queue.driver');
    return { driver: RedisQueueDriver, imports: bullModules(config) };
  },
  database: async () => ({ driver: (await import('./drivers/database-queue.driver')).DatabaseQueueDriver, imports: [] }),
  sync: async () => ({ driver: (await import('./drivers/sync-queue.driver')).SyncQueueDriver, imports: [] }),
};

/** The handler of a process that runs no job (the queue:* commands but queue:work): no driver calls it there. */
const NO_JOBS: JobHandler = {
  process: () => Promise.reject(new Error('this process runs no jobs')),
  attempt: () => Promise.reject(new Error('this process runs no jobs')),
};

export interface QueueConnectionOptions {
  /** Whether this process takes jobs from its start (the API with RUN_WORKER=true, worker.ts). */
  worker: boolean;
  /**
   * The module that runs jobs and exports JOB_HANDLER: CompanyContextModule, with the AI client. The queue:*
   * commands that only look at or change the queue leave it out, and load neither it nor the AI client.
   */
  jobs?: Type;
}

/** The configured driver, under a token only QueueOperationsModule reads: it provides it to the rest as QUEUE_DRIVER. */
const CONFIGURED_DRIVER = Symbol('CONFIGURED_DRIVER');

/**
 * What QUEUE_CONNECTION and the process's role decide: the driver (with Bull for `redis`), what it hands jobs
 * to, and whether this process takes jobs. Imported once, by the root module (AppModule, WorkerModule, the
 * queue commands' graph in cli.ts). Global as TypeORM's and Bull's roots are: it is configured at start, so
 * the static modules that features import cannot name it; it exports only what QueueOperationsModule and
 * the worker read. Resolves once the chosen driver's file is loaded (Nest awaits a module given as a promise).
 */
@Module({})
export class QueueConnectionModule {
  static async forRoot(config: AppConfig, options: QueueConnectionOptions): Promise<DynamicModule> {
    const { driver, imports } = await DRIVERS[config.queue.connection](config);
    return {
      module: QueueConnectionModule,
      global: true,
      imports: [TypeOrmModule.forFeature([QueueState]), QueueOperationsModule, ...(options.jobs ? [options.jobs] : []), ...imports],
      providers: [
        driver,
        { provide: CONFIGURED_DRIVER, useExisting: driver },
        { provide: WORKER_ENABLED, useValue: options.worker },
        ...(options.jobs ? [] : [{ provide: JOB_HANDLER, useValue: NO_JOBS }]),
      ],
      exports: [CONFIGURED_DRIVER, WORKER_ENABLED],
    };
  }
}

/** What operating the queue needs, and all the queue:* commands but queue:work use. */
const QUEUE_OPERATIONS_EXPORTS = [CompanyContextState, RecordQueueStore, QueueOperations];

/**
 * The queue without the jobs' work: the configured driver (QUEUE_DRIVER), the records read as a queue and
 * their state machine, and the operator's operations (retry, forget, clear, pause). No AI client.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Client])],
  providers: [...QUEUE_OPERATIONS_EXPORTS, { provide: QUEUE_DRIVER, useExisting: CONFIGURED_DRIVER }],
  exports: [...QUEUE_OPERATIONS_EXPORTS, QUEUE_DRIVER],
})
export class QueueOperationsModule {}
