import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { QUEUE_DRIVER, QueueDriver } from './queue-driver';

export const WORKER_ENABLED = Symbol('WORKER_ENABLED');
const STOP_GRACE_MS = 5_000;

/**
 * Takes jobs in this process: from start-up when the process is a worker (the API with RUN_WORKER=true,
 * worker.ts), or when `queue:work` asks. Stops taking jobs on shutdown and waits for the ones in flight.
 */
@Injectable()
export class QueueWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private started = false;

  constructor(
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    @Inject(WORKER_ENABLED) private readonly enabled: boolean,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.enabled) await this.start();
  }

  async start(concurrency = this.config.queue.concurrency): Promise<void> {
    if (this.started) return;
    await this.driver.startWorker(concurrency);
    this.started = true;
    this.logger.log(`taking company-context jobs: driver ${this.config.queue.connection}, concurrency ${concurrency}`);
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    await this.stop(signal);
  }

  async stop(signal?: string): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.logger.log(`stopping${signal ? ` on ${signal}` : ''}: no new jobs, waiting for the ones in flight`);
    // A job in flight aborts itself at JOB_TIMEOUT_MS; past that (a queue that cannot be reached), give up waiting.
    const limitMs = this.config.queue.jobTimeoutMs + STOP_GRACE_MS;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      this.driver.stopWorker().then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), limitMs))),
    ]);
    clearTimeout(timer);
    if (gaveUp) this.logger.warn(`stopped without confirmation after ${limitMs} ms; unfinished jobs will be retried`);
    else this.logger.log('stopped');
  }
}
