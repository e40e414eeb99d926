import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { CompanyContextJob } from '../company-context.job';
import { CompanyContextProcessor } from '../company-context.processor';
import { CompanyContextState } from '../company-context.state';
import { QueueCounts, QueueDriver } from '../queue-driver';

/**
 * QUEUE_CONNECTION=database: the records are the queue. A pending, due record is a waiting job; workers
 * claim one at a time (see CompanyContextState.claimNext), and the retry time is kept on the record.
 */
@Injectable()
export class DatabaseQueueDriver implements QueueDriver {
  private readonly logger = new Logger('DatabaseQueue');
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly sleepers = new Set<() => void>();

  constructor(
    private readonly state: CompanyContextState,
    private readonly processor: CompanyContextProcessor,
    private readonly config: AppConfig,
  ) {}

  /** The record is pending already: that is the job. Wake an idle worker in this process. */
  async dispatch(_job: CompanyContextJob): Promise<void> {
    this.wakeUp();
  }

  /** Deleting the record deleted the job. */
  async cancel(_job: CompanyContextJob): Promise<void> {}

  async startWorker(concurrency: number): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.loops = Array.from({ length: concurrency }, () => this.work());
  }

  async stopWorker(): Promise<void> {
    this.running = false;
    this.wakeUp();
    await Promise.all(this.loops);
    this.loops = [];
  }

  async counts(): Promise<QueueCounts> {
    return this.state.counts();
  }

  private async work(): Promise<void> {
    while (this.running) {
      try {
        const claim = await this.state.claimNext();
        if (claim) await this.processor.attempt(claim);
        else await this.sleep();
      } catch (error) {
        // The database is unreachable or refused a write: wait and try again, the record keeps its state.
        this.logger.warn(`cannot take or finish a job: ${(error as Error).message}; retrying in ${this.config.queue.pollMs} ms`);
        await this.sleep();
      }
    }
  }

  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, this.config.queue.pollMs);
      this.sleepers.add(wake);
    });
  }

  private wakeUp(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}
