#!/usr/bin/env node
import { DynamicModule, Logger, Module, Type } from '@nestjs/common';
import { Logger as PinoLogger } from 'pino';
import { CommandFactory } from 'nest-commander';
import { CliError } from './commands/cli-errors';
import { CLI_NAME, exitOnCommanderError } from './commands/command-line-setup';
import { isQueueCommand } from './commands/queue-commands.module';
import { AppConfig } from './config/app-config';
import { loadConfigOrExit } from './config/startup';
import { createRootLogger, nestLogger } from './logging/logger';

/**
 * Every log line of a command goes to stderr (fd 2): stdout carries the command's own output, which
 * scripts read (`queue:monitor --json | jq`), and must not be mixed with logs.
 */
const LOGS_TO_STDERR = 2;

/**
 * The modules a command line needs. The queue commands but queue:work (a cron's `queue:monitor`, a
 * deploy's `queue:reconcile`) get the configuration, the database and the queue driver only: no HTTP
 * stack, Swagger, dashboard, credentials, metrics, AI client, nor (on the `database` driver) Bull, whose
 * modules they would load and build for nothing (see bench/RESULTS.md, "Scale"). queue:work gets the
 * worker's graph (WorkerModule, as worker.ts): a worker's live heap is part of its RSS. Every other command
 * line (the other commands, --help) gets the whole application. Modules are required here, not at the
 * top, so that a command never loads what it does not use.
 */
async function commandModules(command: string | undefined, config: AppConfig, migrate: boolean, logger: PinoLogger) {
  if (isQueueCommand(command)) {
    const [{ ConfigModule }, { DatabaseModule }, { QueueConnectionModule }, { QueueCommandsModule }] = await Promise.all([
      import('./config/config.module'),
      import('./database/database.module'),
      import('./company-context/queue-connection.module'),
      import('./commands/queue-commands.module'),
    ]);
    const modules: (DynamicModule | Type | Promise<DynamicModule>)[] = [
      ConfigModule.forRoot(config),
      DatabaseModule.forRoot({ migrate: false }),
      QueueConnectionModule.forRoot(config, { worker: false }),
      QueueCommandsModule,
    ];
    return modules;
  }
  if (command === 'queue:work') {
    const [{ WorkerModule }, { QueueWorkModule }] = await Promise.all([import('./worker.module'), import('./commands/queue-work.module')]);
    // The command starts the worker itself, with its own --concurrency.
    return [WorkerModule.forRoot(config, { worker: false, migrate }), QueueWorkModule];
  }
  const [{ AppModule }, { CommandsModule }] = await Promise.all([import('./app.module'), import('./commands/commands.module')]);
  return [AppModule.forRoot(config, { worker: false, migrate, logger }), CommandsModule];
}

/** `npm run cli -- <command>` (or the `autoseo` bin). Exit codes: 0 done, 1 the check failed, 2 bad usage. */
async function bootstrap(): Promise<void> {
  const config = loadConfigOrExit();
  const working = process.argv[2] === 'queue:work';
  const migrate = working && config.database.migrate;
  // queue:work logs per job, like the API per request: its lines are batched (and written before it stops).
  const logger = createRootLogger(config, LOGS_TO_STDERR, { batch: working });

  @Module({ imports: await commandModules(process.argv[2], config, migrate, logger) })
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
