import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from '../clients/client.entity';
import { CredentialsModule } from '../credentials/credentials.module';
import { ClientsCredentialsAuditCommand, ClientsCredentialsCommand } from './clients-credentials.command';
import { MetricsModule } from '../metrics/metrics.module';
import { KeyRotateCommand } from './key-rotate.command';
import { MigrationRunCommand } from './migration-run.command';
import { QueueCommandsModule } from './queue-commands.module';
import { QueueWorkCommand } from './queue-work.command';

/** Every command (the queue commands come from QueueCommandsModule, which src/cli.ts also runs on its own). */
@Module({
  imports: [TypeOrmModule.forFeature([Client]), CredentialsModule, MetricsModule, QueueCommandsModule],
  providers: [MigrationRunCommand, KeyRotateCommand, ClientsCredentialsCommand, ClientsCredentialsAuditCommand, QueueWorkCommand],
})
export class CommandsModule {}
