import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { AiBreaker } from '../ai/ai-breaker';
import { AiClient } from '../ai/ai-client';
import { AiError } from '../ai/ai.errors';
import { AppConfig } from '../config/app-config';
import { CompanyContextJob, retryDelayMs } from './company-context.job';
import { ClaimedContext, CompanyContextState } from './company-context.state';
import { whileDatabaseDown } from './database-wait';
import { JobLines, JobLog } from './job-log';
import { AttemptOptions, AttemptOutcome, JobHandler } from './queue-driver';

export class JobTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`job timed out after ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}

export type OutcomeListener = (job: CompanyContextJob, outcome: AttemptOutcome) => void;

/**
 * Runs one attempt at a record's company context: claim it, have the AI rewrite the original, write the
 * result only while this attempt still holds the claim. Every queue driver runs jobs through here
 * (it is the JOB_HANDLER the drivers are given).
 */
@Injectable()
export class CompanyContextProcessor implements BeforeApplicationShutdown, JobHandler {
  private readonly jobLog: JobLog;
  private readonly listeners = new Set<OutcomeListener>();
  /** Aborted at shutdown: attempts waiting for the database give up and are retried from the queue. */
  private readonly stopping = new AbortController();
  private nextCallAt = 0;

  constructor(
    private readonly state: CompanyContextState,
    private readonly ai: AiClient,
    private readonly breaker: AiBreaker,
    private readonly config: AppConfig,
  ) {
    this.jobLog = new JobLog('CompanyContext', config.queue.connection);
  }

  beforeApplicationShutdown(): void {
    this.stopping.abort();
  }

  /** Hears the outcome of every attempt this process makes (queue:work's progress); returns the unsubscribe. */
  onOutcome(listener: OutcomeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs the attempt a queued job stands for (redis and sync drivers). */
  async process(job: CompanyContextJob, options: AttemptOptions = {}): Promise<AttemptOutcome> {
    const lines = this.jobLog.about(job);
    const claim = await this.untilDatabaseAnswers(lines, () => this.state.claim(job));
    if (!claim) {
      lines.log('skipped, the record is gone, replaced or already done');
      return this.report(job, { kind: 'skipped' });
    }
    return this.attempt(claim, options);
  }

  /** Runs an attempt already claimed (the database driver claims and runs in one go). */
  async attempt(claim: ClaimedContext, options: AttemptOptions = {}): Promise<AttemptOutcome> {
    return this.report(claim, await this.run(claim, options));
  }

  private report(job: CompanyContextJob, outcome: AttemptOutcome): AttemptOutcome {
    const { clientId, version } = job;
    for (const listener of this.listeners) listener({ clientId, version }, outcome);
    return outcome;
  }

  private async run(claim: ClaimedContext, options: AttemptOptions): Promise<AttemptOutcome> {
    const { tries } = this.config.queue;
    const lines = this.jobLog.about(claim);
    const breakerWaitMs = this.breaker.waitMs();
    if (breakerWaitMs > 0) return this.postpone(claim, lines, new Error('AI is down (breaker open)'), breakerWaitMs);
    lines.log(`processing, attempt ${claim.attempt} of ${tries}, original ${claim.original.length} chars`);

    let text: string;
    // The AI call alone (not the rate limit's wait): what AI_TIMEOUT_MS is tuned against, stored in context_ai_ms.
    let started: number | undefined;
    const aiMs = () => (started === undefined ? undefined : Math.round(performance.now() - started));
    try {
      await this.rateLimit(options);
      started = performance.now();
      text = await this.rewriteWithinJobTimeout(claim.original);
    } catch (error) {
      if (error instanceof AiError && !error.reachedServer) {
        return this.postpone(claim, lines, error, this.breaker.recordUnreachable(), aiMs());
      }
      if (error instanceof AiError) this.breaker.recordAnswer();
      return this.recordFailure(claim, lines, error as Error, aiMs());
    }
    this.breaker.recordAnswer();
    const tookMs = aiMs() ?? 0;

    if (!(await this.untilDatabaseAnswers(lines, () => this.state.complete(claim, text, tookMs)))) {
      lines.log('result discarded, the record was deleted, replaced or taken over meanwhile');
      return { kind: 'discarded' };
    }
    lines.log(`processed, ${text.length} chars (AI ${tookMs} ms)`);
    return { kind: 'processed' };
  }

  private async recordFailure(claim: ClaimedContext, lines: JobLines, error: Error, aiMs: number | undefined): Promise<AttemptOutcome> {
    const { tries, backoffMs } = this.config.queue;
    // The record's count of attempts is the only one: no queue keeps its own.
    const final = claim.attempt >= tries;
    const delayMs = retryDelayMs(backoffMs, claim.attempt);
    const retryAt = final ? null : new Date(Date.now() + delayMs);
    const stillOurs = await this.untilDatabaseAnswers(lines, () => this.state.fail(claim, error.message, retryAt, aiMs));
    if (!stillOurs) {
      lines.log(`attempt failed (${error.message}) but the record was deleted, replaced or taken over meanwhile`);
      return { kind: 'discarded' };
    }
    if (retryAt === null) {
      lines.error(`failed for good after ${claim.attempt} attempt(s): ${error.message}`);
      return { kind: 'failed', error };
    }
    lines.warn(`attempt ${claim.attempt} of ${tries} failed: ${error.message}; next try in ${delayMs} ms`);
    return { kind: 'retry', error, retryAt, delayMs };
  }

  /** The AI could not be reached: the attempt is given back, and the job waits as the breaker says. */
  private async postpone(claim: ClaimedContext, lines: JobLines, error: Error, delayMs: number, aiMs?: number): Promise<AttemptOutcome> {
    const retryAt = new Date(Date.now() + delayMs);
    const stillOurs = await this.untilDatabaseAnswers(lines, () => this.state.postpone(claim, error.message, retryAt, aiMs));
    if (!stillOurs) return { kind: 'discarded' };
    lines.warn(`${error.message}; attempt not counted, next try in ${delayMs} ms`);
    return { kind: 'postponed', error, retryAt, delayMs };
  }

  /**
   * AI_RATE_LIMIT where the queue does not pace calls itself, in this process: calls start at least
   * 60 s / limit apart.
   */
  private async rateLimit({ pacedByQueue }: AttemptOptions): Promise<void> {
    const { rateLimit } = this.config.ai;
    if (rateLimit === 0 || pacedByQueue) return;
    const now = Date.now();
    const at = Math.max(now, this.nextCallAt);
    this.nextCallAt = at + 60_000 / rateLimit;
    if (at > now) await delay(at - now, undefined, { signal: this.stopping.signal });
  }

  private untilDatabaseAnswers<T>(lines: JobLines, write: () => Promise<T>): Promise<T> {
    return whileDatabaseDown(write, lines, this.stopping.signal);
  }

  // A queue's job timeout does not stop the running call (Bull only marks the job failed), so the
  // attempt aborts its own AI call when JOB_TIMEOUT_MS runs out.
  private async rewriteWithinJobTimeout(original: string): Promise<string> {
    const { jobTimeoutMs } = this.config.queue;
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(new JobTimeoutError(jobTimeoutMs)), jobTimeoutMs);
    try {
      return await this.ai.rewrite(original, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) throw controller.signal.reason;
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}
