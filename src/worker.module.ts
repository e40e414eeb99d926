import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CompanyContextModule } from './company-context/company-context.module';
import { QueueConnectionModule } from './company-context/queue-connection.module';
import { DatabaseModule } from './database/database.module';
import { MetricsCollectionModule } from './metrics/metrics-collection.module';

export interface WorkerModuleOptions {
  /** Whether the worker takes jobs from its start (worker.ts), or when told to (queue:work, with its options). */
  worker: boolean;
  /** Whether pending migrations are applied at start (DB_MIGRATE). */
  migrate: boolean;
}

/**
 * A dedicated worker's application (worker.ts, `queue:work`): what running jobs needs and nothing else:
 * the configuration, the database, the queue driver, the job (processor, AI client) and the metrics
 * listener. None of the API's modules, nor the files behind them (controllers, dashboard, Swagger and the
 * OpenAPI builder, HTTP set-up, health checks, rate limit): a worker's live heap is what V8 has to walk at
 * each collection and what its RSS grows from while it drains (README, "Memory"). Logs go through the
 * logger given to NestFactory, as in the API; the request-logging module is the API's.
 */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig, options: WorkerModuleOptions): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule.forRoot({ migrate: options.migrate }),
        QueueConnectionModule.forRoot(config, { worker: options.worker, jobs: CompanyContextModule }),
        CompanyContextModule,
        MetricsCollectionModule,
      ],
    };
  }
}
