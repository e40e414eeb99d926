import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { AiModule } from '../ai/ai.module';
import { CompanyContextModule } from '../company-context/company-context.module';
import { SecurityModule } from '../security/security.module';
import { AiHealthIndicator } from './ai.health';
import { HealthController } from './health.controller';
import { QueueHealthIndicator } from './queue.health';

@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'pretty' }), AiModule, CompanyContextModule, SecurityModule],
  controllers: [HealthController],
  providers: [QueueHealthIndicator, AiHealthIndicator],
  exports: [AiHealthIndicator],
})
export class HealthModule {}
