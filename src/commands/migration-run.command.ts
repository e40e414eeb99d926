import { Command, CommandRunner } from 'nest-commander';
import { MigrationRunner } from '../database/migration-runner';

@Command({ name: 'migration:run', description: 'Apply the pending database migrations' })
export class MigrationRunCommand extends CommandRunner {
  constructor(private readonly migrations: MigrationRunner) {
    super();
  }

  async run(): Promise<void> {
    const applied = await this.migrations.run();
    process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : 'Nothing to migrate: the schema is up to date.\n');
  }
}
