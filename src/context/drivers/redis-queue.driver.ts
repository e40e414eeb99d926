import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger } from '@nestjs/common';
import { Job, JobOptions, Queue } from 'bull';
import { AppConfig } from '../../config/app-config';
import {
  COMPANY_CONTEXT_JOB,
  COMPANY_CONTEXT_QUEUE,
  CompanyContextJob,
  companyContextJobId,
  retryDelayMs,
} from '../company-context.job';
import { CompanyContextProcessor } from '../company-context.processor';
import { QueueCounts, QueueDriver } from '../queue-driver';

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
  private readonly logger = new Logger('RedisQueue');
  private working = false;

  constructor(
    @InjectQueue(COMPANY_CONTEXT_QUEUE) private readonly queue: Queue<CompanyContextJob>,
    private readonly processor: CompanyContextProcessor,
    private readonly config: AppConfig,
  ) {}

  async dispatch(job: CompanyContextJob): Promise<void> {
    await this.queue.add(COMPANY_CONTEXT_JOB, job, companyContextJobOptions(this.config, job));
  }

  async cancel(job: CompanyContextJob): Promise<void> {
    const queued = await this.queue.getJob(companyContextJobId(job));
    if (queued && ((await queued.isWaiting()) || (await queued.isDelayed()))) await queued.remove();
  }

  async startWorker(concurrency: number): Promise<void> {
    this.working = true;
    // process() resolves only when the queue closes, so it is not awaited.
    this.queue
      .process(COMPANY_CONTEXT_JOB, concurrency, (job: Job<CompanyContextJob>) => this.run(job))
      .catch((error: Error) => this.logger.error(`worker stopped: ${error.message}`));
  }

  async stopWorker(): Promise<void> {
    if (!this.working) return;
    this.working = false;
    // A local pause stops taking jobs here and resolves when the ones in flight have finished.
    await this.queue.pause(true);
  }

  async counts(): Promise<QueueCounts> {
    const counts = await this.queue.getJobCounts();
    return { waiting: counts.waiting, active: counts.active, delayed: counts.delayed, failed: counts.failed };
  }

  private async run(job: Job<CompanyContextJob>): Promise<string> {
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const outcome = await this.processor.process(job.data, { lastAttempt });
    if (outcome.kind === 'retry') throw outcome.error;
    if (outcome.kind === 'failed') {
      // Our count of attempts is the record's: once it says failed, Bull must not try again.
      job.discard();
      throw outcome.error;
    }
    return outcome.kind;
  }
}
