import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { COMPANY_CONTEXT_QUEUE, CompanyContextJob } from '../company-context.job';
import { JOB_HANDLER, JobHandler, QueueCapabilities, QueueCounts, QueueDriver, QueueStatus, WorkerOptions } from '../queue-driver';
import { QueueState } from '../queue-state.entity';
import { RecordQueueStore } from '../record-queue.store';

/**
 * QUEUE_CONNECTION=database: the records are the queue. A pending, due record is a waiting job; workers
 * claim one at a time (see RecordQueueStore.claimNext), and the retry time is kept on the record.
 * The pause flag is a row of `queue_state`, read by every worker once per poll interval.
 */
@Injectable()
export class DatabaseQueueDriver implements QueueDriver {
  readonly name = 'database';
  // A pending record is its own job: nothing can be lost apart from it.
  readonly capabilities: QueueCapabilities = { operable: true, separateJobStore: false };
  private readonly logger = new Logger('DatabaseQueue');
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();
  private jobsLeft = Infinity;
  private pausedCheck: { paused: boolean; at: number } | null = null;

  constructor(
    private readonly store: RecordQueueStore,
    @Inject(JOB_HANDLER) private readonly handler: JobHandler,
    private readonly config: AppConfig,
    @InjectRepository(QueueState) private readonly queueState: Repository<QueueState>,
  ) {}

  /** The record is pending already: that is the job. Wake an idle worker in this process. */
  async dispatch(_job: CompanyContextJob): Promise<void> {
    this.wakeUp();
  }

  /** Deleting the record deleted the job. */
  async cancel(_job: CompanyContextJob): Promise<void> {}

  async startWorker(concurrency: number, options: WorkerOptions = {}): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.jobsLeft = options.maxJobs ?? Infinity;
    this.loops = Array.from({ length: concurrency }, () => this.work());
  }

  async stopWorker(): Promise<void> {
    this.running = false;
    this.wakeUp();
    await Promise.all(this.loops);
    this.loops = [];
  }

  async counts(): Promise<QueueCounts> {
    return this.store.counts();
  }

  async status(): Promise<QueueStatus> {
    const [counts, since, paused] = await Promise.all([this.store.counts(), this.store.oldestWaitingSince(), this.readPaused()]);
    return { ...counts, paused, oldestWaitingMs: since ? Math.max(0, Date.now() - since.getTime()) : null };
  }

  clearWaiting(): Promise<number> {
    return this.store.removeFromQueue();
  }

  async setPaused(paused: boolean): Promise<void> {
    await this.queueState.upsert({ queue: COMPANY_CONTEXT_QUEUE, paused, updated_at: new Date() }, ['queue']);
    this.pausedCheck = null;
  }

  /** Nothing to do: a pending record is its own job, and a claim left by a dead worker expires by itself. */
  async reconcile(): Promise<number> {
    return 0;
  }

  private async work(): Promise<void> {
    while (this.running && this.jobsLeft > 0) {
      try {
        const claim = (await this.isPaused()) ? null : await this.claimNext();
        if (claim) await this.handler.attempt(claim);
        else await this.sleep();
      } catch (error) {
        // The database is unreachable or refused a write: wait and try again, the record keeps its state.
        this.logger.warn(`cannot take or finish a job: ${(error as Error).message}; retrying in ${this.config.queue.pollMs} ms`);
        await this.sleep();
      }
    }
  }

  private async claimNext() {
    const claim = await this.store.claimNext();
    if (claim) this.jobsLeft -= 1;
    return claim;
  }

  /** The shared pause flag, read at most once per poll interval. */
  private async isPaused(): Promise<boolean> {
    const now = Date.now();
    if (!this.pausedCheck || now - this.pausedCheck.at >= this.config.queue.pollMs) {
      this.pausedCheck = { paused: await this.readPaused(), at: now };
    }
    return this.pausedCheck.paused;
  }

  private async readPaused(): Promise<boolean> {
    const row = await this.queueState.findOne({ where: { queue: COMPANY_CONTEXT_QUEUE } });
    return row?.paused ?? false;
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, this.config.queue.pollMs);
      this.sleepers.add(wake);
    });
  }

  private wakeUp(): void {
    this.pausedCheck = null;
    for (const wake of [...this.sleepers]) wake();
  }
}
