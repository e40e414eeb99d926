import { Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { MigrationRunner } from './migration-runner';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        ...buildDataSourceOptions(config.database),
        // Keep retrying at start-up briefly, then fail with the driver's message.
        retryAttempts: 3,
        retryDelay: 1_000,
      }),
    }),
  ],
  providers: [MigrationRunner],
  exports: [MigrationRunner],
})
export class DatabaseModule implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly migrations: MigrationRunner,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.database.migrate) await this.migrations.run();
  }
}
