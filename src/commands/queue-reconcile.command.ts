import { Command } from 'nest-commander';
import { printLine } from './output';
import { QueueCommand } from './queue-command';

@Command({ name: 'queue:reconcile', description: 'Queue every record left pending or processing without a job' })
export class QueueReconcileCommand extends QueueCommand {
  protected async execute(): Promise<void> {
    if (this.config.queue.connection === 'database') {
      return printLine('Nothing to reconcile: with QUEUE_CONNECTION=database the pending records are the queue.');
    }
    const queued = await this.queue.reconcile();
    printLine(`Queued ${queued} record(s) that had no job.`);
  }
}
