import { Command, Option } from 'nest-commander';
import { CheckFailedError } from './cli-errors';
import { formatDuration, printJson, printTable } from './output';
import { parseCount } from './parse-options';
import { QueueCommand } from './queue-command';

type MonitorOptions = {
  max?: number;
  maxWait?: number;
  json?: boolean;
};

@Command({
  name: 'queue:monitor',
  description:
    'Show jobs per state and how long the oldest has waited; ' +
    'exit 1 when more than --max are waiting or one has waited over --max-wait seconds',
})
export class QueueMonitorCommand extends QueueCommand<MonitorOptions> {
  protected async execute(_args: string[], options: MonitorOptions): Promise<void> {
    const status = await this.queue.status();
    if (options.json) {
      printJson({ queue: this.config.queue.connection, ...status, max: options.max ?? null, maxWait: options.maxWait ?? null });
    } else {
      printTable(
        ['queue', 'state', 'waiting', 'active', 'delayed', 'failed', 'oldest waiting'],
        [
          [
            this.config.queue.connection,
            status.paused ? 'paused' : 'running',
            String(status.waiting),
            String(status.active),
            String(status.delayed),
            String(status.failed),
            status.oldestWaitingMs === null ? '-' : formatDuration(status.oldestWaitingMs),
          ],
        ],
      );
    }
    const problems: string[] = [];
    if (options.max !== undefined && status.waiting > options.max) {
      problems.push(`${status.waiting} jobs waiting, more than --max ${options.max}`);
    }
    // Horizon's long-wait alert: a queue can be short and still stuck (no worker, the AI down, paused).
    if (options.maxWait !== undefined && status.oldestWaitingMs !== null && status.oldestWaitingMs > options.maxWait * 1000) {
      problems.push(
        `the oldest waiting job has waited ${formatDuration(status.oldestWaitingMs)}, more than --max-wait ${options.maxWait} s`,
      );
    }
    if (problems.length > 0) throw new CheckFailedError(problems.join('; '));
  }

  @Option({ flags: '--max <n>', description: 'exit 1 when more jobs than this are waiting' })
  parseMax(value: string): number {
    return parseCount('--max', value, 0);
  }

  @Option({ flags: '--max-wait <seconds>', description: 'exit 1 when the oldest waiting job has waited longer than this' })
  parseMaxWait(value: string): number {
    return parseCount('--max-wait', value, 0);
  }

  @Option({ flags: '--json', description: 'print JSON for scripts' })
  parseJson(): boolean {
    return true;
  }
}
