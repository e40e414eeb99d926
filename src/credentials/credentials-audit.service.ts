import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { FindOptionsWhere, Repository } from 'typeorm';
import { CredentialsAuditEntry, RevealOutcome } from './credentials-audit.entity';

/** Who asked for a record's credentials: never the token itself, only its fingerprint. */
export interface RevealAttempt {
  clientId: number;
  caller: string;
  tokenFingerprint: string | null;
}

export interface AuditPage {
  data: CredentialsAuditEntry[];
  meta: { page: number; limit: number; total: number };
}

/** Writes and reads the trail of reveals (credentials_audit), and logs each attempt in one line. */
@Injectable()
export class CredentialsAuditService {
  private readonly logger = new Logger('CredentialsAudit');

  constructor(@InjectRepository(CredentialsAuditEntry) private readonly entries: Repository<CredentialsAuditEntry>) {}

  /** Logged first, so an attempt is on record even if the database then refuses the row (and the reveal fails). */
  async record(attempt: RevealAttempt, outcome: RevealOutcome): Promise<void> {
    const allowed = outcome === 'revealed';
    const caller = attempt.caller.slice(0, 64);
    const token = attempt.tokenFingerprint ?? 'none';
    const line = `credentials of client ${attempt.clientId} ${allowed ? 'revealed' : 'refused'} to ${caller} (token ${token}): ${outcome}`;
    if (allowed) this.logger.log(line);
    else this.logger.warn(line);
    await this.entries.insert({
      created_at: new Date(),
      client_id: attempt.clientId,
      caller,
      token_fingerprint: attempt.tokenFingerprint,
      allowed,
      reason: outcome,
    });
  }

  /** Newest first; one record's attempts, or every record's when clientId is undefined. */
  async list(clientId: number | undefined, page: number, limit: number): Promise<AuditPage> {
    const where: FindOptionsWhere<CredentialsAuditEntry> = clientId === undefined ? {} : { client_id: clientId };
    const [data, total] = await this.entries.findAndCount({ where, order: { id: 'DESC' }, skip: (page - 1) * limit, take: limit });
    return { data, meta: { page, limit, total } };
  }
}
