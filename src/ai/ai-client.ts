import { HttpService } from '@nestjs/axios';
import { Injectable, Logger } from '@nestjs/common';
import { AxiosError, AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import { AppConfig } from '../config/app-config';
import { aiCallOutcome, Metrics } from '../metrics/metrics.service';
import {
  AiAbortedError,
  AiEmptyAnswerError,
  AiError,
  AiHttpStatusError,
  AiMalformedAnswerError,
  AiOversizeAnswerError,
  AiTimeoutError,
  AiTruncatedAnswerError,
  AiUnreachableError,
} from './ai.errors';
import { cleanAnswer } from './answer-cleaner';
import { PromptBuilder } from './prompt';
import { AiProtocol } from './protocols/ai-protocol';
import { createAiProtocol } from './protocols/protocol-factory';

/** The longest rewritten description accepted (the product asks for about 1,000). */
export const MAX_ANSWER_CHARACTERS = 4_000;
/** Bounds the memory a runaway server can make us hold; far above any real answer. */
export const MAX_ANSWER_BYTES = 2 * 1024 * 1024;

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT']);
/** How many recent answered calls `recentLatency` looks at. */
const LATENCY_WINDOW = 20;

/** How long the AI took to answer its recent calls (in this process). */
export interface AiLatency {
  calls: number;
  lastMs: number | null;
  medianMs: number | null;
  lastAt: string | null;
}

/**
 * The one seam to the LLM server: asks it to rewrite a company description and returns the
 * cleaned text, or throws an AiError saying why not.
 */
@Injectable()
export class AiClient {
  private readonly logger = new Logger('AiClient');
  private readonly protocol: AiProtocol;
  private readonly latencies: number[] = [];
  private lastAnsweredAt: Date | null = null;

  constructor(
    private readonly http: HttpService,
    private readonly config: AppConfig,
    private readonly prompts: PromptBuilder,
    private readonly metrics: Metrics,
  ) {
    this.protocol = createAiProtocol(config.ai);
  }

  /** Where and how calls go, for the worker's start line: no credentials, no query string. */
  describe(): string {
    const { url, model } = this.config.ai;
    const endpoint = new URL(url);
    const { capTokens, name } = this.protocol;
    const cap =
      capTokens === undefined ? 'no token cap sent (the office chat contract has no field for it)' : `max ${capTokens} tokens per call`;
    return `AI endpoint ${endpoint.origin}${endpoint.pathname}, protocol ${name}, model ${model}, ${cap}`;
  }

  /** Every call is timed here, whatever it comes to (autoseo_ai_call_duration_seconds). */
  async rewrite(original: string, signal?: AbortSignal): Promise<string> {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const text = await this.call(original, signal);
      this.metrics.observeAiCall(this.protocol.name, 'ok', seconds());
      return text;
    } catch (error) {
      this.metrics.observeAiCall(this.protocol.name, aiCallOutcome(error instanceof AiError ? error.cause : undefined), seconds());
      throw error;
    }
  }

  private async call(original: string, signal?: AbortSignal): Promise<string> {
    const { url, timeoutMs } = this.config.ai;
    const request = this.protocol.buildRequest(this.prompts.build(original));
    // axios's own timeout only watches socket inactivity; this one bounds the whole call and
    // really cancels it, as does the caller's signal (a job running out of time).
    const deadline = AbortSignal.timeout(timeoutMs);
    const started = performance.now();
    const took = () => `${Math.round(performance.now() - started)} ms`;
    let response: AxiosResponse<string>;
    try {
      response = await firstValueFrom(
        this.http.post<string>(url, request.body, {
          headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...request.headers },
          timeout: timeoutMs,
          signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
          responseType: 'text',
          transformResponse: (data: unknown) => data,
          validateStatus: () => true,
          maxRedirects: 0,
          maxContentLength: MAX_ANSWER_BYTES,
        }),
      );
    } catch (error) {
      const failure = this.classify(error, signal, deadline);
      this.logger.debug(`${this.protocol.name} call failed after ${took()}: ${failure.message}`);
      throw failure;
    }
    this.logger.debug(`${this.protocol.name} call answered HTTP ${response.status} in ${took()}`);
    this.rememberLatency(performance.now() - started);
    if (response.status < 200 || response.status >= 300) throw this.statusError(response);
    return this.finalText(response.data);
  }

  // The most common misconfiguration: a wrong AI_MODEL, which Ollama and the OpenAI API answer with a 404 naming it.
  private statusError(response: AxiosResponse<string>): AiHttpStatusError {
    const { model } = this.config.ai;
    const body = typeof response.data === 'string' ? response.data.slice(0, 2_000) : '';
    const modelMissing = response.status === 404 && /model/i.test(body) && /not found|does not exist/i.test(body);
    return new AiHttpStatusError(response.status, modelMissing ? model : undefined);
  }

  /** The latency of the last answered calls, for the operator's dashboard. */
  recentLatency(): AiLatency {
    const sorted = [...this.latencies].sort((a, b) => a - b);
    return {
      calls: sorted.length,
      lastMs: this.latencies.at(-1) ?? null,
      medianMs: sorted.length === 0 ? null : sorted[Math.floor(sorted.length / 2)],
      lastAt: this.lastAnsweredAt?.toISOString() ?? null,
    };
  }

  private rememberLatency(ms: number): void {
    this.latencies.push(Math.round(ms));
    if (this.latencies.length > LATENCY_WINDOW) this.latencies.shift();
    this.lastAnsweredAt = new Date();
  }

  private finalText(body: string): string {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw AiMalformedAnswerError.notJson();
    }
    // Checked before the text: a cut-off answer may still hold a plausible first half, never to be stored.
    if (this.protocol.stoppedAtLimit(parsed)) throw new AiTruncatedAnswerError(this.protocol.capTokens);
    const text = cleanAnswer(this.protocol.extractText(parsed));
    if (text === '') throw new AiEmptyAnswerError();
    const length = Array.from(text).length;
    if (length > MAX_ANSWER_CHARACTERS) throw AiOversizeAnswerError.ofText(length, MAX_ANSWER_CHARACTERS);
    return text;
  }

  // Only codes and statuses leave here: axios errors carry the request config, key included.
  private classify(error: unknown, signal: AbortSignal | undefined, deadline: AbortSignal): Error {
    if (signal?.aborted) return new AiAbortedError();
    if (deadline.aborted) return new AiTimeoutError(this.config.ai.timeoutMs);
    if (!(error instanceof AxiosError)) return error as Error;
    // Node's network errors (ECONNREFUSED, ETIMEDOUT...) arrive as the cause of axios's.
    const code = (error.cause as { code?: string } | undefined)?.code ?? error.code;
    if (code !== undefined && TIMEOUT_CODES.has(code)) return new AiTimeoutError(this.config.ai.timeoutMs);
    if (error.response) return new AiHttpStatusError(error.response.status);
    if (error.code === AxiosError.ERR_BAD_RESPONSE && /maxContentLength/i.test(error.message)) {
      return AiOversizeAnswerError.bodyOver(MAX_ANSWER_BYTES);
    }
    // ECONNREFUSED, ECONNRESET, ENOTFOUND, EHOSTUNREACH, EAI_AGAIN...: nothing answered.
    return new AiUnreachableError(code && /^[A-Z0-9_]+$/.test(code) ? code : 'network error');
  }
}
