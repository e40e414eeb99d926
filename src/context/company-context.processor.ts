import { Injectable, Logger } from '@nestjs/common';
import { AiClient } from '../ai/ai-client';
import { AppConfig } from '../config/app-config';
import { CompanyContextJob, retryDelayMs } from './company-context.job';
import { ClaimedContext, CompanyContextState } from './company-context.state';

export class JobTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`job timed out after ${timeoutMs} ms`);
    this.name = 'JobTimeoutError';
  }
}

/** What one attempt came to; drivers turn it into their own terms (Bull retry, a due time, a timer). */
export type AttemptOutcome =
  | { kind: 'skipped' }
  | { kind: 'processed' }
  | { kind: 'discarded' }
  | { kind: 'retry'; error: Error; delayMs: number }
  | { kind: 'failed'; error: Error };

export interface AttemptOptions {
  /** The driver knows this is the last try it will make (Bull's attempts are spent). */
  lastAttempt?: boolean;
}

/**
 * Runs one attempt at a record's company context: claim it, have the AI rewrite the original, write the
 * result only while this attempt still holds the claim. Every queue driver runs jobs through here.
 */
@Injectable()
export class CompanyContextProcessor {
  private readonly logger = new Logger('CompanyContext');

  constructor(
    private readonly state: CompanyContextState,
    private readonly ai: AiClient,
    private readonly config: AppConfig,
  ) {}

  /** Runs the attempt a queued job stands for (redis and sync drivers). */
  async process(job: CompanyContextJob, options: AttemptOptions = {}): Promise<AttemptOutcome> {
    const claim = await this.state.claim(job);
    if (!claim) {
      this.logger.log(`client ${job.clientId} v${job.version}: skipped, the record is gone, replaced or already done`);
      return { kind: 'skipped' };
    }
    return this.attempt(claim, options);
  }

  /** Runs an attempt already claimed (the database driver claims and runs in one go). */
  async attempt(claim: ClaimedContext, options: AttemptOptions = {}): Promise<AttemptOutcome> {
    const { tries } = this.config.queue;
    const label = `client ${claim.clientId} v${claim.version}`;
    this.logger.log(`${label}: processing, attempt ${claim.attempt} of ${tries}, original ${claim.original.length} chars`);

    let text: string;
    try {
      text = await this.rewriteWithinJobTimeout(claim.original);
    } catch (error) {
      return this.recordFailure(claim, label, error as Error, options);
    }

    if (!(await this.state.complete(claim, text))) {
      this.logger.log(`${label}: result discarded, the record was deleted, replaced or taken over meanwhile`);
      return { kind: 'discarded' };
    }
    this.logger.log(`${label}: processed, ${text.length} chars`);
    return { kind: 'processed' };
  }

  private async recordFailure(claim: ClaimedContext, label: string, error: Error, options: AttemptOptions): Promise<AttemptOutcome> {
    const { tries, backoffMs } = this.config.queue;
    const final = options.lastAttempt === true || claim.attempt >= tries;
    const delayMs = retryDelayMs(backoffMs, claim.attempt);
    const stillOurs = await this.state.fail(claim, error.message, final ? null : new Date(Date.now() + delayMs));
    if (!stillOurs) {
      this.logger.log(`${label}: attempt failed (${error.message}) but the record was deleted, replaced or taken over meanwhile`);
      return { kind: 'discarded' };
    }
    if (final) {
      this.logger.error(`${label}: failed for good after ${claim.attempt} attempt(s): ${error.message}`);
      return { kind: 'failed', error };
    }
    this.logger.warn(`${label}: attempt ${claim.attempt} of ${tries} failed: ${error.message}; next try in ${delayMs} ms`);
    return { kind: 'retry', error, delayMs };
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
