import { Logger } from '@nestjs/common';
import { QueueConnection } from '../config/app-config';
import { CompanyContextJob, companyContextJobId } from './company-context.job';

/** The fields of every job log line, so that lines can be searched by record, attempt, job and driver. */
export interface JobLogFields {
  clientId: number;
  version: number;
  /** The attempt at this original (1 for the first); null before a worker has claimed the record. */
  attempt: number | null;
  jobId: string;
  driver: QueueConnection;
}

/** The lines about one job: "client 5 v2: <message>", its fields beside the text. */
export interface JobLines {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/**
 * The one way job lines are written (dispatcher, processor, drivers), so that each carries the same
 * fields whoever logs it.
 */
export class JobLog {
  private readonly logger: Logger;

  constructor(
    context: string,
    private readonly driver: QueueConnection,
  ) {
    this.logger = new Logger(context);
  }

  /** The lines of `job`; pass its attempt once it is known (a claim carries it). */
  about(job: CompanyContextJob & { attempt?: number }): JobLines {
    const fields: JobLogFields = {
      clientId: job.clientId,
      version: job.version,
      attempt: job.attempt ?? null,
      jobId: companyContextJobId(job),
      driver: this.driver,
    };
    const label = `client ${job.clientId} v${job.version}`;
    const line = (message: string) => ({ msg: `${label}: ${message}`, ...fields });
    return {
      log: (message) => this.logger.log(line(message)),
      warn: (message) => this.logger.warn(line(message)),
      error: (message) => this.logger.error(line(message)),
    };
  }
}
