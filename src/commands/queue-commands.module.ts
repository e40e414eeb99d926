import { Module } from '@nestjs/common';
import { QueueOperationsModule } from '../company-context/queue-connection.module';
import { CommandLineSetup } from './command-line-setup';
import { QueueClearCommand } from './queue-clear.command';
import { QueueFailedCommand } from './queue-failed.command';
import { QueueFlushCommand, QueueForgetCommand } from './queue-forget.command';
import { QueueMonitorCommand } from './queue-monitor.command';
import { QueuePauseCommand, QueueResumeCommand } from './queue-pause.command';
import { QueueReconcileCommand } from './queue-reconcile.command';
import { QueueRetryCommand } from './queue-retry.command';

/**
 * The queue commands that look at or change the queue without taking jobs (every queue:* but queue:work).
 * They need only the configuration, the database and the queue driver, so src/cli.ts runs them on a small
 * module graph (isQueueCommand) instead of the whole application: `queue:monitor` is run by cron and by
 * health checks, and nearly all of its time is start-up. No job runs here: neither the job's module (nor
 * the AI client) is loaded, nor, on the `database` driver, Bull and ioredis (QueueConnectionModule).
 */
@Module({
  imports: [QueueOperationsModule],
  providers: [
    CommandLineSetup,
    QueueMonitorCommand,
    QueueFailedCommand,
    QueueRetryCommand,
    QueueForgetCommand,
    QueueFlushCommand,
    QueueClearCommand,
    QueuePauseCommand,
    QueueResumeCommand,
    QueueReconcileCommand,
  ],
})
export class QueueCommandsModule {}

/** Whether a command line's command is served by QueueCommandsModule alone: every queue:* but queue:work. */
export function isQueueCommand(name: string | undefined): boolean {
  return name !== undefined && name.startsWith('queue:') && name !== 'queue:work';
}
