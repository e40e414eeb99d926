import { Module } from '@nestjs/common';
import { MigrationRunCommand } from './migration-run.command';
import { QueueWorkCommand } from './queue-work.command';

@Module({ providers: [MigrationRunCommand, QueueWorkCommand] })
export class CommandsModule {}
