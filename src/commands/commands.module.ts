import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from '../clients/client.entity';
import { CredentialsModule } from '../credentials/credentials.module';
import { ClientsCredentialsAuditCommand, ClientsCredentialsCommand } from './clients-credentials.command';
import { MetricsModule } from '../metrics/metrics.module';
import { CommandLineSetup } from './command-line-setup';
import { KeyRotateCommand } from './key-rotate.command';
import { MigrationRunCommand } from './migration-run.command';
import { QueueClearCommand } from './queue-clear.command';
import { QueueFailedCommand } from './queue-failed.command';
import { QueueFlushCommand, QueueForgetCommand } from './queue-forget.command';
import { QueueMonitorCommand } from './queue-monitor.command';
import { QueuePauseCommand, QueueResumeCommand } from './queue-pause.command';
import { QueueReconcileCommand } from './queue-reconcile.command';
import { QueueRetryCommand } from './queue-retry.command';
import { QueueWorkCommand } from './queue-work.command';

@Module({
  imports: [TypeOrmModule.forFeature([Client]), CredentialsModule, MetricsModule],
  providers: [
    CommandLineSetup,
    MigrationRunCommand,
    KeyRotateCommand,
    ClientsCredentialsCommand,
    ClientsCredentialsAuditCommand,
    QueueWorkCommand,
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
export class CommandsModule {}
