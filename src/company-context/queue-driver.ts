import { CompanyContextJob } from './company-context.job';
import { ClaimedContext } from './company-context.state';

export const QUEUE_DRIVER = Symbol('QUEUE_DRIVER');
/** The JobHandler the drivers are given (the company-context processor). */
export const JOB_HANDLER = Symbol('JOB_HANDLER');
/** Whether this process takes jobs from its start (QueueWorker); set by QueueConnectionModule. */
export const WORKER_ENABLED = Symbol('WORKER_ENABLED');

/**
 * When the record is due again: `retryAt` is the time written into its context_available_at, and every
 * driver waits until then (msUntil(retryAt): Bull's delayed set, the database's claimNext, the sync
 * driver's timer). `delayMs` is that wait as it was when the record was written, for logs.
 */
export interface RetryTime {
  retryAt: Date;
  delayMs: number;
}

/**
 * What one attempt came to. The record alone decides it: its context_attempts say whether a failure is
 * final, and its context_available_at when the next try is due; drivers only carry that out.
 */
export type AttemptOutcome =
  | { kind: 'skipped' }
  | { kind: 'processed' }
  | { kind: 'discarded' }
  | ({ kind: 'retry'; error: Error } & RetryTime)
  /** The AI could not be reached: no attempt spent, try again at `retryAt`. */
  | ({ kind: 'postponed'; error: Error } & RetryTime)
  | { kind: 'failed'; error: Error };

export interface AttemptOptions {
  /** The queue spaces AI calls by AI_RATE_LIMIT across every worker itself (Bull's limiter), so this process does not. */
  pacedByQueue?: boolean;
}

/**
 * What a driver hands each job to, and all it knows of what a job does: the queue carries a record's id and
 * version, calls back, and carries out the outcome (a retry at the record's time, or done).
 */
export interface JobHandler {
  /** Runs the attempt a queued job stands for. */
  process(job: CompanyContextJob, options?: AttemptOptions): Promise<AttemptOutcome>;
  /** Runs an attempt the driver's storage has already claimed (the `database` driver claims and runs in one go). */
  attempt(claim: ClaimedContext, options?: AttemptOptions): Promise<AttemptOutcome>;
}

export interface QueueCounts {
  /** Ready to run now (held back too, while the queue is paused). */
  waiting: number;
  /** Running now. */
  active: number;
  /** Waiting for a retry time. */
  delayed: number;
  failed: number;
}

export interface QueueStatus extends QueueCounts {
  paused: boolean;
  /** How long the job that has waited longest has been due; null when nothing waits. */
  oldestWaitingMs: number | null;
}

export interface WorkerOptions {
  /** Stop taking jobs after this many (queue:work --once). */
  maxJobs?: number;
}

/**
 * What a driver takes care of by itself. Callers ask the driver, never QUEUE_CONNECTION, so that a
 * fourth driver changes no code outside its own file and the one place that picks it.
 */
export interface QueueCapabilities {
  /** The queue:* operator commands apply; false for sync, which has no queue (NoQueueError). */
  operable: boolean;
  /** Jobs are kept apart from their records (Redis), so one can be lost and workers reconcile now and then. */
  separateJobStore: boolean;
}

/**
 * One interface over the three ways jobs run: Bull on Redis, the SQL database itself, or inline (sync).
 * The driver is chosen in one place, QueueConnectionModule (queue-connection.module.ts). The operations below `counts` serve the queue:*
 * commands; the sync driver has no queue to operate and says so (NoQueueError). The failed list is not
 * a driver's: it is the records failed for good, on every driver (QueueOperations, RecordQueueStore).
 */
export interface QueueDriver {
  /** QUEUE_CONNECTION's value for this driver, for logs. */
  readonly name: string;
  readonly capabilities: QueueCapabilities;
  /** Makes sure the job will run. Resolves once it is safely queued. */
  dispatch(job: CompanyContextJob): Promise<void>;
  /** Best effort: drops a job that has not started (its record was deleted). */
  cancel(job: CompanyContextJob): Promise<void>;
  /** Starts taking jobs in this process, at most `concurrency` at a time. */
  startWorker(concurrency: number, options?: WorkerOptions): Promise<void>;
  /** Stops taking jobs and waits for the ones in flight. */
  stopWorker(): Promise<void>;
  counts(): Promise<QueueCounts>;

  status(): Promise<QueueStatus>;
  /** Deletes the jobs not yet running (waiting and delayed); answers how many. */
  clearWaiting(): Promise<number>;
  /** Pauses or resumes taking jobs, for every worker of this queue. */
  setPaused(paused: boolean): Promise<void>;
  /** Queues the records left pending or processing without a live job; answers how many. */
  reconcile(): Promise<number>;
}

/** What the sync driver answers to queue operations: it has no queue. */
export class NoQueueError extends Error {
  constructor() {
    super('QUEUE_CONNECTION=sync has no queue: jobs run inside the process that dispatches them');
    this.name = 'NoQueueError';
  }
}
