import { Command } from 'nest-commander';
import { printLine } from './output';
import { QueueCommand } from './queue-command';

@Command({ name: 'queue:reconcile', description: 'Queue every record left pending or processing without a job' })
export class QueueReconcileCommand extends QueueCommand {
  protected async execute(): Promise<void> {
    if (!this.queue.capabilities.separateJobStore) {
      return printLine(`Nothing to reconcile: with QUEUE_CONNECTION=${this.queue.name} the pending records are the queue.`);
    }
    const queued = await this.queue.reconcile();
    printLine(`Queued ${queued} record(s) that had no job.`);
  }
}
