import { Command, Option } from 'nest-commander';
import { createInterface } from 'node:readline/promises';
import { UsageError } from './cli-errors';
import { printLine } from './output';
import { QueueCommand } from './queue-command';

type ClearOptions = {
  force?: boolean;
};

@Command({
  name: 'queue:clear',
  description: 'Delete the jobs not yet running (waiting and delayed); their records are marked failed, not processed',
})
export class QueueClearCommand extends QueueCommand<ClearOptions> {
  protected async execute(_args: string[], options: ClearOptions): Promise<void> {
    const { waiting, delayed } = await this.queue.status();
    if (waiting + delayed === 0) return printLine('No waiting jobs.');
    if (!options.force && !(await this.confirm(`Delete ${waiting + delayed} waiting job(s)? [y/N] `))) {
      return printLine('Nothing deleted.');
    }
    const deleted = await this.queue.clearWaiting();
    printLine(`Deleted ${deleted} waiting job(s). Their records are failed; reprocess one with POST /clients/:id/context/reprocess.`);
  }

  private async confirm(question: string): Promise<boolean> {
    if (!process.stdin.isTTY) throw new UsageError('queue:clear deletes jobs: pass --force to confirm when no one can answer the question');
    const prompt = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return /^y(es)?$/i.test((await prompt.question(question)).trim());
    } finally {
      prompt.close();
    }
  }

  @Option({ flags: '--force', description: 'do not ask for confirmation' })
  parseForce(): boolean {
    return true;
  }
}
