import { CompanyContextJob } from './company-context.job';

export const QUEUE_DRIVER = Symbol('QUEUE_DRIVER');

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
 * The driver is chosen in one place, QueueConnectionModule (company-context.module.ts). The operations below `counts` serve the queue:*
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
