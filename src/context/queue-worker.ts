import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { QUEUE_DRIVER, QueueDriver } from './queue-driver';

export const WORKER_ENABLED = Symbol('WORKER_ENABLED');

/** Starts taking jobs once the application is up (if this process is a worker) and stops cleanly on shutdown. */
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
    if (!this.enabled) return;
    await this.driver.startWorker();
    this.started = true;
    const { connection, concurrency } = this.config.queue;
    this.logger.log(`taking company-context jobs: driver ${connection}, concurrency ${concurrency}`);
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (!this.started) return;
    this.logger.log(`stopping${signal ? ` on ${signal}` : ''}: no new jobs, waiting for the ones in flight`);
    await this.driver.stopWorker();
    this.started = false;
    this.logger.log('stopped');
  }
}
