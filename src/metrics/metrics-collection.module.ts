import { Module } from '@nestjs/common';
import { AiModule } from '../ai/ai.module';
import { CompanyContextModule } from '../company-context/company-context.module';
import { MetricsListener } from './metrics-listener';
import { MetricsRegistryModule } from './metrics-registry.module';
import { ScrapeCollectors } from './scrape-collectors';

/**
 * Prometheus metrics without the API's route: the registry, the gauges read at scrape time, and the
 * metrics-only listener of a dedicated worker (METRICS_PORT). The worker's module graph imports this one
 * alone; MetricsModule adds GET /metrics (and, through its controller, Swagger's decorators) for the API.
 */
@Module({
  imports: [MetricsRegistryModule, AiModule, CompanyContextModule],
  providers: [ScrapeCollectors, MetricsListener],
  exports: [MetricsRegistryModule, MetricsListener],
})
export class MetricsCollectionModule {}
