/** Where a record's company context stands: pending → processing → processed | failed. */
export enum ContextStatus {
  Pending = 'pending',
  Processing = 'processing',
  Processed = 'processed',
  Failed = 'failed',
}

export const CONTEXT_STATUSES = Object.values(ContextStatus);

/** The statuses of a record that should have a job: waiting for an attempt, or in one. */
export const OPEN_STATUSES = [ContextStatus.Pending, ContextStatus.Processing];
