import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { AiBreaker } from '../ai/ai-breaker';
import { CompanyContextProcessor } from '../company-context/company-context.processor';
import { AttemptOutcome } from '../company-context/queue-driver';
import { RecordQueueStore } from '../company-context/record-queue.store';
import { CONTEXT_STATUSES } from '../company-context/context-status';
import { NoQueueError, QUEUE_DRIVER, QueueDriver, QueueStatus } from '../company-context/queue-driver';
import { JobOutcomeLabel, Metrics, METRICS_PREFIX } from './metrics.service';

/** A scrape never waits longer than this for the queue or the database: a dead store reads as `up 0`. */
export const SCRAPE_READ_TIMEOUT_MS = 2_000;
/**
 * Records by status are counted at most this often per process: every API and worker process is
 * scraped, and the count reads the whole (context_status, …) index, however cheap per row.
 */
export const RECORDS_CACHE_MS = 5_000;

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
const BREAKER_STATES = ['closed', 'open', 'half-open'] as const;

const OUTCOME_LABEL: Record<AttemptOutcome['kind'], JobOutcomeLabel> = {
  processed: 'processed',
  retry: 'retried',
  postponed: 'postponed',
  failed: 'failed',
  discarded: 'discarded',
  skipped: 'skipped',
};

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${SCRAPE_READ_TIMEOUT_MS} ms`)), SCRAPE_READ_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Everything read at scrape time (prom-client's collect()), plus the job-outcome counter fed from the
 * processor's one report of every attempt. Registered once per application.
 */
@Injectable()
export class ScrapeCollectors implements OnModuleInit {
  private readonly logger = new Logger('Metrics');
  /** One queue read per scrape, shared by the gauges that collect in parallel. */
  private queueRead?: Promise<QueueStatus | null>;
  private records?: { at: number; counts: Promise<Record<string, number>> };

  constructor(
    private readonly metrics: Metrics,
    @Inject(QUEUE_DRIVER) private readonly queue: QueueDriver,
    private readonly store: RecordQueueStore,
    private readonly breaker: AiBreaker,
    private readonly processor: CompanyContextProcessor,
  ) {}

  onModuleInit(): void {
    // The one place attempts are counted: the processor reports every attempt of every driver there.
    this.processor.onOutcome((_job, outcome) => this.metrics.countAttempt(OUTCOME_LABEL[outcome.kind]));
    this.queueGauges();
    this.recordGauge();
    this.breakerGauge();
  }

  private queueGauges(): void {
    const registers = [this.metrics.registry];
    // prom-client calls each collect() in the same tick, so they all share one read.
    const read = () => (this.queueRead ??= this.readQueue().finally(() => (this.queueRead = undefined)));
    new Gauge({
      name: `${METRICS_PREFIX}queue_up`,
      help: '1 when the queue answered this scrape, else 0',
      registers,
      async collect() {
        this.set((await read()) ? 1 : 0);
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}queue_jobs`,
      help: 'Jobs in the queue by state, read at scrape time (waiting includes the jobs held by a pause)',
      labelNames: ['state'] as const,
      registers,
      async collect() {
        const status = await read();
        this.reset();
        if (status) for (const state of QUEUE_STATES) this.set({ state }, status[state]);
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}queue_paused`,
      help: '1 while the queue is paused (queue:pause), else 0',
      registers,
      async collect() {
        const status = await read();
        if (status) this.set(status.paused ? 1 : 0);
        else this.reset();
      },
    });
    new Gauge({
      name: `${METRICS_PREFIX}queue_oldest_waiting_seconds`,
      help: 'How long the job that has waited longest has been due; 0 when none waits',
      registers,
      async collect() {
        const status = await read();
        if (status) this.set((status.oldestWaitingMs ?? 0) / 1000);
        else this.reset();
      },
    });
  }

  /** The queue's status, or null (logged) when the queue does not answer in time. */
  private async readQueue(): Promise<QueueStatus | null> {
    try {
      return await withTimeout(this.queueStatus(), 'the queue');
    } catch (error) {
      this.logger.warn(`cannot read the queue for /metrics: ${(error as Error).message}`);
      return null;
    }
  }

  /** The sync driver has no queue to inspect (status() refuses): only what waits in this process's memory. */
  private async queueStatus(): Promise<QueueStatus> {
    try {
      return await this.queue.status();
    } catch (error) {
      if (!(error instanceof NoQueueError)) throw error;
      return { ...(await this.queue.counts()), paused: false, oldestWaitingMs: null };
    }
  }

  private recordGauge(): void {
    const counted = () => this.recordCounts();
    const logger = this.logger;
    new Gauge({
      name: `${METRICS_PREFIX}records`,
      help: `Records by context_status (one GROUP BY over the indexed column, at most every ${RECORDS_CACHE_MS / 1000} s)`,
      labelNames: ['context_status'] as const,
      registers: [this.metrics.registry],
      async collect() {
        try {
          const counts = await counted();
          for (const status of CONTEXT_STATUSES) this.set({ context_status: status }, counts[status] ?? 0);
        } catch (error) {
          logger.warn(`cannot count the records for /metrics: ${(error as Error).message}`);
          this.reset();
        }
      },
    });
  }

  private recordCounts(): Promise<Record<string, number>> {
    const now = Date.now();
    if (!this.records || now - this.records.at >= RECORDS_CACHE_MS) {
      const counts = withTimeout(this.store.countByStatus(), 'the database');
      this.records = { at: now, counts };
      // A failed count is not kept: the next scrape tries again.
      counts.catch(() => {
        if (this.records?.counts === counts) this.records = undefined;
      });
    }
    return this.records.counts;
  }

  private breakerGauge(): void {
    const breaker = this.breaker;
    new Gauge({
      name: `${METRICS_PREFIX}ai_breaker_state`,
      help: "This process's AI circuit breaker: 1 for the state it is in (closed, open, half-open), 0 for the others",
      labelNames: ['state'] as const,
      registers: [this.metrics.registry],
      collect() {
        const current = breaker.state().state;
        for (const state of BREAKER_STATES) this.set({ state }, state === current ? 1 : 0);
      },
    });
  }
}
