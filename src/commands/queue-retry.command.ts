import { Command } from 'nest-commander';
import { QueueOperations } from '../company-context/queue-operations';
import { CheckFailedError, UsageError } from './cli-errors';
import { printLine } from './output';
import { QueueCommand } from './queue-command';

@Command({
  name: 'queue:retry',
  arguments: '<ids...>',
  description: 'Put failed jobs back, each as a fresh job with all its attempts ("all" for every failed job)',
  argsDescription: { ids: 'failed job ids as queue:failed lists them (client-<id>-v<version>), or "all"' },
})
export class QueueRetryCommand extends QueueCommand {
  constructor(private readonly operations: QueueOperations) {
    super();
  }

  protected async execute(args: string[]): Promise<void> {
    if (args.includes('all') && args.length > 1) throw new UsageError('queue:retry takes job ids or "all", not both');
    const report = await this.operations.retry(args[0] === 'all' ? 'all' : args);
    for (const line of report.lines) printLine(line);
    printLine(report.summary);
    if (report.missing.length > 0) throw new CheckFailedError(`no failed job with id ${report.missing.join(', ')} (see queue:failed)`);
  }
}
