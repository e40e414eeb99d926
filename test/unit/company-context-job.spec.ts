import { loadConfig } from '../../src/config/app-config';
import { companyContextJobId, parseCompanyContextJobId, retryDelayMs } from '../../src/company-context/company-context.job';

describe('retryDelayMs: QUEUE_BACKOFF_MS before the first retry, doubled before each next one', () => {
  it.each([
    [1, 10_000],
    [2, 20_000],
    [3, 40_000],
    [4, 80_000],
    [10, 10_000 * 512],
  ])('after %i failed attempt(s) waits %i ms (QUEUE_BACKOFF_MS=10000)', (failedAttempts, expected) => {
    expect(retryDelayMs(10_000, failedAttempts)).toBe(expected);
  });

  it('uses the configured QUEUE_BACKOFF_MS, defaulting to 10 s', () => {
    expect(retryDelayMs(loadConfig({}).queue.backoffMs, 1)).toBe(10_000);
    expect(retryDelayMs(loadConfig({ QUEUE_BACKOFF_MS: '250' }).queue.backoffMs, 3)).toBe(1_000);
  });

  it('never waits less than QUEUE_BACKOFF_MS, even before any failure is counted', () => {
    expect(retryDelayMs(10_000, 0)).toBe(10_000);
    expect(retryDelayMs(10_000, -1)).toBe(10_000);
  });

  it('retries at once, every time, when QUEUE_BACKOFF_MS is 0', () => {
    expect([1, 2, 3, 10].map((attempts) => retryDelayMs(0, attempts))).toEqual([0, 0, 0, 0]);
  });

  it('has no cap: each further failure doubles the wait (QUEUE_TRIES bounds how far it goes)', () => {
    for (let attempts = 1; attempts < 20; attempts += 1) {
      expect(retryDelayMs(50, attempts + 1)).toBe(2 * retryDelayMs(50, attempts));
    }
  });
});

describe('the job id: one job per (client, original)', () => {
  it('names the client and the version, and reads back the same job', () => {
    const id = companyContextJobId({ clientId: 42, version: 7 });

    expect(id).toBe('client-42-v7');
    expect(parseCompanyContextJobId(id)).toEqual({ clientId: 42, version: 7 });
  });

  it.each(['', 'client-42', 'client-x-v1', 'client-1-v2-extra', ' client-1-v2', '42'])('rejects %j as a job id', (id) => {
    expect(parseCompanyContextJobId(id)).toBeNull();
  });
});
