import { Module } from '@nestjs/common';
import { AiModule } from '../ai/ai.module';
import { CompanyContextDispatcher } from './company-context.dispatcher';
import { CompanyContextProcessor } from './company-context.processor';
import { QueueOperationsModule } from './queue-connection.module';
import { JOB_HANDLER } from './queue-driver';
import { QueueWorker } from './queue-worker';

/** What the company-context job offers the rest of the service (and uses itself). */
const COMPANY_CONTEXT_EXPORTS = [CompanyContextProcessor, CompanyContextDispatcher, QueueWorker];

/**
 * The company-context job: its processor (the drivers' JOB_HANDLER), dispatching and the worker, over the
 * queue of QueueOperationsModule (the state machine, the records read as a queue, the queue's operations),
 * which it passes on. The root module gives it to QueueConnectionModule.forRoot as the module that runs jobs.
 */
@Module({
  imports: [QueueOperationsModule, AiModule],
  providers: [...COMPANY_CONTEXT_EXPORTS, { provide: JOB_HANDLER, useExisting: CompanyContextProcessor }],
  exports: [QueueOperationsModule, ...COMPANY_CONTEXT_EXPORTS, JOB_HANDLER],
})
export class CompanyContextModule {}
