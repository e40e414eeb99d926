import { Inject, Injectable } from '@nestjs/common';
import { companyContextJobId, parseCompanyContextJobId } from './company-context.job';
import { CompanyContextState } from './company-context.state';
import { NoQueueError, QUEUE_DRIVER, QueueDriver } from './queue-driver';
import { FailedJob, RecordQueueStore } from './record-queue.store';

export interface RetryReport {
  /** One line per job, as queue:retry prints them. */
  lines: string[];
  retried: number;
  total: number;
  /** Ids that were not failed jobs. */
  missing: string[];
  summary: string;
}

/** A record with no failed job listed for it: there is nothing to retry (reprocess starts it over instead). */
export class NoFailedJobError extends Error {
  constructor(readonly clientId: number) {
    super(`Client ${clientId} has no failed job to retry (see queue:failed); reprocess it to start over`);
    this.name = 'NoFailedJobError';
  }
}

/**
 * The operator's queue operations with their rules and wording, shared by the queue:* commands and the
 * dashboard, so that neither can do what the other would refuse. The sync driver has no queue (NoQueueError).
 *
 * The failed list is the same on every driver: the records failed for good and not forgotten
 * (context_status failed, context_failed_at set). A queue keeps none of its own, so there is nothing to
 * keep in step; a retry restarts the record and dispatches its new version like any other job.
 */
@Injectable()
export class QueueOperations {
  constructor(
    @Inject(QUEUE_DRIVER) private readonly queue: QueueDriver,
    private readonly state: CompanyContextState,
    private readonly store: RecordQueueStore,
  ) {}

  /** The jobs that failed for good and are still listed, oldest first (queue:failed). */
  failedJobs(): Promise<FailedJob[]> {
    this.requireQueue();
    return this.store.failedJobs();
  }

  /** Puts failed jobs back, each as a fresh job with all its attempts; 'all' for every failed job. */
  async retry(ids: string[] | 'all'): Promise<RetryReport> {
    this.requireQueue();
    const wanted = ids === 'all' ? (await this.store.failedJobs()).map((job) => job.id) : ids;
    const report: RetryReport = { lines: [], retried: 0, total: wanted.length, missing: [], summary: '' };
    if (wanted.length === 0) return { ...report, summary: 'No failed jobs to retry.' };
    for (const id of wanted) {
      const line = await this.retryOne(id);
      if (line === null) {
        report.missing.push(id);
        report.lines.push(`${id}: no failed job with this id`);
      } else {
        report.retried += 1;
        report.lines.push(line);
      }
    }
    return { ...report, summary: `Retried ${report.retried} of ${wanted.length} job(s).` };
  }

  /** Retries the failed job listed for one record; NoFailedJobError when there is none. */
  async retryRecord(clientId: number): Promise<RetryReport> {
    this.requireQueue();
    const failed = (await this.store.failedJobs()).filter((job) => job.clientId === clientId);
    if (failed.length === 0) throw new NoFailedJobError(clientId);
    return this.retry(failed.map((job) => job.id));
  }

  /** Takes one failed job off the list (queue:forget); its record stays failed. False when no such job is listed. */
  async forget(id: string): Promise<boolean> {
    this.requireQueue();
    const job = parseCompanyContextJobId(id);
    return job !== null && (await this.store.forgetFailed(job)) > 0;
  }

  /** Takes every failed job off the list (queue:flush); answers how many. */
  flush(): Promise<number> {
    this.requireQueue();
    return this.store.forgetFailed();
  }

  /** Pauses or resumes taking jobs, for every worker of the queue; answers what it did. */
  async setPaused(paused: boolean): Promise<string> {
    this.requireQueue();
    await this.queue.setPaused(paused);
    return paused ? 'Queue paused: workers take no new jobs until queue:resume.' : 'Queue resumed.';
  }

  /**
   * The record goes back as a new version in one guarded update (only while it is listed), then its job is
   * dispatched. A queue that does not take it leaves the record pending: still not lost, the reconciler
   * queues it. The report's line, or null when `id` is not a listed failed job.
   */
  private async retryOne(id: string): Promise<string | null> {
    const failed = parseCompanyContextJobId(id);
    const version = failed && (await this.state.retryFailed(failed));
    if (!version) return null;
    const retried = { clientId: failed.clientId, version };
    try {
      await this.queue.dispatch(retried);
    } catch (error) {
      const cause = (error as Error).message;
      return `${id}: put back as ${companyContextJobId(retried)}, but the queue did not take it (${cause}); the reconciler will queue it`;
    }
    return `${id}: queued again as ${companyContextJobId(retried)}`;
  }

  private requireQueue(): void {
    if (!this.queue.capabilities.operable) throw new NoQueueError();
  }
}
