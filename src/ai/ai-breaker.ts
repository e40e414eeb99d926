import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

export interface AiBreakerState {
  /** half-open: the cooldown is over and the next call is the probe. */
  state: 'closed' | 'open' | 'half-open';
  /** Connection failures in a row. */
  consecutiveFailures: number;
  /** While open: how long until the next call may go. */
  retryInMs?: number;
}

/**
 * The circuit breaker in front of the one-GPU AI server, per process. A connection that fails before
 * any answer means the AI is down, not that the record is bad: such failures spend no attempt, and after
 * AI_BREAKER_THRESHOLD of them in a row no call goes out for AI_COOLDOWN_MS. The first call after the
 * cooldown is the probe: an answer of any kind closes the breaker, another connection failure reopens it.
 */
@Injectable()
export class AiBreaker {
  private readonly logger = new Logger('AiBreaker');
  private consecutiveFailures = 0;
  private openUntil = 0;

  constructor(private readonly config: AppConfig) {}

  /** How long a caller must wait before calling the AI; 0 when it may call now. */
  waitMs(): number {
    return Math.max(0, this.openUntil - Date.now());
  }

  /** Counts a connection failure; answers how long to wait before the next try. */
  recordUnreachable(): number {
    const { breakerThreshold, cooldownMs } = this.config.ai;
    this.consecutiveFailures += 1;
    if (this.consecutiveFailures < breakerThreshold) return this.config.queue.backoffMs;
    if (this.waitMs() === 0) {
      this.logger.warn(`AI is down: ${this.consecutiveFailures} connection failures in a row; no call for ${cooldownMs} ms`);
    }
    this.openUntil = Date.now() + cooldownMs;
    return cooldownMs;
  }

  /** The server answered (whatever it said): it is up. */
  recordAnswer(): void {
    if (this.consecutiveFailures >= this.config.ai.breakerThreshold) this.logger.log('AI answers again: breaker closed');
    this.consecutiveFailures = 0;
    this.openUntil = 0;
  }

  state(): AiBreakerState {
    const retryInMs = this.waitMs();
    const { consecutiveFailures } = this;
    if (retryInMs > 0) return { state: 'open', consecutiveFailures, retryInMs };
    return { state: consecutiveFailures >= this.config.ai.breakerThreshold ? 'half-open' : 'closed', consecutiveFailures };
  }
}
