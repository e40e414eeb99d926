import { Module } from '@nestjs/common';
import { CompanyContextModule } from '../company-context/company-context.module';
import { MetricsCollectionModule } from '../metrics/metrics-collection.module';
import { CommandLineSetup } from './command-line-setup';
import { QueueWorkCommand } from './queue-work.command';

/** `queue:work` alone, which src/cli.ts runs on the worker's module graph (WorkerModule), as worker.ts does. */
@Module({
  imports: [CompanyContextModule, MetricsCollectionModule],
  providers: [CommandLineSetup, QueueWorkCommand],
})
export class QueueWorkModule {}
