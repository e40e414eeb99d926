import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { MetricsRegistryModule } from '../metrics/metrics-registry.module';
import { AiBreaker } from './ai-breaker';
import { AiClient } from './ai-client';
import { AiServerProbe } from './ai-server-probe';
import { PromptBuilder } from './prompt';

@Module({
  imports: [HttpModule, MetricsRegistryModule],
  providers: [AiClient, AiBreaker, AiServerProbe, PromptBuilder],
  exports: [AiClient, AiBreaker, AiServerProbe, PromptBuilder],
})
export class AiModule {}
