import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AiBreaker } from '../ai/ai-breaker';
import { AiServerProbe } from '../ai/ai-server-probe';
import { AppConfig } from '../config/app-config';

/**
 * Whether the AI server can do our calls: it answers, and serves AI_MODEL where the protocol can list its
 * models (see AiServerProbe). It never sends a prompt: a one-GPU server must not spend a generation on a
 * health probe, and the probe's answer is reused for a few seconds.
 */
@Injectable()
export class AiHealthIndicator {
  constructor(
    private readonly probe: AiServerProbe,
    private readonly health: HealthIndicatorService,
    private readonly breaker: AiBreaker,
    private readonly config: AppConfig,
  ) {}

  async check(key: string) {
    const indicator = this.health.check(key);
    const { protocol, model } = this.config.ai;
    // This process's breaker (its worker's view of the AI): open means jobs are waiting for the AI.
    const breaker = this.breaker.state();
    const { ok, latencyMs, problem, servedAs } = await this.probe.check();
    const answered = { ...(servedAs === undefined ? {} : { servedAs }), ...(latencyMs === undefined ? {} : { latencyMs }) };
    if (!ok) return indicator.down({ protocol, model, ...answered, breaker, message: problem });
    if (breaker.state === 'open') {
      return indicator.down({ protocol, model, ...answered, breaker, message: 'AI breaker open: jobs wait for the AI' });
    }
    return indicator.up({ protocol, model, ...answered, breaker });
  }
}
