/** The queue, the job and its options: defined once, shared by the code that adds jobs and the code that runs them. */
export const COMPANY_CONTEXT_QUEUE = 'company-context';
export const COMPANY_CONTEXT_JOB = 'process-company-context';

/** The job carries ids, never text: the worker reads the record, which is the source of truth. */
export interface CompanyContextJob {
  clientId: number;
  /** The record's context_version when the job was made; a newer original makes this job stale. */
  version: number;
}

/** One job per (client, original): a repeated dispatch of the same version is not processed twice. */
export function companyContextJobId(job: CompanyContextJob): string {
  return `client-${job.clientId}-v${job.version}`;
}

const JOB_ID_PATTERN = /^client-(\d+)-v(\d+)$/;

export function parseCompanyContextJobId(id: string): CompanyContextJob | null {
  const match = JOB_ID_PATTERN.exec(id);
  return match ? { clientId: Number(match[1]), version: Number(match[2]) } : null;
}

/** QUEUE_BACKOFF_MS before the first retry, doubled before each next one. */
export function retryDelayMs(backoffMs: number, failedAttempts: number): number {
  return backoffMs * 2 ** Math.max(0, failedAttempts - 1);
}

/** How long until `retryAt`, the time a record is due again (its context_available_at): the one wait every driver uses. */
export function msUntil(retryAt: Date, now = Date.now()): number {
  return Math.max(0, retryAt.getTime() - now);
}
