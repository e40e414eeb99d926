import { DynamicModule, Module } from '@nestjs/common';
import { Logger } from 'pino';
import { AiModule } from './ai/ai.module';
import { ClientsModule } from './clients/clients.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { CompanyContextModule } from './company-context/company-context.module';
import { QueueConnectionModule } from './company-context/queue-connection.module';
import { CredentialsModule } from './credentials/credentials.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { DatabaseModule } from './database/database.module';
import { DocsModule } from './docs/docs.module';
import { HealthModule } from './health/health.module';
import { createRootLogger } from './logging/logger';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { SecurityModule } from './security/security.module';

export interface AppModuleOptions {
  /** Whether this process takes jobs. */
  worker: boolean;
  /** Whether pending migrations are applied at start (DB_MIGRATE for the API and workers; never for other commands). */
  migrate: boolean;
  /** The process's root logger (createRootLogger); by default one writing to stdout. */
  logger?: Logger;
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(options.logger ?? createRootLogger(config)),
        DatabaseModule.forRoot({ migrate: options.migrate }),
        SecurityModule,
        AiModule,
        QueueConnectionModule.forRoot(config, { worker: options.worker, jobs: CompanyContextModule }),
        CompanyContextModule,
        ClientsModule,
        CredentialsModule,
        HealthModule,
        DashboardModule,
        MetricsModule,
        DocsModule,
      ],
    };
  }
}
