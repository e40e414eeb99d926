import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { MetricsRegistryModule } from '../metrics/metrics-registry.module';
import { AiBreaker } from './ai-breaker';
import { AiClient } from './ai-client';
import { PromptBuilder } from './prompt';

@Module({
  imports: [HttpModule, MetricsRegistryModule],
  providers: [AiClient, AiBreaker, PromptBuilder],
  exports: [AiClient, AiBreaker, PromptBuilder],
})
export class AiModule {}
