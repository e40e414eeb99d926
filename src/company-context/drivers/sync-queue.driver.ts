import { Inject, Injectable } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { AppConfig } from '../../config/app-config';
import { CompanyContextJob, msUntil } from '../company-context.job';
import { JobLog } from '../job-log';
import { JOB_HANDLER, JobHandler, NoQueueError, QueueCapabilities, QueueCounts, QueueDriver, QueueStatus } from '../queue-driver';

/**
 * QUEUE_CONNECTION=sync: jobs run in this process as soon as they are dispatched (after the response,
 * never awaited by it), retries included; no queue survives the process. Meant for tests and demos.
 */
@Injectable()
export class SyncQueueDriver implements QueueDriver {
  readonly name = 'sync';
  readonly capabilities: QueueCapabilities = { operable: false, separateJobStore: false };
  private readonly jobLog: JobLog;
  private readonly waiting: CompanyContextJob[] = [];
  private readonly running = new Set<Promise<void>>();
  private readonly stopping = new AbortController();

  constructor(
    @Inject(JOB_HANDLER) private readonly handler: JobHandler,
    private readonly config: AppConfig,
  ) {
    this.jobLog = new JobLog('SyncQueue', this.name);
  }

  async dispatch(job: CompanyContextJob): Promise<void> {
    this.waiting.push(job);
    this.pump();
  }

  async cancel(job: CompanyContextJob): Promise<void> {
    const index = this.waiting.findIndex((queued) => queued.clientId === job.clientId && queued.version === job.version);
    if (index >= 0) this.waiting.splice(index, 1);
  }

  /** Jobs run whether or not a worker is asked for: that is what sync means. */
  async startWorker(_concurrency: number): Promise<void> {}

  async stopWorker(): Promise<void> {
    this.stopping.abort();
    this.waiting.length = 0;
    await Promise.allSettled([...this.running]);
  }

  /** What this process holds in memory; failed records are in the database (GET /clients?context_status=failed). */
  async counts(): Promise<QueueCounts> {
    return { waiting: this.waiting.length, active: this.running.size, delayed: 0, failed: 0 };
  }

  // Jobs live in this process only: there is no queue for an operator to inspect or steer.
  status(): Promise<QueueStatus> {
    throw new NoQueueError();
  }

  clearWaiting(): Promise<number> {
    throw new NoQueueError();
  }

  setPaused(_paused: boolean): Promise<void> {
    throw new NoQueueError();
  }

  reconcile(): Promise<number> {
    throw new NoQueueError();
  }

  // QUEUE_CONCURRENCY holds here too, so a burst does not flood the AI server.
  private pump(): void {
    while (this.running.size < this.config.queue.concurrency && this.waiting.length > 0) {
      const run = this.runToTheEnd(this.waiting.shift()!).finally(() => {
        this.running.delete(run);
        this.pump();
      });
      this.running.add(run);
    }
  }

  private async runToTheEnd(job: CompanyContextJob): Promise<void> {
    try {
      for (;;) {
        const outcome = await this.handler.process(job);
        if ((outcome.kind !== 'retry' && outcome.kind !== 'postponed') || this.stopping.signal.aborted) return;
        await delay(msUntil(outcome.retryAt), undefined, { signal: this.stopping.signal });
      }
    } catch (error) {
      if (!this.stopping.signal.aborted) this.jobLog.about(job).error((error as Error).message);
    }
  }
}
