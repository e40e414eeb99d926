import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AiClient } from '../ai/ai-client';
import { AiServerProbe } from '../ai/ai-server-probe';
import { AppConfig } from '../config/app-config';
import { QUEUE_DRIVER, QueueDriver, WORKER_ENABLED, WorkerOptions } from './queue-driver';

const STOP_GRACE_MS = 5_000;

/**
 * Takes jobs in this process: from start-up when the process is a worker (the API with RUN_WORKER=true,
 * worker.ts), or when `queue:work` asks. Stops taking jobs on shutdown and waits for the ones in flight.
 * While it works it also reconciles (at start and every RECONCILE_INTERVAL_MS): records the queue lost
 * are queued again.
 */
@Injectable()
export class QueueWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Worker');
  private started = false;
  private reconcileTimer?: NodeJS.Timeout;
  private reconciling?: Promise<number>;

  constructor(
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    @Inject(WORKER_ENABLED) private readonly enabled: boolean,
    private readonly config: AppConfig,
    private readonly ai: AiClient,
    private readonly aiServer: AiServerProbe,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.enabled) await this.start();
  }

  async start(concurrency = this.config.queue.concurrency, options: WorkerOptions = {}): Promise<void> {
    if (this.started) return;
    await this.driver.startWorker(concurrency, options);
    this.started = true;
    this.logger.log(`taking company-context jobs: driver ${this.driver.name}, concurrency ${concurrency}`);
    this.logger.log(this.ai.describe());
    // Not awaited: the GPU box may come up later, and the worker waits for it rather than refusing to start.
    if (this.aiServer.checksModel) {
      void this.aiServer.check().then(({ ok, problem }) => {
        if (!ok) this.logger.warn(`AI server not ready at start: ${problem}; jobs fail or wait until it is`);
      });
    }
    if (this.driver.capabilities.separateJobStore) this.scheduleReconcile();
  }

  /** Queues the records left without a job; logs what it did. Runs one pass at a time. */
  reconcile(): Promise<number> {
    this.reconciling ??= this.driver
      .reconcile()
      .then((queued) => {
        if (queued > 0) this.logger.warn(`reconcile: queued ${queued} record(s) left pending or processing without a job`);
        return queued;
      })
      .finally(() => (this.reconciling = undefined));
    return this.reconciling;
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    await this.stop(signal);
  }

  async stop(signal?: string): Promise<void> {
    if (!this.started) return;
    this.started = false;
    clearTimeout(this.reconcileTimer);
    this.logger.log(`stopping${signal ? ` on ${signal}` : ''}: no new jobs, waiting for the ones in flight`);
    // A job in flight aborts itself at JOB_TIMEOUT_MS; past that (a queue that cannot be reached), give up waiting.
    const limitMs = this.config.queue.jobTimeoutMs + STOP_GRACE_MS;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = await Promise.race([
      Promise.all([this.driver.stopWorker(), this.reconciling?.catch(() => 0)]).then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), limitMs))),
    ]);
    clearTimeout(timer);
    if (gaveUp) this.logger.warn(`stopped without confirmation after ${limitMs} ms; unfinished jobs will be retried`);
    else this.logger.log('stopped');
  }

  // The first pass runs at once; each next one RECONCILE_INTERVAL_MS after the previous ended (0: no next).
  private scheduleReconcile(delayMs = 0): void {
    const intervalMs = this.config.queue.reconcileIntervalMs;
    this.reconcileTimer = setTimeout(() => {
      this.reconcile()
        .catch((error: Error) => this.logger.warn(`reconcile failed: ${error.message}`))
        .finally(() => {
          if (this.started && intervalMs > 0) this.scheduleReconcile(intervalMs);
        });
    }, delayMs);
    this.reconcileTimer.unref();
  }
}
