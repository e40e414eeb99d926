import { setTimeout as delay } from 'node:timers/promises';
import { isDatabaseUnavailable } from '../database/database-errors';
import { JobLines } from './job-log';

const FIRST_WAIT_MS = 250;
const LONGEST_WAIT_MS = 5_000;

/**
 * Runs a write of the job's state again and again while the database cannot be reached, so that an
 * outage costs waiting, not attempts (and not an AI answer already received). Other errors go through.
 * Gives up when `signal` aborts (the worker stops): the job is then retried from the queue.
 */
export async function whileDatabaseDown<T>(
  write: () => Promise<T>,
  lines: Pick<JobLines, 'log' | 'warn'>,
  signal?: AbortSignal,
): Promise<T> {
  let waitMs = FIRST_WAIT_MS;
  let warned = false;
  for (;;) {
    try {
      const result = await write();
      if (warned) lines.log('the database answers again');
      return result;
    } catch (error) {
      if (!isDatabaseUnavailable(error) || signal?.aborted) throw error;
      if (!warned) lines.warn(`the database does not answer (${(error as Error).message}); waiting for it`);
      warned = true;
      await delay(waitMs, undefined, { signal }).catch(() => undefined);
      waitMs = Math.min(waitMs * 2, LONGEST_WAIT_MS);
    }
  }
}
