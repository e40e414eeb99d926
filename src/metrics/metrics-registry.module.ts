import { Module } from '@nestjs/common';
import { Metrics } from './metrics.service';

/**
 * The registry and the instruments code records into (HTTP, jobs, AI calls), for the modules that record
 * (AiModule) and for MetricsModule; Nest makes it one instance per application.
 */
@Module({
  providers: [Metrics],
  exports: [Metrics],
})
export class MetricsRegistryModule {}
