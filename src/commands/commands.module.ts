import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from '../clients/client.entity';
import { CompanyContextModule } from '../company-context/company-context.module';
import { CredentialsModule } from '../credentials/credentials.module';
import { MigrationsModule } from '../database/database.module';
import { MetricsModule } from '../metrics/metrics.module';
import { SecurityModule } from '../security/security.module';
import { ClientsCredentialsAuditCommand, ClientsCredentialsCommand } from './clients-credentials.command';
import { KeyRotateCommand } from './key-rotate.command';
import { MigrationRunCommand } from './migration-run.command';
import { QueueCommandsModule } from './queue-commands.module';
import { QueueWorkCommand } from './queue-work.command';

/** Every command (the queue commands come from QueueCommandsModule, which src/cli.ts also runs on its own). */
@Module({
  imports: [
    TypeOrmModule.forFeature([Client]),
    CompanyContextModule,
    CredentialsModule,
    MetricsModule,
    MigrationsModule,
    SecurityModule,
    QueueCommandsModule,
  ],
  providers: [MigrationRunCommand, KeyRotateCommand, ClientsCredentialsCommand, ClientsCredentialsAuditCommand, QueueWorkCommand],
})
export class CommandsModule {}
