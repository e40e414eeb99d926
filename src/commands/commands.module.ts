import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from '../clients/client.entity';
import { CompanyContextModule } from '../company-context/company-context.module';
import { CredentialsModule } from '../credentials/credentials.module';
import { MigrationsModule } from '../database/database.module';
import { MetricsModule } from '../metrics/metrics.module';
import { SecurityModule } from '../security/security.module';
import { ClientsCredentialsAuditCommand, ClientsCredentialsCommand } from './clients-credentials.command';
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
  imports: [TypeOrmModule.forFeature([Client]), CompanyContextModule, CredentialsModule, MetricsModule, MigrationsModule, SecurityModule],
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
