import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { firstValueFrom } from 'rxjs';
import { AiBreaker } from '../ai/ai-breaker';
import { AppConfig } from '../config/app-config';
import { INDICATOR_TIMEOUT_MS } from './health.constants';

/**
 * Whether the AI endpoint answers HTTP at all, and how fast. It sends no prompt: a one-GPU server must
 * not spend a generation on a health probe, and any HTTP answer (even 404 or 405) proves it is reachable.
 */
@Injectable()
export class AiHealthIndicator {
  constructor(
    private readonly http: HttpService,
    private readonly health: HealthIndicatorService,
    private readonly breaker: AiBreaker,
    private readonly config: AppConfig,
  ) {}

  async check(key: string) {
    const indicator = this.health.check(key);
    const { protocol, model } = this.config.ai;
    // This process's breaker (its worker's view of the AI): open means jobs are waiting for the AI.
    const breaker = this.breaker.state();
    const started = performance.now();
    try {
      await firstValueFrom(
        this.http.head(this.config.ai.url, { timeout: INDICATOR_TIMEOUT_MS, validateStatus: () => true, maxRedirects: 0 }),
      );
      const latencyMs = Math.round(performance.now() - started);
      if (breaker.state === 'open') return indicator.down({ protocol, model, latencyMs, breaker, message: 'AI breaker open: jobs wait for the AI' });
      return indicator.up({ protocol, model, latencyMs, breaker });
    } catch (error) {
      const code = (error as { code?: string }).code;
      const reason = code === 'ECONNABORTED' || code === 'ETIMEDOUT' ? `no answer within ${INDICATOR_TIMEOUT_MS} ms` : `unreachable (${code ?? 'error'})`;
      return indicator.down({ protocol, model, breaker, message: `AI endpoint ${reason}` });
    }
  }
}
