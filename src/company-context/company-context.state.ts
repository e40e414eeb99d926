import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, IsNull, MoreThan, Not, QueryResult, Repository, UpdateQueryBuilder } from 'typeorm';
import { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Client } from '../clients/client.entity';
import { AppConfig } from '../config/app-config';
import { CompanyContextJob, companyContextJobId } from './company-context.job';
import { ContextStatus } from './context-status';

/** An attempt that holds the right to write the result of one original. */
export interface ClaimedContext extends CompanyContextJob {
  token: string;
  original: string;
  /** 1 for the first attempt at this original. */
  attempt: number;
}

/** A job that failed for good, as queue:failed lists it. */
export interface FailedJob {
  id: string;
  clientId: number;
  attempts: number;
  failedAt: Date | null;
  error: string | null;
}

export const REMOVED_BY_OPERATOR = 'removed from the queue by an operator (queue:clear)';

const OPEN_STATUSES = [ContextStatus.Pending, ContextStatus.Processing];
const ERROR_MAX_LENGTH = 500;
/** A claim must outlive the job timeout before another worker takes it over (the job aborts itself by then). */
const RECLAIM_GRACE_MS = 2_000;

/**
 * The state machine of a record's company context, and the only code that writes the context_* columns:
 * pending → processing → processed | failed, guarded by the version (a newer original wins) and by the
 * claim token (only the attempt that holds the claim may write, so a result is written once).
 */
@Injectable()
export class CompanyContextState {
  constructor(
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    private readonly config: AppConfig,
  ) {}

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
   * Puts a job that failed for good back (queue:retry) as a new version, unless its record has moved on
   * meanwhile (deleted, a newer original, processed). Returns the new version, or null.
   */
  async retryFailed(job: CompanyContextJob): Promise<number | null> {
    const restarted = await this.restartWhere(job.clientId, {}, (query) =>
      query.andWhere('context_version = :version AND context_status <> :processed', {
        version: job.version,
        processed: ContextStatus.Processed,
      }),
    );
    return restarted?.context_version ?? null;
  }

  /**
   * The `database` driver's queue:retry: a record still listed as failed (not forgotten) at that version
   * goes back as a new version, in one guarded update, so a retry cut short cannot leave a record
   * neither listed nor queued. Returns the new version, or null when no such failed job is listed.
   */
  async retryFailedRecord(job: CompanyContextJob): Promise<number | null> {
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

  /**
   * Claims the next record due for an attempt, for workers that use the database as their queue:
   * pending and due, or processing under a claim that outlived the job timeout (its worker died).
   * On MySQL/MariaDB rows locked by other workers are skipped; SQLite serialises writers, and the
   * guarded update makes sure only one worker wins a row.
   */
  async claimNext(): Promise<ClaimedContext | null> {
    const now = new Date();
    const staleBefore = new Date(now.getTime() - this.config.queue.jobTimeoutMs - RECLAIM_GRACE_MS);
    // Two index-friendly conditions tried in turn (an OR of both made MariaDB walk the whole table):
    // the longest-due pending record, else a claim that outlived the job timeout (its worker died).
    const conditions = [
      {
        where: 'client.context_status = :pending AND client.context_available_at <= :now',
        params: { pending: ContextStatus.Pending, now },
        order: 'client.context_available_at',
      },
      {
        where: 'client.context_status = :processing AND client.context_claimed_at < :staleBefore',
        params: { processing: ContextStatus.Processing, staleBefore },
        order: 'client.context_claimed_at',
      },
    ];
    for (const { where, params, order } of conditions) {
      const claim = await this.claimFirst(where, params, order);
      if (claim !== undefined) return claim;
    }
    return null;
  }

  /** Claims the first record matching `where`; undefined when none matches, null when another worker won the race. */
  private async claimFirst(where: string, params: Record<string, unknown>, order: string): Promise<ClaimedContext | null | undefined> {
    const token = randomUUID();
    // In the order of the (context_status, context_available_at) index: the first match is the answer.
    const candidates = (manager: EntityManager) =>
      manager
        .createQueryBuilder(Client, 'client')
        .select('client.id', 'id')
        .where(where, params)
        .orderBy(order, 'ASC')
        .addOrderBy('client.id', 'ASC')
        .limit(1);

    if (this.clients.manager.connection.options.type === 'mysql') {
      // Rows locked by other workers are skipped, so workers never wait for each other.
      const clientId = await this.clients.manager.transaction(async (manager) => {
        const candidate = await candidates(manager).setLock('pessimistic_write').setOnLocked('skip_locked').getRawOne<{ id: number }>();
        if (!candidate) return undefined;
        await this.claimUpdate(token, manager.getRepository(Client).createQueryBuilder().update()).where('id = :id', candidate).execute();
        return candidate.id;
      });
      return clientId === undefined ? undefined : this.readClaim(clientId, token);
    }

    // SQLite serialises writers: the guarded update makes sure only one worker wins the row.
    const candidate = await candidates(this.clients.manager).getRawOne<{ id: number }>();
    if (!candidate) return undefined;
    const result = await this.claimUpdate(token)
      .where('id = :id', candidate)
      .andWhere(where.replace(/client\./g, ''), params)
      .execute();
    return result.affected ? this.readClaim(candidate.id, token) : null;
  }

  /**
   * Records per queue state, for the `database` driver (where the records are the queue). Each figure is
   * one COUNT over a range of an index (autoseo_context_queue, autoseo_context_failed), so the work
   * follows the open and failed records, never the processed ones that make up most of a big table.
   */
  async counts(): Promise<{ waiting: number; active: number; delayed: number; failed: number }> {
    const now = new Date();
    // COUNT(*) rather than getCount()'s COUNT(DISTINCT id), which MariaDB cannot answer as cheaply.
    const count = async (where: string, params: Record<string, unknown>) => {
      const row = await this.clients
        .createQueryBuilder('client')
        .select('COUNT(*)', 'count')
        .where(where, params)
        .getRawOne<{ count: string }>();
      return Number(row?.count ?? 0);
    };
    const [pending, delayed, active, failed] = await Promise.all([
      count('client.context_status = :pending', { pending: ContextStatus.Pending }),
      count('client.context_status = :pending AND client.context_available_at > :now', { pending: ContextStatus.Pending, now }),
      count('client.context_status = :processing', { processing: ContextStatus.Processing }),
      count('client.context_status = :failed AND client.context_failed_at IS NOT NULL', { failed: ContextStatus.Failed }),
    ]);
    // A pending record is waiting unless it is due later (a retry's backoff); one with no due time is waiting.
    return { waiting: Math.max(0, pending - delayed), active, delayed, failed };
  }

  /**
   * Records per context_status, for /metrics. One GROUP BY on the leading column of the
   * (context_status, context_available_at) index: MariaDB and SQLite answer it from the index alone.
   */
  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.clients
      .createQueryBuilder('client')
      .select('client.context_status', 'status')
      .addSelect('COUNT(*)', 'count')
      .groupBy('client.context_status')
      .getRawMany<{ status: string; count: number | string }>();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }

  /** When the longest-waiting due record became due, for the `database` driver; null when none waits. */
  async oldestWaitingSince(): Promise<Date | null> {
    const row = await this.clients
      .createQueryBuilder('client')
      .select('MIN(client.context_available_at)', 'since')
      .where('client.context_status = :pending AND client.context_available_at <= :now', {
        pending: ContextStatus.Pending,
        now: new Date(),
      })
      .getRawOne<{ since: Date | string | null }>();
    return row?.since ? parseDate(row.since) : null;
  }

  /** The jobs that failed for good and are still listed (the `database` driver's failed jobs), oldest first. */
  async failedJobs(): Promise<FailedJob[]> {
    const rows = await this.clients.find({
      where: { context_status: ContextStatus.Failed, context_failed_at: Not(IsNull()) },
      select: { id: true, context_version: true, context_attempts: true, context_failed_at: true, context_error: true },
      order: { context_failed_at: 'ASC', id: 'ASC' },
    });
    return rows.map((row) => ({
      id: companyContextJobId({ clientId: row.id, version: row.context_version }),
      clientId: row.id,
      attempts: row.context_attempts,
      failedAt: row.context_failed_at,
      error: row.context_error,
    }));
  }

  /** Takes failed jobs off the failed list (one, or all when `job` is omitted); the records stay failed. */
  async forgetFailed(job?: CompanyContextJob): Promise<number> {
    const query = this.update()
      .set({ context_failed_at: null })
      .where('context_status = :failed AND context_failed_at IS NOT NULL', { failed: ContextStatus.Failed });
    if (job) query.andWhere('id = :clientId AND context_version = :version', job);
    return (await query.execute()).affected ?? 0;
  }

  /**
   * Marks records whose waiting job an operator deleted (queue:clear) as failed, so that nothing queues
   * them again behind the operator's back; PATCH or reprocess starts them over. One job, or every
   * pending record when `job` is omitted (the `database` driver, whose pending records are its jobs).
   */
  async removeFromQueue(job?: CompanyContextJob): Promise<number> {
    const now = new Date();
    const query = this.update()
      .set({
        context_status: ContextStatus.Failed,
        context_error: REMOVED_BY_OPERATOR,
        context_available_at: null,
        context_failed_at: null,
        updated_at: now,
      })
      .where('context_status = :pending', { pending: ContextStatus.Pending });
    if (job) query.andWhere('id = :clientId AND context_version = :version', job);
    return (await query.execute()).affected ?? 0;
  }

  /**
   * Records that should have a live job: pending or processing, in id order, a page at a time. One range
   * of the (context_status, id) index per status, merged: an IN over both with ORDER BY id made MariaDB
   * walk the primary key, reading every processed record between two open ones.
   */
  async openJobs(afterId: number, limit: number): Promise<CompanyContextJob[]> {
    const pages = await Promise.all(
      OPEN_STATUSES.map((status) =>
        this.clients.find({
          where: { context_status: status, id: MoreThan(afterId) },
          select: { id: true, context_version: true },
          order: { id: 'ASC' },
          take: limit,
        }),
      ),
    );
    const rows = pages
      .flat()
      .sort((a, b) => a.id - b.id)
      .slice(0, limit);
    return rows.map((row) => ({ clientId: row.id, version: row.context_version }));
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

  private claimUpdate(token: string, builder = this.update()): UpdateQueryBuilder<Client> {
    const now = new Date();
    return builder.set({
      context_status: ContextStatus.Processing,
      context_attempts: () => 'context_attempts + 1',
      context_claimed_at: now,
      context_claim_token: token,
      updated_at: now,
    });
  }

  private async readClaim(clientId: number, token: string): Promise<ClaimedContext | null> {
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

/** MySQL answers DATETIME aggregates as Date, SQLite (TypeORM stores UTC text) as a string. */
function parseDate(value: Date | string): Date {
  if (value instanceof Date) return value;
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
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
