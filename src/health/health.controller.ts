import { applyDecorators, Controller, Get, HttpStatus, Req, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckResult, HealthCheckService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { Request, Response } from 'express';
import { ApiBodyErrors } from '../docs/api-responses';
import { schemaRef } from '../docs/api-schemas';
import { ApiToken } from '../security/api-token';
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
    private readonly apiToken: ApiToken,
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

  /**
   * Everything, with the queue's counts and the AI endpoint's reachability. With API_TOKEN set, only a
   * request carrying the token sees those details; any other caller gets the overall status alone
   * (`{ status }`, same 200 or 503), so that an open probe tells nothing about the inside.
   */
  @Get()
  @HealthCheckRoute('Everything: database, queue (with its counts) and the AI endpoint; details only with the token when API_TOKEN is set')
  async full(@Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<HealthCheckResult | { status: string }> {
    const check = this.health.check([
      () => this.database.pingCheck('database', { timeout: INDICATOR_TIMEOUT_MS }),
      () => this.queue.check('queue', true),
      () => this.ai.check('ai'),
    ]);
    if (this.apiToken.authorises(request)) return check;
    try {
      return { status: (await check).status };
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      response.status(HttpStatus.SERVICE_UNAVAILABLE);
      return { status: 'error' };
    }
  }
}
