import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { CompanyContextJob, companyContextJobId } from './company-context.job';
import { JobLog } from './job-log';
import { QUEUE_DRIVER, QueueDriver } from './queue-driver';

/** A queue that does not answer within this time is given up on; the reconciler queues the record later. */
const DISPATCH_TIMEOUT_MS = 5_000;

/**
 * The one way jobs are added. A dispatch runs after the record is committed and is never awaited by
 * the request: a queue that is down or slow must not fail or delay saving a client.
 */
@Injectable()
export class CompanyContextDispatcher implements BeforeApplicationShutdown {
  private readonly jobLog: JobLog;
  private readonly pending = new Set<Promise<boolean>>();

  constructor(
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    config: AppConfig,
  ) {
    this.jobLog = new JobLog('CompanyContext', config.queue.connection);
  }

  /** Queues the job in the background; the returned promise tells whether it was queued, and never rejects. */
  dispatch(job: CompanyContextJob): Promise<boolean> {
    const attempt = this.enqueue(job).finally(() => this.pending.delete(attempt));
    this.pending.add(attempt);
    return attempt;
  }

  /** Best effort: a job still waiting for a deleted record is dropped (if it runs anyway, it ends quietly). */
  async cancel(job: CompanyContextJob): Promise<void> {
    await this.driver.cancel(job).catch((error: Error) => this.jobLog.about(job).warn(`could not drop its queued job: ${error.message}`));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.pending);
  }

  private async enqueue(job: CompanyContextJob): Promise<boolean> {
    // Let the response go out first: the enqueue's own synchronous work (serialising, the Redis
    // command) then never sits on the request's path (about 1 ms a POST, measured by bench/).
    await new Promise((resolve) => setImmediate(resolve));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the queue did not answer within ${DISPATCH_TIMEOUT_MS} ms`)), DISPATCH_TIMEOUT_MS);
    });
    try {
      await Promise.race([this.driver.dispatch(job), timeout]);
      this.jobLog.about(job).log(`dispatched as ${companyContextJobId(job)}`);
      return true;
    } catch (error) {
      this.jobLog.about(job).warn(`could not be queued (${(error as Error).message}); the reconciler will queue it`);
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
