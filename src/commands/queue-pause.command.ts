import { Command } from 'nest-commander';
import { QueueOperations } from '../company-context/queue-operations';
import { printLine } from './output';
import { QueueCommand } from './queue-command';

@Command({ name: 'queue:pause', description: 'Stop every worker from taking jobs (jobs in flight finish); jobs keep queuing' })
export class QueuePauseCommand extends QueueCommand {
  constructor(private readonly operations: QueueOperations) {
    super();
  }

  protected async execute(): Promise<void> {
    printLine(await this.operations.setPaused(true));
  }
}

@Command({ name: 'queue:resume', description: 'Let workers take jobs again after queue:pause' })
export class QueueResumeCommand extends QueueCommand {
  constructor(private readonly operations: QueueOperations) {
    super();
  }

  protected async execute(): Promise<void> {
    printLine(await this.operations.setPaused(false));
  }
}
