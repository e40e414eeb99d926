import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Client } from '../clients/client.entity';
import { SecurityModule } from '../security/security.module';
import { CredentialsAuditEntry } from './credentials-audit.entity';
import { CredentialsAuditService } from './credentials-audit.service';
import { CredentialsController } from './credentials.controller';
import { CredentialsService } from './credentials.service';

/** Reading stored credentials back: GET /clients/:id/credentials (CREDENTIALS_TOKEN), its audit, and the CLI's twin. */
@Module({
  imports: [TypeOrmModule.forFeature([Client, CredentialsAuditEntry]), SecurityModule],
  controllers: [CredentialsController],
  providers: [CredentialsService, CredentialsAuditService],
  exports: [CredentialsService, CredentialsAuditService],
})
export class CredentialsModule {}
