import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import { Job, JobOptions, JobStatus, Queue } from 'bull';
import { setTimeout as delay } from 'node:timers/promises';
import { AppConfig } from '../../config/app-config';
import { COMPANY_CONTEXT_JOB, COMPANY_CONTEXT_QUEUE, CompanyContextJob, companyContextJobId, retryDelayMs } from '../company-context.job';
import { CompanyContextProcessor } from '../company-context.processor';
import { CompanyContextState } from '../company-context.state';
import { QueueCapabilities, QueueCounts, QueueDriver, QueueStatus, RetryResult, WorkerOptions } from '../queue-driver';
import { FailedJob, RecordQueueStore } from '../record-queue.store';

/** Bull's states in which a job will still run. */
const LIVE_STATES = new Set(['waiting', 'paused', 'active', 'delayed']);
const RECONCILE_PAGE = 500;

/** Bull's built-in "exponential" waits 1, 3, 7 × delay; the contract doubles: 1, 2, 4 × QUEUE_BACKOFF_MS. */
export const DOUBLING_BACKOFF = 'doubling';

export function bullBackoffStrategies(config: AppConfig) {
  return { [DOUBLING_BACKOFF]: (attemptsMade: number) => retryDelayMs(config.queue.backoffMs, attemptsMade) };
}

/** Every company-context job's options, set in one place. */
export function companyContextJobOptions(config: AppConfig, job: CompanyContextJob): JobOptions {
  return {
    jobId: companyContextJobId(job),
    attempts: config.queue.tries,
    backoff: { type: DOUBLING_BACKOFF },
    removeOnComplete: true,
    // Failed jobs stay for operators (queue:failed, queue:retry).
    removeOnFail: false,
  };
}

/** QUEUE_CONNECTION=redis: Bull on Redis. Delivery is at least once; the claim token makes a second run harmless. */
@Injectable()
export class RedisQueueDriver implements QueueDriver {
  readonly name = 'redis';
  readonly capabilities: QueueCapabilities = { operable: true, separateJobStore: true };
  private readonly logger = new Logger('RedisQueue');
  private working = false;
  private stopping = new AbortController();
  private jobsLeft = Infinity;

  constructor(
    @InjectQueue(COMPANY_CONTEXT_QUEUE) private readonly queue: Queue<CompanyContextJob>,
    private readonly processor: CompanyContextProcessor,
    private readonly state: CompanyContextState,
    private readonly store: RecordQueueStore,
    private readonly config: AppConfig,
  ) {
    // Bull reports a lost Redis connection as an 'error' event; unheard, it would end the process.
    // ioredis retries many times a second: the same message is logged once per 30 s.
    let last = { message: '', at: 0 };
    this.queue.on('error', (error: Error) => {
      if (error.message === last.message && Date.now() - last.at < 30_000) return;
      last = { message: error.message, at: Date.now() };
      this.logger.warn(`Redis: ${error.message}`);
    });
  }

  async dispatch(job: CompanyContextJob): Promise<void> {
    await this.queue.add(COMPANY_CONTEXT_JOB, job, companyContextJobOptions(this.config, job));
  }

  async cancel(job: CompanyContextJob): Promise<void> {
    const queued = await this.queue.getJob(companyContextJobId(job));
    if (queued && ((await queued.isWaiting()) || (await queued.isDelayed()))) await queued.remove();
  }

  async startWorker(concurrency: number, options: WorkerOptions = {}): Promise<void> {
    this.working = true;
    this.stopping = new AbortController();
    this.jobsLeft = options.maxJobs ?? Infinity;
    this.handleWorkerNameReply();
    // process() resolves only when the queue closes, so it is not awaited.
    this.queue
      .process(COMPANY_CONTEXT_JOB, concurrency, (job: Job<CompanyContextJob>) => this.run(job))
      .catch((error: Error) => this.logger.error(`worker stopped: ${error.message}`));
  }

  /**
   * process() names Bull's blocking connection (CLIENT SETNAME) and drops the promise of the reply. A
   * worker stopped before that reply (queue:work --stop-when-empty on an empty queue does it at once)
   * closes the connection under the command, and the unheard rejection "Connection is closed." ended
   * the process with exit 1, about one run in fifty. The same call, with its outcome heard.
   */
  private handleWorkerNameReply(): void {
    const queue = this.queue;
    if (Object.prototype.hasOwnProperty.call(queue, 'setWorkerName')) return;
    const setWorkerName = queue.setWorkerName.bind(queue);
    queue.setWorkerName = () =>
      setWorkerName().catch((error: Error) => this.logger.debug(`naming the worker connection: ${error.message}`));
  }

  async stopWorker(): Promise<void> {
    if (!this.working) return;
    this.working = false;
    this.stopping.abort();
    // A local pause stops taking jobs here and resolves when the ones in flight have finished.
    await this.queue.pause(true);
  }

  async counts(): Promise<QueueCounts> {
    const counts = await this.queue.getJobCounts();
    // A globally paused queue keeps its waiting jobs in a list of their own.
    const paused = (counts as Partial<Record<'paused', number>>).paused ?? 0;
    return { waiting: counts.waiting + paused, active: counts.active, delayed: counts.delayed, failed: counts.failed };
  }

  async status(): Promise<QueueStatus> {
    const [counts, paused, oldest] = await Promise.all([this.counts(), this.queue.isPaused(), this.queue.getWaiting(0, 0)]);
    const since = Math.min(...oldest.filter(Boolean).map((job) => job.timestamp + (job.opts.delay ?? 0)));
    return { ...counts, paused, oldestWaitingMs: Number.isFinite(since) ? Math.max(0, Date.now() - since) : null };
  }

  async failedJobs(): Promise<FailedJob[]> {
    const jobs = (await this.queue.getFailed()).filter(Boolean);
    return jobs
      .map((job) => ({
        id: String(job.id),
        clientId: job.data.clientId,
        attempts: job.attemptsMade,
        failedAt: job.finishedOn ? new Date(job.finishedOn) : null,
        error: job.failedReason ?? null,
      }))
      .sort((a, b) => (a.failedAt?.getTime() ?? 0) - (b.failedAt?.getTime() ?? 0));
  }

  async retryFailed(id: string): Promise<RetryResult> {
    const job = await this.failedJob(id);
    if (!job) return { id, result: 'not-found' };
    // A fresh version gets a fresh job with all its attempts; the failed one goes.
    const version = await this.state.retryFailed(job.data);
    await job.remove();
    if (version === null) return { id, result: 'dropped', reason: 'the record was deleted or has moved on' };
    const retried = { clientId: job.data.clientId, version };
    await this.dispatch(retried);
    return { id, result: 'retried', newId: companyContextJobId(retried) };
  }

  async forgetFailed(id: string): Promise<boolean> {
    const job = await this.failedJob(id);
    if (!job) return false;
    await job.remove();
    await this.store.forgetFailed(job.data);
    return true;
  }

  async flushFailed(): Promise<number> {
    const removed = await this.queue.clean(0, 'failed');
    await this.store.forgetFailed();
    return removed.length;
  }

  async clearWaiting(): Promise<number> {
    const jobs = (await this.queue.getJobs(['waiting', 'paused', 'delayed'])).filter(Boolean);
    let removed = 0;
    for (const job of jobs) {
      try {
        await job.remove();
      } catch {
        continue; // taken by a worker meanwhile: it runs
      }
      await this.store.removeFromQueue(job.data);
      removed += 1;
    }
    return removed;
  }

  async setPaused(paused: boolean): Promise<void> {
    if (paused) await this.queue.pause();
    else await this.queue.resume();
  }

  /**
   * The database is the truth: a record pending or processing whose job Redis lost (restart without
   * persistence, FLUSHALL) or that ended without settling the record (a second stall) is queued again.
   */
  async reconcile(): Promise<number> {
    // One look at every live job first: asking Bull each record's state costs several round trips and a
    // scan of the waiting list per record (a pass over 3,000 live jobs took 6 s that way, 2 s pipelined).
    // ('paused' is a list getJobs reads, though Bull's types leave it out.)
    const live = new Set((await this.queue.getJobs([...LIVE_STATES] as JobStatus[])).filter(Boolean).map((job) => String(job.id)));
    let queued = 0;
    for (let afterId = 0; ;) {
      const jobs = await this.store.openJobs(afterId, RECONCILE_PAGE);
      if (jobs.length === 0) return queued;
      for (const job of jobs) {
        if (live.has(companyContextJobId(job))) continue;
        // Not live when we looked: check again (it may have been queued since), then queue it. Same id, so
        // a dispatch racing this one is not doubled; a dead job of that id must go first.
        const existing = await this.queue.getJob(companyContextJobId(job));
        if (existing && LIVE_STATES.has(await existing.getState())) continue;
        await existing?.remove();
        await this.dispatch(job);
        queued += 1;
      }
      afterId = jobs[jobs.length - 1].clientId;
    }
  }

  /** Waits, but no longer than until the worker is told to stop. */
  private async pauseFor(ms: number): Promise<void> {
    await delay(ms, undefined, { signal: this.stopping.signal }).catch(() => undefined);
  }

  private async failedJob(id: string): Promise<Job<CompanyContextJob> | null> {
    const job = await this.queue.getJob(id);
    return job && (await job.isFailed()) ? job : null;
  }

  private async run(job: Job<CompanyContextJob>): Promise<string> {
    if (--this.jobsLeft <= 0) {
      // queue:work --once: Bull must not fetch the next job when this one ends. A local pause, without
      // waiting for the job in flight (this one), makes its move-to-finished fetch nothing.
      await this.queue.pause(true, true);
    }
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    let outcome = await this.processor.process(job.data, { lastAttempt, pacedByQueue: true });
    // The AI is down: the attempt was given back, and Bull must not count one either. The job keeps
    // its slot and tries again when the breaker says; at shutdown it ends, and the reconciler requeues
    // the record (still pending) when a worker starts again.
    while (outcome.kind === 'postponed' && this.working) {
      await this.pauseFor(outcome.delayMs);
      if (!this.working) break;
      outcome = await this.processor.process(job.data, { lastAttempt, pacedByQueue: true });
    }
    if (outcome.kind === 'retry') throw outcome.error;
    if (outcome.kind === 'failed') {
      // Our count of attempts is the record's: once it says failed, Bull must not try again.
      await job.discard();
      throw outcome.error;
    }
    return outcome.kind;
  }
}
