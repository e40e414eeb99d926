import { HttpModule } from '@nestjs/axios';
import { Module } from '@nestjs/common';
import { AiClient } from './ai-client';
import { PromptBuilder } from './prompt';

@Module({
  imports: [HttpModule],
  providers: [AiClient, PromptBuilder],
  exports: [AiClient, PromptBuilder],
})
export class AiModule {}
