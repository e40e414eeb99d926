import { ConsoleLogger, Logger } from '@nestjs/common';
import { AiBreaker } from '../../src/ai/ai-breaker';
import { loadConfig } from '../../src/config/app-config';
import { CapturedLogs } from '../support/captured-logs';

const THRESHOLD = 3;
const BACKOFF_MS = 1_000;
const COOLDOWN_MS = 60_000;

describe('AiBreaker: no AI call while the AI is down', () => {
  let breaker: AiBreaker;
  let logs: CapturedLogs;

  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
    logs = new CapturedLogs();
    Logger.overrideLogger(logs);
    const config = loadConfig({
      AI_BREAKER_THRESHOLD: String(THRESHOLD),
      AI_COOLDOWN_MS: String(COOLDOWN_MS),
      QUEUE_BACKOFF_MS: String(BACKOFF_MS),
    });
    breaker = new AiBreaker(config);
  });

  afterEach(() => {
    Logger.overrideLogger(new ConsoleLogger());
    jest.useRealTimers();
  });

  /** Connection failures in a row; answers the wait the last one returned. */
  function failConnections(count: number): number {
    let wait = 0;
    for (let i = 0; i < count; i += 1) wait = breaker.recordUnreachable();
    return wait;
  }

  it('starts closed: a call may go at once', () => {
    expect(breaker.state()).toEqual({ state: 'closed', consecutiveFailures: 0 });
    expect(breaker.waitMs()).toBe(0);
  });

  it('stays closed below AI_BREAKER_THRESHOLD failures and asks the caller for QUEUE_BACKOFF_MS', () => {
    for (let failures = 1; failures < THRESHOLD; failures += 1) {
      expect(breaker.recordUnreachable()).toBe(BACKOFF_MS);
      expect(breaker.state()).toEqual({ state: 'closed', consecutiveFailures: failures });
      expect(breaker.waitMs()).toBe(0);
    }
  });

  it('opens at the AI_BREAKER_THRESHOLD-th failure in a row and asks for AI_COOLDOWN_MS', () => {
    expect(failConnections(THRESHOLD)).toBe(COOLDOWN_MS);

    expect(breaker.state()).toEqual({ state: 'open', consecutiveFailures: THRESHOLD, retryInMs: COOLDOWN_MS });
    expect(breaker.waitMs()).toBe(COOLDOWN_MS);
    expect(logs.matching(/\[warn\] \[AiBreaker\] AI is down: 3 connection failures in a row; no call for 60000 ms/)).toHaveLength(1);
  });

  it('counts down the wait while open', () => {
    failConnections(THRESHOLD);
    jest.advanceTimersByTime(45_000);

    expect(breaker.waitMs()).toBe(15_000);
    expect(breaker.state()).toEqual({ state: 'open', consecutiveFailures: THRESHOLD, retryInMs: 15_000 });
  });

  it('an answer before the threshold starts the count again', () => {
    failConnections(THRESHOLD - 1);
    breaker.recordAnswer();

    expect(breaker.state()).toEqual({ state: 'closed', consecutiveFailures: 0 });
    expect(breaker.recordUnreachable()).toBe(BACKOFF_MS);
    expect(breaker.state().state).toBe('closed');
  });

  it('is half-open once the cooldown is over: the next call is the probe', () => {
    failConnections(THRESHOLD);
    jest.advanceTimersByTime(COOLDOWN_MS - 1);
    expect(breaker.state().state).toBe('open');

    jest.advanceTimersByTime(1);

    expect(breaker.state()).toEqual({ state: 'half-open', consecutiveFailures: THRESHOLD });
    expect(breaker.waitMs()).toBe(0);
  });

  it('closes when the probe gets an answer, and says so once', () => {
    failConnections(THRESHOLD);
    jest.advanceTimersByTime(COOLDOWN_MS);

    breaker.recordAnswer();

    expect(breaker.state()).toEqual({ state: 'closed', consecutiveFailures: 0 });
    expect(breaker.waitMs()).toBe(0);
    expect(logs.matching(/AI answers again: breaker closed/)).toHaveLength(1);
    breaker.recordAnswer();
    expect(logs.matching(/AI answers again/)).toHaveLength(1);
  });

  it('after closing, it takes AI_BREAKER_THRESHOLD new failures to open again', () => {
    failConnections(THRESHOLD);
    jest.advanceTimersByTime(COOLDOWN_MS);
    breaker.recordAnswer();

    expect(failConnections(THRESHOLD - 1)).toBe(BACKOFF_MS);
    expect(breaker.state().state).toBe('closed');
    expect(breaker.recordUnreachable()).toBe(COOLDOWN_MS);
    expect(breaker.state().state).toBe('open');
  });

  it('reopens for a whole cooldown when the probe fails', () => {
    failConnections(THRESHOLD);
    jest.advanceTimersByTime(COOLDOWN_MS);

    expect(breaker.recordUnreachable()).toBe(COOLDOWN_MS);

    expect(breaker.state()).toEqual({ state: 'open', consecutiveFailures: THRESHOLD + 1, retryInMs: COOLDOWN_MS });
    expect(logs.matching(/AI is down: 4 connection failures in a row/)).toHaveLength(1);
  });

  it('a failure reported while already open (a call that left before it opened) extends the wait without a second warning', () => {
    failConnections(THRESHOLD);
    jest.advanceTimersByTime(10_000);

    expect(breaker.recordUnreachable()).toBe(COOLDOWN_MS);

    expect(breaker.waitMs()).toBe(COOLDOWN_MS);
    expect(logs.matching(/AI is down/)).toHaveLength(1);
  });

  it('opens at the first failure when AI_BREAKER_THRESHOLD is 1', () => {
    breaker = new AiBreaker(loadConfig({ AI_BREAKER_THRESHOLD: '1', AI_COOLDOWN_MS: '500' }));

    expect(breaker.recordUnreachable()).toBe(500);
    expect(breaker.state()).toEqual({ state: 'open', consecutiveFailures: 1, retryInMs: 500 });
  });
});
