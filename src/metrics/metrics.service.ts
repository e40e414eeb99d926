import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { AiFailureCause } from '../ai/ai.errors';
import { AppConfig } from '../config/app-config';

/** Every metric of ours starts with this, Node's process metrics too. */
export const METRICS_PREFIX = 'autoseo_';

/** What one attempt at a job came to, as the counter names it. */
export const JOB_OUTCOMES = ['processed', 'retried', 'postponed', 'failed', 'discarded', 'skipped'] as const;
export type JobOutcomeLabel = (typeof JOB_OUTCOMES)[number];

/** What one AI call came to: `ok`, or the cause of its AiError (`other` for an error that is not one). */
export type AiCallOutcome =
  'ok' | 'timeout' | 'http_error' | 'malformed' | 'empty' | 'oversize' | 'truncated' | 'unreachable' | 'aborted' | 'other';

const AI_OUTCOME_OF: Record<AiFailureCause, AiCallOutcome> = {
  timeout: 'timeout',
  unreachable: 'unreachable',
  http_status: 'http_error',
  malformed: 'malformed',
  empty: 'empty',
  oversize: 'oversize',
  truncated: 'truncated',
  aborted: 'aborted',
};

export function aiCallOutcome(cause: AiFailureCause | undefined): AiCallOutcome {
  return cause === undefined ? 'other' : AI_OUTCOME_OF[cause];
}

/** Label for requests that matched no route: raw paths would make one series per URL anyone tries. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * The process's Prometheus registry and the instruments the code records into. Each application gets a
 * registry of its own (not prom-client's global one), so tests can run several apps in one process.
 * Gauges read at scrape time (queue, records, breaker) are added by the collectors of MetricsCollectionModule.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: `${METRICS_PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests by method, route template (not the raw path) and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  readonly jobAttempts = new Counter({
    name: `${METRICS_PREFIX}job_attempts_total`,
    help: 'Attempts at company-context jobs made by this process, by queue driver and outcome',
    labelNames: ['driver', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly aiCallDuration = new Histogram({
    name: `${METRICS_PREFIX}ai_call_duration_seconds`,
    help: 'AI calls made by this process, by protocol and outcome',
    labelNames: ['protocol', 'outcome'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 45, 60, 120],
    registers: [this.registry],
  });

  constructor(private readonly config: AppConfig) {
    collectDefaultMetrics({ register: this.registry, prefix: METRICS_PREFIX });
    // Every outcome exists from the start at 0, so rates and ratios work before the first failure.
    for (const outcome of JOB_OUTCOMES) this.jobAttempts.inc({ driver: config.queue.connection, outcome }, 0);
  }

  countAttempt(outcome: JobOutcomeLabel): void {
    this.jobAttempts.inc({ driver: this.config.queue.connection, outcome });
  }

  observeAiCall(protocol: string, outcome: AiCallOutcome, seconds: number): void {
    this.aiCallDuration.observe({ protocol, outcome }, seconds);
  }

  observeHttpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpRequestDuration.observe({ method, route, status: String(status) }, seconds);
  }

  /** The Prometheus text exposition of everything registered. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }
}
