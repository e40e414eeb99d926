import { DynamicModule, Inject, Module, OnModuleInit } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { buildDataSourceOptions } from './data-source-options';
import { MigrationRunner } from './migration-runner';

const MIGRATE_AT_START = Symbol('MIGRATE_AT_START');

/** Applying the migrations: at start (DatabaseModule) and by `migration:run`. */
@Module({
  providers: [MigrationRunner],
  exports: [MigrationRunner],
})
export class MigrationsModule {}

/**
 * The connection, imported once by the application. Its DataSource and the repositories of
 * TypeOrmModule.forFeature reach every module through TypeORM's own (global) core module.
 */
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
    MigrationsModule,
  ],
})
export class DatabaseModule implements OnModuleInit {
  /** `migrate`: apply pending migrations while the application starts, before any worker runs. */
  static forRoot(options: { migrate: boolean }): DynamicModule {
    return { module: DatabaseModule, providers: [{ provide: MIGRATE_AT_START, useValue: options.migrate }] };
  }

  constructor(
    @Inject(MIGRATE_AT_START) private readonly migrateAtStart: boolean,
    private readonly migrations: MigrationRunner,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.migrateAtStart) await this.migrations.run();
  }
}
