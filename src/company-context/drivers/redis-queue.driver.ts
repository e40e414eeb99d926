import { BullModule, InjectQueue } from '@nestjs/bull';
import { DynamicModule, Inject, Injectable, Logger } from '@nestjs/common';
import { Job, JobOptions, Queue } from 'bull';
import { AppConfig } from '../../config/app-config';
import { COMPANY_CONTEXT_JOB, COMPANY_CONTEXT_QUEUE, CompanyContextJob, companyContextJobId, msUntil } from '../company-context.job';
import { JOB_HANDLER, JobHandler, QueueCapabilities, QueueCounts, QueueDriver, QueueStatus, WorkerOptions } from '../queue-driver';
import { RecordQueueStore } from '../record-queue.store';

/** Bull's states in which a job will still run. */
const LIVE_STATES = new Set(['waiting', 'paused', 'active', 'delayed']);
const RECONCILE_PAGE = 500;

/**
 * What the handler throws when the record says "try again at retryAt" (a failed attempt with tries left,
 * or one given back while the AI is down). Bull hands it to RECORD_BACKOFF, which waits exactly until then.
 */
export class RetryAtRecordTime extends Error {
  constructor(
    cause: Error,
    readonly retryAt: Date,
  ) {
    super(cause.message);
    this.name = 'RetryAtRecordTime';
  }
}

export const RECORD_BACKOFF = 'record';

/**
 * Bull's backoff: the wait until the record's retry time, carried by the error; -1 (no retry) for any
 * other error, which ends the job (removeOnFail) and leaves its record open for the reconciler to queue
 * again. Bull's own count of attempts is never consulted.
 */
export function recordBackoff(_attemptsMade: number, error: unknown): number {
  return error instanceof RetryAtRecordTime ? msUntil(error.retryAt) : -1;
}

/**
 * Registered with Bull by bullModules. 'doubling' is the strategy named in the options of jobs
 * queued by earlier versions (Bull counted their attempts): still in Redis after an upgrade, they follow
 * the record too.
 */
export const BULL_BACKOFF_STRATEGIES = { [RECORD_BACKOFF]: recordBackoff, doubling: recordBackoff };

/** Bull's root (the Redis connection, its settings) and the queue the driver injects; QueueConnectionModule imports them. */
export function bullModules(config: AppConfig): DynamicModule[] {
  return [
    BullModule.forRoot({
      url: config.queue.redisUrl,
      settings: {
        // A retry waits until the record's retry time; Bull keeps no count of its own.
        backoffStrategies: BULL_BACKOFF_STRATEGIES,
        // A dead worker's job is taken over after about this long (the lock is renewed at half of it).
        lockDuration: config.queue.stalledMs,
        lockRenewTime: config.queue.stalledMs / 2,
        stalledInterval: config.queue.stalledMs,
      },
    }),
    BullModule.registerQueue({
      name: COMPANY_CONTEXT_QUEUE,
      // AI_RATE_LIMIT across every worker: one job start per 60 s / limit.
      ...(config.ai.rateLimit > 0 ? { limiter: { max: 1, duration: Math.ceil(60_000 / config.ai.rateLimit) } } : {}),
    }),
  ];
}

/**
 * Every company-context job's options, set in one place. The record is the only clock: its
 * context_attempts decide whether a failure is final, its context_available_at when the next try runs.
 * Bull never stops a job on its own count (`attempts` is unbounded; RECORD_BACKOFF decides), and keeps no
 * failed list: a record failed for good is the failed list (queue:failed), its job simply completes.
 *
 * A retry is a throw that Bull turns into a delay, not "complete this job and add a delayed one": the job
 * moves from active to delayed in one Redis script and keeps its id, client-<id>-v<version>. So a repeated
 * dispatch of the same original is still ignored, cancel still finds the waiting job and removes it,
 * reconcile sees it live, and no worker dying between "complete" and "add" can lose it.
 */
export function companyContextJobOptions(job: CompanyContextJob): JobOptions {
  return {
    jobId: companyContextJobId(job),
    attempts: Number.MAX_SAFE_INTEGER,
    backoff: { type: RECORD_BACKOFF },
    removeOnComplete: true,
    removeOnFail: true,
  };
}

/** QUEUE_CONNECTION=redis: Bull on Redis. Delivery is at least once; the claim token makes a second run harmless. */
@Injectable()
export class RedisQueueDriver implements QueueDriver {
  readonly name = 'redis';
  readonly capabilities: QueueCapabilities = { operable: true, separateJobStore: true };
  private readonly logger = new Logger('RedisQueue');
  private working = false;
  private jobsLeft = Infinity;

  constructor(
    @InjectQueue(COMPANY_CONTEXT_QUEUE) private readonly queue: Queue<CompanyContextJob>,
    @Inject(JOB_HANDLER) private readonly handler: JobHandler,
    private readonly store: RecordQueueStore,
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
    await this.queue.add(COMPANY_CONTEXT_JOB, job, companyContextJobOptions(job));
  }

  async cancel(job: CompanyContextJob): Promise<void> {
    const queued = await this.queue.getJob(companyContextJobId(job));
    if (queued && ((await queued.isWaiting()) || (await queued.isDelayed()))) await queued.remove();
  }

  async startWorker(concurrency: number, options: WorkerOptions = {}): Promise<void> {
    this.working = true;
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
    // A local pause stops taking jobs here and resolves when the ones in flight have finished.
    await this.queue.pause(true);
  }

  async counts(): Promise<QueueCounts> {
    // The failed jobs are the records failed for good (Bull keeps none; see companyContextJobOptions).
    const [counts, failed] = await Promise.all([this.queue.getJobCounts(), this.store.failedCount()]);
    // A globally paused queue keeps its waiting jobs in a list of their own.
    const paused = (counts as Partial<Record<'paused', number>>).paused ?? 0;
    return { waiting: counts.waiting + paused, active: counts.active, delayed: counts.delayed, failed };
  }

  async status(): Promise<QueueStatus> {
    const [counts, paused, oldest] = await Promise.all([this.counts(), this.queue.isPaused(), this.queue.getWaiting(0, 0)]);
    const since = Math.min(...oldest.filter(Boolean).map((job) => job.timestamp + (job.opts.delay ?? 0)));
    return { ...counts, paused, oldestWaitingMs: Number.isFinite(since) ? Math.max(0, Date.now() - since) : null };
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
    // Bull's failed list is not the failed list (the records are): what is in it was left by an earlier
    // version, which kept failed jobs there, or ended by Bull itself (a job stalled twice). Deleted here;
    // a record still open among them has no live job any more and is queued below.
    const stray = await this.queue.clean(0, 'failed');
    if (stray.length > 0)
      this.logger.log(`reconcile: deleted ${stray.length} job(s) from Bull's failed list (queue:failed reads the records)`);
    // One look at every live job first: asking Bull each record's state costs several round trips and a
    // scan of the waiting list per record (a pass over 3,000 live jobs took 6 s that way, 2 s pipelined).
    // ('paused' is a list getJobs reads, though Bull's types leave it out.)
    // The ids alone: getRanges is what Bull's getJobs reads them with (untyped), before it reads each job's
    // hash too (1.3 s of a pass over 10,000 live jobs).
    const ranges = this.queue as Queue<CompanyContextJob> & { getRanges(types: string[]): Promise<(string | number)[]> };
    const live = new Set((await ranges.getRanges([...LIVE_STATES])).map(String));
    let queued = 0;
    for (let afterId = 0; ;) {
      const jobs = await this.store.openJobs(afterId, RECONCILE_PAGE);
      if (jobs.length === 0) return queued;
      queued += await this.queueMissing(jobs.filter((job) => !live.has(companyContextJobId(job))));
      afterId = jobs[jobs.length - 1].clientId;
    }
  }

  /**
   * Queues the jobs of open records that had no live job when reconcile looked: one pipelined look at
   * which have no job at all (the usual case: Redis lost or emptied), all of those added in one round trip
   * (Bull's add does nothing for an id that exists meanwhile, so a dispatch racing this is not doubled);
   * a job that does exist but was not live is checked again on its own, and a dead one removed first.
   */
  private async queueMissing(jobs: CompanyContextJob[]): Promise<number> {
    if (jobs.length === 0) return 0;
    const pipeline = this.queue.client.pipeline();
    for (const job of jobs) pipeline.exists(this.queue.toKey(companyContextJobId(job)));
    const exists = ((await pipeline.exec()) ?? []).map(([error, found]) => error !== null || found === 1);
    const absent = jobs.filter((_, index) => !exists[index]);
    await this.queue.addBulk(absent.map((job) => ({ name: COMPANY_CONTEXT_JOB, data: job, opts: companyContextJobOptions(job) })));
    let queued = absent.length;
    for (const job of jobs.filter((_, index) => exists[index])) {
      const existing = await this.queue.getJob(companyContextJobId(job));
      if (existing && LIVE_STATES.has(await existing.getState())) continue;
      await existing?.remove();
      await this.dispatch(job);
      queued += 1;
    }
    return queued;
  }

  private async run(job: Job<CompanyContextJob>): Promise<string> {
    if (--this.jobsLeft <= 0) {
      // queue:work --once: Bull must not fetch the next job when this one ends. A local pause, without
      // waiting for the job in flight (this one), makes its move-to-finished fetch nothing.
      await this.queue.pause(true, true);
    }
    const outcome = await this.handler.process(job.data, { pacedByQueue: true });
    // A failed attempt with tries left, or one given back while the AI is down: the same job runs again
    // when the record is due (RECORD_BACKOFF), and the worker takes other jobs meanwhile.
    if (outcome.kind === 'retry' || outcome.kind === 'postponed') throw new RetryAtRecordTime(outcome.error, outcome.retryAt);
    // Processed, failed for good (the record now lists it), discarded or skipped: the job is done.
    return outcome.kind;
  }
}
