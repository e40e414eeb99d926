import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';
import { QUEUE_DRIVER, QueueDriver } from '../company-context/queue-driver';
import { INDICATOR_TIMEOUT_MS, withTimeout } from './health.constants';

@Injectable()
export class QueueHealthIndicator {
  constructor(
    @Inject(QUEUE_DRIVER) private readonly driver: QueueDriver,
    private readonly health: HealthIndicatorService,
    private readonly config: AppConfig,
  ) {}

  /** Up when the queue answers; `withCounts` adds waiting, active, delayed and failed. */
  async check(key: string, withCounts: boolean) {
    const indicator = this.health.check(key);
    const connection = this.config.queue.connection;
    try {
      const counts = await withTimeout(this.driver.counts(), INDICATOR_TIMEOUT_MS, `the ${connection} queue`);
      return indicator.up(withCounts ? { connection, ...counts } : { connection });
    } catch (error) {
      return indicator.down({ connection, message: (error as Error).message });
    }
  }
}
