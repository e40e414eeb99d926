import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';

const LOCK_NAME = 'autoseo_migrations';
const LOCK_WAIT_SECONDS = 60;

/** Applies pending migrations; on MySQL under a named lock, so an API and workers starting together do not race. */
@Injectable()
export class MigrationRunner {
  private readonly logger = new Logger('Database');

  constructor(private readonly dataSource: DataSource) {}

  async run(): Promise<string[]> {
    if (this.dataSource.options.type !== 'mysql') return this.apply();
    const lockHolder = this.dataSource.createQueryRunner();
    try {
      const [row] = (await lockHolder.query('SELECT GET_LOCK(?, ?) AS acquired', [LOCK_NAME, LOCK_WAIT_SECONDS])) as {
        acquired: unknown;
      }[];
      if (Number(row.acquired) !== 1) {
        throw new Error(`Could not get the migration lock within ${LOCK_WAIT_SECONDS} s: is another process migrating?`);
      }
      return await this.apply();
    } finally {
      await lockHolder.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME]).catch(() => undefined);
      await lockHolder.release();
    }
  }

  private async apply(): Promise<string[]> {
    const applied = await this.dataSource.runMigrations({ transaction: 'each' });
    const names = applied.map((migration) => migration.name);
    if (names.length > 0) this.logger.log(`applied ${names.length} migration(s): ${names.join(', ')}`);
    else this.logger.log('database schema is up to date');
    return names;
  }
}
