#!/usr/bin/env node
import { Logger, Module } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { AppModule } from './app.module';
import { CommandsModule } from './commands/commands.module';
import { CliError } from './commands/cli-errors';
import { CLI_NAME, exitOnCommanderError } from './commands/command-line-setup';
import { loadConfigOrExit } from './config/startup';
import { createRootLogger, nestLogger } from './logging/logger';

/**
 * Every log line of a command goes to stderr (fd 2): stdout carries the command's own output, which
 * scripts read (`queue:monitor --json | jq`), and must not be mixed with logs.
 */
const LOGS_TO_STDERR = 2;

/** `npm run cli -- <command>` (or the `autoseo` bin). Exit codes: 0 done, 1 the check failed, 2 bad usage. */
async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const working = process.argv[2] === 'queue:work';
  const migrate = working && config.database.migrate;
  // queue:work logs per job, like the API per request: its lines are batched (and written before it stops).
  const logger = createRootLogger(config, LOGS_TO_STDERR, { batch: working });

  @Module({ imports: [AppModule.forRoot(config, { worker: false, migrate, logger }), CommandsModule] })
  class CliModule {}

  await CommandFactory.run(CliModule, {
    logger: nestLogger(logger),
    cliName: CLI_NAME,
    errorHandler: exitOnCommanderError,
    serviceErrorHandler: (error) => {
      if (error instanceof CliError) {
        process.stderr.write(`${error.message}\n`);
        process.exit(error.exitCode);
      }
      new Logger('CLI').error(error.message);
      process.exit(1);
    },
  });
}

void bootstrap();
