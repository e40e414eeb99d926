import { Controller, Get, Header } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { Registry } from 'prom-client';
import { Metrics } from './metrics.service';

// Needs API_TOKEN when one is set, like every route but /health* (Prometheus sends it as a bearer token);
// scrapes are never throttled, so a scrape interval cannot eat a client's rate limit.
@SkipThrottle()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('Content-Type', Registry.PROMETHEUS_CONTENT_TYPE)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.exposition();
  }
}
