/** Where a record's company context stands: pending → processing → processed | failed. */
export enum ContextStatus {
  Pending = 'pending',
  Processing = 'processing',
  Processed = 'processed',
  Failed = 'failed',
}

export const CONTEXT_STATUSES = Object.values(ContextStatus);
