import { Controller, Get, Header, HttpStatus } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiBodyErrors, ApiErrors, BEARER_SCHEME } from '../docs/api-responses';
import { Registry } from 'prom-client';
import { Metrics } from './metrics.service';

// Needs API_TOKEN when one is set, like every route but /health* (Prometheus sends it as a bearer token);
// scrapes are never throttled, so a scrape interval cannot eat a client's rate limit.
@ApiTags('operations')
@ApiBearerAuth(BEARER_SCHEME)
@ApiBodyErrors()
@ApiErrors(HttpStatus.UNAUTHORIZED)
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @ApiOperation({ summary: 'Prometheus metrics: HTTP, jobs, AI calls, queue, records, process (README, "Metrics and alerts")' })
  @ApiOkResponse({ description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } })
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.exposition();
  }
}
