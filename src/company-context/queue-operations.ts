import { Inject, Injectable } from '@nestjs/common';
import { NoQueueError, QUEUE_DRIVER, QueueDriver } from './queue-driver';

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
 */
@Injectable()
export class QueueOperations {
  constructor(@Inject(QUEUE_DRIVER) private readonly queue: QueueDriver) {}

  /** Puts failed jobs back, each as a fresh job with all its attempts; 'all' for every failed job. */
  async retry(ids: string[] | 'all'): Promise<RetryReport> {
    this.requireQueue();
    const wanted = ids === 'all' ? (await this.queue.failedJobs()).map((job) => job.id) : ids;
    const report: RetryReport = { lines: [], retried: 0, total: wanted.length, missing: [], summary: '' };
    if (wanted.length === 0) return { ...report, summary: 'No failed jobs to retry.' };
    for (const id of wanted) {
      const outcome = await this.queue.retryFailed(id);
      if (outcome.result === 'retried') {
        report.retried += 1;
        report.lines.push(`${id}: queued again as ${outcome.newId}`);
      } else if (outcome.result === 'dropped') {
        report.lines.push(`${id}: not retried, ${outcome.reason}; the failed job was removed`);
      } else {
        report.missing.push(id);
        report.lines.push(`${id}: no failed job with this id`);
      }
    }
    return { ...report, summary: `Retried ${report.retried} of ${wanted.length} job(s).` };
  }

  /** Retries the failed job listed for one record; NoFailedJobError when there is none. */
  async retryRecord(clientId: number): Promise<RetryReport> {
    this.requireQueue();
    const failed = (await this.queue.failedJobs()).filter((job) => job.clientId === clientId);
    if (failed.length === 0) throw new NoFailedJobError(clientId);
    return this.retry(failed.map((job) => job.id));
  }

  /** Pauses or resumes taking jobs, for every worker of the queue; answers what it did. */
  async setPaused(paused: boolean): Promise<string> {
    this.requireQueue();
    await this.queue.setPaused(paused);
    return paused ? 'Queue paused: workers take no new jobs until queue:resume.' : 'Queue resumed.';
  }

  private requireQueue(): void {
    if (!this.queue.capabilities.operable) throw new NoQueueError();
  }
}
