import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository, UpdateQueryBuilder } from 'typeorm';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Client } from '../clients/client.entity';
import { CompanyContextJob } from './company-context.job';
import { ContextStatus, OPEN_STATUSES } from './context-status';

/** An attempt that holds the right to write the result of one original. */
export interface ClaimedContext extends CompanyContextJob {
  token: string;
  original: string;
  /** 1 for the first attempt at this original. */
  attempt: number;
}

const ERROR_MAX_LENGTH = 500;

/**
 * The state machine of a record's company context: pending → processing → processed | failed, guarded by
 * the version (a newer original wins) and by the claim token (only the attempt that holds the claim may
 * write, so a result is written once). The record's attempts and retry time are kept here, for every
 * queue driver. What reads the records as a queue (the next due, counts, the failed list, queue:clear)
 * is RecordQueueStore.
 */
@Injectable()
export class CompanyContextState {
  constructor(@InjectRepository(Client) private readonly clients: Repository<Client>) {}

  /** The context columns of a record just created from `original`. */
  static initial(
    original: string,
    now = new Date(),
  ): Pick<
    Client,
    | 'company_context'
    | 'company_context_original'
    | 'context_status'
    | 'context_version'
    | 'context_attempts'
    | 'context_error'
    | 'context_ai_ms'
    | 'context_processed_at'
    | 'context_available_at'
    | 'context_failed_at'
    | 'context_claimed_at'
    | 'context_claim_token'
  > {
    return {
      company_context: original,
      company_context_original: original,
      context_status: ContextStatus.Pending,
      context_version: 1,
      context_attempts: 0,
      context_error: null,
      context_ai_ms: null,
      context_processed_at: null,
      context_available_at: now,
      context_failed_at: null,
      context_claimed_at: null,
      context_claim_token: null,
    };
  }

  /**
   * Starts over for a new original (or the same one again, when `original` is omitted): a new version,
   * no attempts, pending. Returns the record as this restart left it (a worker may take it at once, as
   * after POST), or null when the record is gone.
   */
  restart(clientId: number, original?: string): Promise<Client | null> {
    return this.restartWhere(clientId, original === undefined ? {} : { company_context: original, company_context_original: original });
  }

  /**
   * queue:retry, on every driver: a record still listed as failed (not forgotten) at that version goes
   * back as a new version, in one guarded update, so a retry cut short cannot leave a record neither
   * listed nor queued. Returns the new version, or null when no such failed job is listed (the record was
   * retried already, forgotten, deleted, or has moved on).
   */
  async retryFailed(job: CompanyContextJob): Promise<number | null> {
    const restarted = await this.restartWhere(job.clientId, {}, (query) =>
      query.andWhere('context_version = :version AND context_status = :failed AND context_failed_at IS NOT NULL', {
        version: job.version,
        failed: ContextStatus.Failed,
      }),
    );
    return restarted?.context_version ?? null;
  }

  private async restartWhere(
    clientId: number,
    changes: Partial<Client>,
    guard: (query: UpdateQueryBuilder<Client>) => UpdateQueryBuilder<Client> = (query) => query,
  ): Promise<Client | null> {
    const now = new Date();
    const written: Partial<Client> = {
      ...changes,
      context_status: ContextStatus.Pending,
      context_attempts: 0,
      context_error: null,
      context_ai_ms: null,
      context_available_at: now,
      context_failed_at: null,
      context_claimed_at: null,
      context_claim_token: null,
      updated_at: now,
    };
    const result = await guard(
      this.update()
        .set({ ...written, context_version: () => 'context_version + 1' })
        .where('id = :clientId', { clientId }),
    ).execute();
    if (!result.affected) return null;
    // Read back for the new version and the other columns; the context columns are the ones written here
    // even when a worker has claimed the record in between.
    const row = await this.clients.findOneBy({ id: clientId });
    return row && Object.assign(row, written);
  }

  /** Claims the attempt a queued job stands for; null when the record is gone, replaced or already done. */
  async claim(job: CompanyContextJob): Promise<ClaimedContext | null> {
    const token = randomUUID();
    const result = await this.claimUpdate(token)
      .where('id = :clientId AND context_version = :version', job)
      .andWhere('context_status IN (:...open)', { open: OPEN_STATUSES })
      .execute();
    return result.affected ? this.readClaim(job.clientId, token) : null;
  }

  /** Writes the AI's text if this attempt still holds the claim; false when the result is stale. */
  async complete(claim: ClaimedContext, text: string, aiMs: number): Promise<boolean> {
    const now = new Date();
    return this.release(claim, {
      company_context: text,
      context_status: ContextStatus.Processed,
      context_error: null,
      context_ai_ms: aiMs,
      context_processed_at: now,
      context_available_at: null,
      updated_at: now,
    });
  }

  /**
   * Records a failed attempt: pending again until `retryAt`, or failed for good when `retryAt` is null.
   * `aiMs`: how long its AI call took, when it made one.
   */
  async fail(claim: ClaimedContext, error: string, retryAt: Date | null, aiMs?: number): Promise<boolean> {
    const now = new Date();
    return this.release(claim, {
      ...(aiMs === undefined ? {} : { context_ai_ms: aiMs }),
      context_status: retryAt ? ContextStatus.Pending : ContextStatus.Failed,
      context_error: error.slice(0, ERROR_MAX_LENGTH),
      context_available_at: retryAt,
      context_failed_at: retryAt ? null : now,
      updated_at: now,
    });
  }

  /**
   * Gives an attempt back without counting it (the AI could not be reached: not the record's fault):
   * pending again until `retryAt`, the cause kept in context_error.
   */
  async postpone(claim: ClaimedContext, error: string, retryAt: Date, aiMs?: number): Promise<boolean> {
    return this.release(claim, {
      ...(aiMs === undefined ? {} : { context_ai_ms: aiMs }),
      context_status: ContextStatus.Pending,
      context_attempts: () => 'context_attempts - 1',
      context_error: error.slice(0, ERROR_MAX_LENGTH),
      context_available_at: retryAt,
      updated_at: new Date(),
    });
  }

  private async release(claim: ClaimedContext, changes: QueryDeepPartialEntity<Client>): Promise<boolean> {
    const result = await this.update()
      .set({ ...changes, context_claimed_at: null, context_claim_token: null })
      .where('id = :clientId AND context_version = :version AND context_claim_token = :token', claim)
      .execute();
    return Boolean(result.affected);
  }

  /** The update that claims a record for an attempt; RecordQueueStore.claimNext picks the record. */
  claimUpdate(token: string, builder = this.update()): UpdateQueryBuilder<Client> {
    const now = new Date();
    return builder.set({
      context_status: ContextStatus.Processing,
      context_attempts: () => 'context_attempts + 1',
      context_claimed_at: now,
      context_claim_token: token,
      updated_at: now,
    });
  }

  /** The claim `token` holds on the record, as the attempt needs it; null when another claim replaced it. */
  async readClaim(clientId: number, token: string): Promise<ClaimedContext | null> {
    const row = await this.clients.findOne({
      where: { id: clientId, context_claim_token: token },
      select: { id: true, context_version: true, company_context_original: true, context_attempts: true },
    });
    if (!row) return null;
    return {
      clientId: row.id,
      version: row.context_version,
      token,
      original: row.company_context_original,
      attempt: row.context_attempts,
    };
  }

  private update(): UpdateQueryBuilder<Client> {
    return this.clients.createQueryBuilder().update(Client);
  }
}
