import { Command } from 'nest-commander';
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
  protected async execute(args: string[]): Promise<void> {
    if (args.includes('all') && args.length > 1) throw new UsageError('queue:retry takes job ids or "all", not both');
    const ids = args[0] === 'all' ? (await this.queue.failedJobs()).map((job) => job.id) : args;
    if (ids.length === 0) return printLine('No failed jobs to retry.');

    const missing: string[] = [];
    let retried = 0;
    for (const id of ids) {
      const outcome = await this.queue.retryFailed(id);
      if (outcome.result === 'retried') {
        retried += 1;
        printLine(`${id}: queued again as ${outcome.newId}`);
      } else if (outcome.result === 'dropped') {
        printLine(`${id}: not retried, ${outcome.reason}; the failed job was removed`);
      } else {
        missing.push(id);
        printLine(`${id}: no failed job with this id`);
      }
    }
    printLine(`Retried ${retried} of ${ids.length} job(s).`);
    if (missing.length > 0) throw new CheckFailedError(`no failed job with id ${missing.join(', ')} (see queue:failed)`);
  }
}
