import { Controller, Get } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Public } from '../security/public.decorator';
import { AiHealthIndicator } from './ai.health';
import { INDICATOR_TIMEOUT_MS } from './health.constants';
import { QueueHealthIndicator } from './queue.health';

// Load balancers and orchestrators probe these without the API token, and must never be throttled.
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly queue: QueueHealthIndicator,
    private readonly ai: AiHealthIndicator,
  ) {}

  /** The process answers. */
  @Get('live')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Can take requests and jobs: database and queue. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: INDICATOR_TIMEOUT_MS }),
      () => this.queue.check('queue', false),
    ]);
  }

  /** Everything, with the queue's counts and the AI endpoint's reachability. */
  @Get()
  @HealthCheck()
  full() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: INDICATOR_TIMEOUT_MS }),
      () => this.queue.check('queue', true),
      () => this.ai.check('ai'),
    ]);
  }
}
