import { Command } from 'nest-commander';
import { printLine } from './output';
import { QueueCommand } from './queue-command';

@Command({ name: 'queue:pause', description: 'Stop every worker from taking jobs (jobs in flight finish); jobs keep queuing' })
export class QueuePauseCommand extends QueueCommand {
  protected async execute(): Promise<void> {
    await this.queue.setPaused(true);
    printLine('Queue paused: workers take no new jobs until queue:resume.');
  }
}

@Command({ name: 'queue:resume', description: 'Let workers take jobs again after queue:pause' })
export class QueueResumeCommand extends QueueCommand {
  protected async execute(): Promise<void> {
    await this.queue.setPaused(false);
    printLine('Queue resumed.');
  }
}
