import { Module } from '@nestjs/common';
import { MetricsCollectionModule } from './metrics-collection.module';
import { MetricsController } from './metrics.controller';

/**
 * Prometheus metrics: GET /metrics on the API, over MetricsCollectionModule (the registry, the gauges read
 * at scrape time, the metrics-only listener for dedicated workers).
 */
@Module({
  imports: [MetricsCollectionModule],
  controllers: [MetricsController],
  exports: [MetricsCollectionModule],
})
export class MetricsModule {}
