import { Command, CommandRunner, Option } from 'nest-commander';
import { AppConfig } from '../config/app-config';
import { QueueWorker } from '../context/queue-worker';
import { UsageError } from './usage-error';

interface WorkOptions {
  concurrency?: number;
}

/** Waits for SIGTERM or SIGINT; the caller then closes the application, which lets the jobs in flight finish. */
function untilStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolve(signal);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

@Command({ name: 'queue:work', description: 'Run a worker (no HTTP server) until SIGTERM or SIGINT' })
export class QueueWorkCommand extends CommandRunner {
  constructor(
    private readonly worker: QueueWorker,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async run(_args: string[], options: WorkOptions): Promise<void> {
    if (this.config.queue.connection === 'sync') {
      throw new UsageError('QUEUE_CONNECTION=sync has no queue: jobs run inside the process that dispatches them');
    }
    await this.worker.start(options.concurrency);
    const signal = await untilStopSignal();
    await this.worker.stop(signal);
  }

  @Option({ flags: '--concurrency <n>', description: 'jobs in flight at once (default QUEUE_CONCURRENCY)' })
  parseConcurrency(value: string): number {
    const concurrency = Number(value);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) {
      throw new UsageError(`--concurrency must be a whole number from 1 to 256 (got "${value}")`);
    }
    return concurrency;
  }
}
