#!/usr/bin/env node
import { Logger, Module } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { AppModule } from './app.module';
import { CommandsModule } from './commands/commands.module';
import { UsageError } from './commands/usage-error';
import { loadConfigOrExit, nestLogLevels } from './config/startup';

/** `npm run cli -- <command>` (or the `autoseo` bin). Exit codes: 0 done, 1 the check failed, 2 bad usage. */
async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const migrate = process.argv[2] === 'queue:work' && config.database.migrate;

  @Module({ imports: [AppModule.forRoot(config, { worker: false, migrate }), CommandsModule] })
  class CliModule {}

  await CommandFactory.run(CliModule, {
    logger: nestLogLevels(config.logLevel),
    cliName: 'autoseo',
    errorHandler: (error) => {
      // Commander's own errors (unknown command or option) and --help/--version.
      const code = (error as { code?: string }).code ?? '';
      if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') process.exit(0);
      process.exit(2);
    },
    serviceErrorHandler: (error) => {
      if (error instanceof UsageError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(error.exitCode);
      }
      new Logger('CLI').error(error.message);
      process.exit(1);
    },
  });
}

void bootstrap();
