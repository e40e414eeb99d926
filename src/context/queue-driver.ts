import { CompanyContextJob } from './company-context.job';

export const QUEUE_DRIVER = Symbol('QUEUE_DRIVER');

export interface QueueCounts {
  /** Ready to run now. */
  waiting: number;
  /** Running now. */
  active: number;
  /** Waiting for a retry time. */
  delayed: number;
  failed: number;
}

/**
 * One interface over the three ways jobs run: Bull on Redis, the SQL database itself, or inline (sync).
 * The driver is chosen in one place, ContextModule.
 */
export interface QueueDriver {
  /** Makes sure the job will run. Resolves once it is safely queued. */
  dispatch(job: CompanyContextJob): Promise<void>;
  /** Best effort: drops a job that has not started (its record was deleted). */
  cancel(job: CompanyContextJob): Promise<void>;
  /** Starts taking jobs in this process, at most `concurrency` at a time. */
  startWorker(concurrency: number): Promise<void>;
  /** Stops taking jobs and waits for the ones in flight. */
  stopWorker(): Promise<void>;
  counts(): Promise<QueueCounts>;
}
