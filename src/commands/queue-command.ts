import { Inject } from '@nestjs/common';
import { CommandRunner } from 'nest-commander';
import { AppConfig } from '../config/app-config';
import { NoQueueError, QUEUE_DRIVER, QueueDriver } from '../company-context/queue-driver';
import { UsageError } from './cli-errors';

/** A queue:* command: works on the configured driver, and says plainly that `sync` has no queue. */
export abstract class QueueCommand<Options extends Record<string, unknown> = Record<string, unknown>> extends CommandRunner {
  @Inject(QUEUE_DRIVER) protected readonly queue: QueueDriver;
  @Inject(AppConfig) protected readonly config: AppConfig;

  async run(args: string[], options: Record<string, unknown> = {}): Promise<void> {
    if (!this.queue.capabilities.operable) throw new UsageError(new NoQueueError().message);
    await this.execute(args, options as Options);
  }

  protected abstract execute(args: string[], options: Options): Promise<void>;
}
