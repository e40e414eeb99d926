import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AiBreaker } from '../ai/ai-breaker';
import { AiClient, AiLatency } from '../ai/ai-client';
import { Client } from '../clients/client.entity';
import { AppConfig, QueueConnection } from '../config/app-config';
import { NoQueueError, QUEUE_DRIVER, QueueDriver, QueueStatus } from '../company-context/queue-driver';
import { AiHealthIndicator } from '../health/ai.health';

const HOUR_MS = 3_600_000;
const TIMELINE_HOURS = 24;
/** The page refreshes every few seconds; the AI endpoint (one GPU) is probed at most this often. */
const AI_PROBE_EVERY_MS = 10_000;

export interface AiOverview {
  status: 'up' | 'down';
  message: string | null;
  protocol: string;
  model: string;
  /** How long the endpoint took to answer the last probe (HEAD, no generation). */
  probeLatencyMs: number | null;
  breaker: { state: 'closed' | 'open' | 'half-open'; consecutiveFailures: number; retryAt: string | null };
  /** The generation calls this process made lately. */
  calls: AiLatency;
}

export interface Overview {
  driver: QueueConnection;
  /** Null for the sync driver, which has no queue (`queueMessage` says so). */
  queue: QueueStatus | null;
  queueMessage: string | null;
  ai: AiOverview;
  at: string;
}

export interface TimelineHour {
  start: string;
  processed: number;
  failed: number;
}

interface AiProbe {
  status: 'up' | 'down';
  message: string | null;
  latencyMs: number | null;
}

/** What the operator's dashboard reads: the queue driver's status, the AI's state, and the records' recent history. */
@Injectable()
export class DashboardService {
  private probe?: { at: number; result: Promise<AiProbe> };

  constructor(
    @Inject(QUEUE_DRIVER) private readonly queue: QueueDriver,
    @InjectRepository(Client) private readonly clients: Repository<Client>,
    private readonly aiHealth: AiHealthIndicator,
    private readonly breaker: AiBreaker,
    private readonly ai: AiClient,
    private readonly config: AppConfig,
  ) {}

  async overview(): Promise<Overview> {
    const [queue, probe] = await Promise.all([this.queueStatus(), this.probeAi()]);
    const breaker = this.breaker.state();
    return {
      driver: this.config.queue.connection,
      ...queue,
      ai: {
        // The breaker is this process's view: while it is open, jobs wait for the AI whatever the probe says.
        status: breaker.state === 'open' ? 'down' : probe.status,
        message: breaker.state === 'open' ? 'AI breaker open: jobs wait for the AI' : probe.message,
        protocol: this.config.ai.protocol,
        model: this.config.ai.model,
        probeLatencyMs: probe.latencyMs,
        breaker: {
          state: breaker.state,
          consecutiveFailures: breaker.consecutiveFailures,
          retryAt: breaker.retryInMs ? new Date(Date.now() + breaker.retryInMs).toISOString() : null,
        },
        calls: this.ai.recentLatency(),
      },
      at: new Date().toISOString(),
    };
  }

  /**
   * Processed and failed per hour over the last 24 hours, oldest first, from the records themselves
   * (context_processed_at; context_failed_at, which a retry or queue:forget clears), so every driver has it.
   * Counted by the database over an index range (24 sums in one pass), never by loading the rows.
   */
  async timeline(now = new Date()): Promise<TimelineHour[]> {
    const firstHour = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - (TIMELINE_HOURS - 1) * HOUR_MS;
    const starts = Array.from({ length: TIMELINE_HOURS + 1 }, (_, index) => new Date(firstHour + index * HOUR_MS));
    const [processed, failed] = await Promise.all([
      this.perHour('client.context_processed_at', starts),
      // A failed_at is only ever set on a failed record: the status makes it a range of (context_status, context_failed_at).
      this.perHour('client.context_failed_at', starts, "client.context_status = 'failed'"),
    ]);
    return starts
      .slice(0, TIMELINE_HOURS)
      .map((start, index) => ({ start: start.toISOString(), processed: processed[index], failed: failed[index] }));
  }

  private async perHour(column: string, starts: Date[], where?: string): Promise<number[]> {
    const hours = starts.slice(0, -1).map((_, index) => index);
    const params = Object.fromEntries(starts.map((start, index) => [`hour${index}`, start]));
    const query = this.clients
      .createQueryBuilder('client')
      .select(
        hours
          .map((index) => `SUM(CASE WHEN ${column} >= :hour${index} AND ${column} < :hour${index + 1} THEN 1 ELSE 0 END) AS h${index}`)
          .join(', '),
      )
      .where(`${column} >= :hour0`)
      .setParameters(params);
    if (where) query.andWhere(where);
    const row = await query.getRawOne<Record<string, number | string | null>>();
    return hours.map((index) => Number(row?.[`h${index}`] ?? 0));
  }

  private async queueStatus(): Promise<Pick<Overview, 'queue' | 'queueMessage'>> {
    try {
      return { queue: await this.queue.status(), queueMessage: null };
    } catch (error) {
      if (error instanceof NoQueueError) return { queue: null, queueMessage: error.message };
      throw error;
    }
  }

  private probeAi(): Promise<AiProbe> {
    if (!this.probe || Date.now() - this.probe.at > AI_PROBE_EVERY_MS) {
      this.probe = { at: Date.now(), result: this.runProbe() };
    }
    return this.probe.result;
  }

  private async runProbe(): Promise<AiProbe> {
    const result = (await this.aiHealth.check('ai')) as Record<string, { status: string; latencyMs?: number; message?: string }>;
    const ai = result.ai;
    return { status: ai.status === 'up' ? 'up' : 'down', message: ai.message ?? null, latencyMs: ai.latencyMs ?? null };
  }
}
