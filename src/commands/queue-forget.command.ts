import { Command } from 'nest-commander';
import { QueueOperations } from '../company-context/queue-operations';
import { CheckFailedError } from './cli-errors';
import { printLine } from './output';
import { QueueCommand } from './queue-command';

@Command({
  name: 'queue:forget',
  arguments: '<id>',
  description: 'Delete one failed job (its record stays failed)',
  argsDescription: { id: 'a failed job id as queue:failed lists it' },
})
export class QueueForgetCommand extends QueueCommand {
  constructor(private readonly operations: QueueOperations) {
    super();
  }

  protected async execute([id]: string[]): Promise<void> {
    if (!(await this.operations.forget(id))) throw new CheckFailedError(`no failed job with id ${id} (see queue:failed)`);
    printLine(`Deleted failed job ${id}.`);
  }
}

@Command({ name: 'queue:flush', description: 'Delete every failed job (their records stay failed)' })
export class QueueFlushCommand extends QueueCommand {
  constructor(private readonly operations: QueueOperations) {
    super();
  }

  protected async execute(): Promise<void> {
    const deleted = await this.operations.flush();
    printLine(`Deleted ${deleted} failed job(s).`);
  }
}
