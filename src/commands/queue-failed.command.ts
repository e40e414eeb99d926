import { Command, Option } from 'nest-commander';
import { QueueOperations } from '../company-context/queue-operations';
import { printJson, printLine, printTable } from './output';
import { QueueCommand } from './queue-command';

type FailedOptions = {
  json?: boolean;
};

@Command({ name: 'queue:failed', description: 'List the jobs that failed for good: id, client id, attempts, failed at, error' })
export class QueueFailedCommand extends QueueCommand<FailedOptions> {
  constructor(private readonly operations: QueueOperations) {
    super();
  }

  protected async execute(_args: string[], options: FailedOptions): Promise<void> {
    const jobs = await this.operations.failedJobs();
    if (options.json) return printJson(jobs);
    if (jobs.length === 0) return printLine('No failed jobs.');
    printTable(
      ['id', 'client', 'attempts', 'failed at', 'error'],
      jobs.map((job) => [job.id, String(job.clientId), String(job.attempts), job.failedAt?.toISOString() ?? '-', job.error ?? '-']),
    );
    printLine(`\n${jobs.length} failed job(s). Retry with: queue:retry <id...> or queue:retry all`);
  }

  @Option({ flags: '--json', description: 'print JSON for scripts' })
  parseJson(): boolean {
    return true;
  }
}
