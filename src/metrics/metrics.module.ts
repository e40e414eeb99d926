import { Module } from '@nestjs/common';
import { AiModule } from '../ai/ai.module';
import { CompanyContextModule } from '../company-context/company-context.module';
import { MetricsController } from './metrics.controller';
import { MetricsListener } from './metrics-listener';
import { MetricsRegistryModule } from './metrics-registry.module';
import { ScrapeCollectors } from './scrape-collectors';

/**
 * Prometheus metrics: GET /metrics on the API, a metrics-only listener for dedicated workers
 * (METRICS_PORT), and the gauges read at scrape time.
 */
@Module({
  imports: [MetricsRegistryModule, AiModule, CompanyContextModule],
  controllers: [MetricsController],
  providers: [ScrapeCollectors, MetricsListener],
  exports: [MetricsRegistryModule, MetricsListener],
})
export class MetricsModule {}
