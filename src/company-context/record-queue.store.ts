import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { EntityManager, IsNull, MoreThan, Not, Repository, UpdateQueryBuilder } from 'typeorm';
import { Client } from '../clients/client.entity';
import { AppConfig } from '../config/app-config';
import { CompanyContextJob, companyContextJobId } from './company-context.job';
import { ClaimedContext, CompanyContextState } from './company-context.state';
import { ContextStatus, OPEN_STATUSES } from './context-status';
import { QueueCounts } from './queue-driver';

/** A job that failed for good, as queue:failed lists it. */
export interface FailedJob {
  id: string;
  clientId: number;
  attempts: number;
  failedAt: Date | null;
  error: string | null;
}

export const REMOVED_BY_OPERATOR = 'removed from the queue by an operator (queue:clear)';

/** A claim must outlive the job timeout before another worker takes it over (the job aborts itself by then). */
const RECLAIM_GRACE_MS = 2_000;

/**
 * The records read as a queue: the next one due (the `database` driver's worker), the counts, the oldest
 * wait, the records that should have a live job (the `redis` driver's reconcile), and the failed list
 * with the operator's writes to it (queue:failed, queue:forget, queue:flush, queue:clear). One method per
 * operation; the record's life itself (claim, complete, fail, postpone, restart) is CompanyContextState's.
 */
@Injectable()
export class RecordQueueStore {
  constructor(
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    private readonly state: CompanyContextState,
    private readonly config: AppConfig,
  ) {}

  /**
   * Claims the next record due for an attempt, for workers that use the database as their queue (the
   * claim itself is the state machine's, CompanyContextState.claimUpdate):
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
        await this.state
          .claimUpdate(token, manager.getRepository(Client).createQueryBuilder().update())
          .where('id = :id', candidate)
          .execute();
        return candidate.id;
      });
      return clientId === undefined ? undefined : this.state.readClaim(clientId, token);
    }

    // SQLite serialises writers: the guarded update makes sure only one worker wins the row.
    const candidate = await candidates(this.clients.manager).getRawOne<{ id: number }>();
    if (!candidate) return undefined;
    const result = await this.state
      .claimUpdate(token)
      .where('id = :id', candidate)
      .andWhere(where.replace(/client\./g, ''), params)
      .execute();
    return result.affected ? this.state.readClaim(candidate.id, token) : null;
  }

  /**
   * Records per queue state, for the `database` driver (where the records are the queue). Each figure is
   * one COUNT over a range of an index (autoseo_context_queue, autoseo_context_failed), so the work
   * follows the open and failed records, never the processed ones that make up most of a big table.
   */
  async counts(): Promise<QueueCounts> {
    const now = new Date();
    const [pending, delayed, active, failed] = await Promise.all([
      this.count('client.context_status = :pending', { pending: ContextStatus.Pending }),
      this.count('client.context_status = :pending AND client.context_available_at > :now', { pending: ContextStatus.Pending, now }),
      this.count('client.context_status = :processing', { processing: ContextStatus.Processing }),
      this.failedCount(),
    ]);
    // A pending record is waiting unless it is due later (a retry's backoff); one with no due time is waiting.
    return { waiting: Math.max(0, pending - delayed), active, delayed, failed };
  }

  /** The failed jobs still listed (queue:failed's length), on every driver: one range of autoseo_context_failed. */
  failedCount(): Promise<number> {
    return this.count('client.context_status = :failed AND client.context_failed_at IS NOT NULL', { failed: ContextStatus.Failed });
  }

  // COUNT(*) rather than getCount()'s COUNT(DISTINCT id), which MariaDB cannot answer as cheaply.
  private async count(where: string, params: Record<string, unknown>): Promise<number> {
    const row = await this.clients
      .createQueryBuilder('client')
      .select('COUNT(*)', 'count')
      .where(where, params)
      .getRawOne<{ count: string }>();
    return Number(row?.count ?? 0);
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

  /** The jobs that failed for good and are still listed (queue:failed, on every driver), oldest first. */
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
   * them again behind the operator's back; PATCH or reprocess starts them over. One job (the `redis`
   * driver, once it has deleted the job), or every pending record when `job` is omitted (the `database`
   * driver, whose pending records are its jobs).
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

  private update(): UpdateQueryBuilder<Client> {
    return this.clients.createQueryBuilder().update(Client);
  }
}

/** MySQL answers DATETIME aggregates as Date, SQLite (TypeORM stores UTC text) as a string. */
function parseDate(value: Date | string): Date {
  if (value instanceof Date) return value;
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value.replace(' ', 'T')}Z`);
}
