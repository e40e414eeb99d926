import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { QueryResult, Repository, UpdateQueryBuilder } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
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
    // The hot path of every job: one hand-written statement (what claimUpdate builds), not a query builder.
    const sql = new HotSql(this.clients);
    const now = sql.date('context_claimed_at', new Date());
    const affected = await sql.write(
      `UPDATE ${sql.table} SET context_status = ?, context_attempts = context_attempts + 1, context_claimed_at = ?, ` +
        'context_claim_token = ?, updated_at = ? WHERE id = ? AND context_version = ? AND context_status IN (?, ?)',
      [ContextStatus.Processing, now, token, now, job.clientId, job.version, ...OPEN_STATUSES],
    );
    return affected ? this.readClaim(job.clientId, token) : null;
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
    // complete() ends every job here: the UPDATE written out by hand, each value converted as TypeORM would.
    const sql = new HotSql(this.clients);
    const assignments: string[] = [];
    const params: unknown[] = [];
    for (const [property, value] of Object.entries({ ...changes, context_claimed_at: null, context_claim_token: null })) {
      const { column, name } = sql.column(property);
      if (typeof value === 'function') {
        assignments.push(`${name} = ${value()}`);
      } else {
        assignments.push(`${name} = ?`);
        params.push(sql.driver.preparePersistentValue(value, column));
      }
    }
    const affected = await sql.write(
      `UPDATE ${sql.table} SET ${assignments.join(', ')} WHERE id = ? AND context_version = ? AND context_claim_token = ?`,
      [...params, claim.clientId, claim.version, claim.token],
    );
    return affected > 0;
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

  /** Reads back the attempt that `token` claimed; null when it is not (or no longer) the record's claim. */
  async readClaim(clientId: number, token: string): Promise<ClaimedContext | null> {
    const sql = new HotSql(this.clients);
    const rows = await sql.read<{ context_version: number; company_context_original: string; context_attempts: number }>(
      `SELECT context_version, company_context_original, context_attempts FROM ${sql.table} WHERE id = ? AND context_claim_token = ?`,
      [clientId, token],
    );
    const row = rows[0];
    if (!row) return null;
    return {
      clientId,
      version: Number(row.context_version),
      token,
      original: row.company_context_original,
      attempt: Number(row.context_attempts),
    };
  }

  private update(): UpdateQueryBuilder<Client> {
    return this.clients.createQueryBuilder().update(Client);
  }
}

/**
 * The statements every job runs (claim, readClaim, release), written by hand with `?` placeholders (MySQL
 * and SQLite alike) and run on a query runner of the repository's DataSource, like the query builder's
 * own: a profile of a drain showed TypeORM building them (metadata walks, parameter renaming, findOne's
 * options) costing more than running them. Values go through the driver's preparePersistentValue, so a
 * date is stored exactly as the entity's other writes store it (UTC text on SQLite).
 */
class HotSql {
  readonly driver: Repository<Client>['manager']['connection']['driver'];
  readonly table: string;

  constructor(private readonly repository: Repository<Client>) {
    this.driver = repository.manager.connection.driver;
    this.table = this.driver.escape(repository.metadata.tableName);
  }

  /** An entity property's column, and its name quoted for this database. */
  column(property: string): { column: ColumnMetadata; name: string } {
    const column = this.repository.metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`autoseo has no column for ${property}`);
    return { column, name: this.driver.escape(column.databaseName) };
  }

  date(property: string, value: Date): unknown {
    return this.driver.preparePersistentValue(value, this.column(property).column);
  }

  /** Runs an UPDATE; the number of rows it changed. */
  async write(query: string, parameters: unknown[]): Promise<number> {
    const result = await this.run(query, parameters);
    return result.affected ?? 0;
  }

  async read<T>(query: string, parameters: unknown[]): Promise<T[]> {
    return (await this.run(query, parameters)).records as T[];
  }

  private async run(query: string, parameters: unknown[]): Promise<QueryResult> {
    const runner = this.repository.manager.connection.createQueryRunner();
    try {
      return await runner.query(query, parameters, true);
    } finally {
      await runner.release();
    }
  }
}
