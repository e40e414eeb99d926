import { applyDecorators, Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiBodyErrors } from '../docs/api-responses';
import { schemaRef } from '../docs/api-schemas';
import { Public } from '../security/public.decorator';
import { AiHealthIndicator } from './ai.health';
import { INDICATOR_TIMEOUT_MS } from './health.constants';
import { QueueHealthIndicator } from './queue.health';

/** Terminus's shape, documented here rather than by terminus's generic examples. */
const HealthCheckRoute = (summary: string) =>
  applyDecorators(
    HealthCheck({ noCache: true, swaggerDocumentation: false }),
    ApiOperation({ summary }),
    ApiOkResponse({ description: 'Every check is up (`status: ok`)', schema: schemaRef('HealthCheckResult') }),
    ApiServiceUnavailableResponse({
      description: 'A check is down (`status: error`); `error` names it',
      schema: schemaRef('HealthCheckResult'),
    }),
  );

// Load balancers and orchestrators probe these without the API token, and must never be throttled.
@ApiTags('health')
@ApiBodyErrors()
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
  @HealthCheckRoute('Liveness: the process answers (no dependency is checked)')
  live() {
    return this.health.check([]);
  }

  /** Can take requests and jobs: database and queue. */
  @Get('ready')
  @HealthCheckRoute('Readiness: the database and the queue answer')
  ready() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: INDICATOR_TIMEOUT_MS }),
      () => this.queue.check('queue', false),
    ]);
  }

  /** Everything, with the queue's counts and the AI endpoint's reachability. */
  @Get()
  @HealthCheckRoute('Everything: database, queue (with its counts) and the AI endpoint')
  full() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: INDICATOR_TIMEOUT_MS }),
      () => this.queue.check('queue', true),
      () => this.ai.check('ai'),
    ]);
  }
}
