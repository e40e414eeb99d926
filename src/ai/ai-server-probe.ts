import { HttpService } from '@nestjs/axios';
import { Injectable } from '@nestjs/common';
import { AxiosResponse } from 'axios';
import { firstValueFrom } from 'rxjs';
import { AppConfig } from '../config/app-config';
import { AiProtocol, ModelList } from './protocols/ai-protocol';
import { createAiProtocol } from './protocols/protocol-factory';

/** A probe gives up after this long, so a dead server reads "down" and never hangs a health check. */
export const AI_PROBE_TIMEOUT_MS = 2_000;
/**
 * How long a good answer is reused: a scraped /health must not become a stream of calls to the GPU box. A
 * failed probe is asked again at the next check (it costs a down server nothing), so recovery shows at once.
 */
export const AI_PROBE_CACHE_MS = 5_000;
const MAX_LIST_BYTES = 1024 * 1024;
const NAMES_SHOWN = 10;

export interface AiServerReport {
  /** The server answers and, where the protocol can list its models, serves AI_MODEL. */
  ok: boolean;
  latencyMs?: number;
  /** What is wrong, short, with no URL or key: for /health and logs. */
  problem?: string;
  /** The listed name AI_MODEL matched (Ollama: `gpt-oss` is served as `gpt-oss:latest`). */
  servedAs?: string;
}

/**
 * Asks the AI server whether it can do our calls, without ever asking it to generate: openai and ollama
 * list the models they serve (`GET …/v1/models`, `GET /api/tags`) and AI_MODEL must be among them; the
 * office `chat` server has no list, so any HTTP answer to a `HEAD` shows it is reachable.
 */
@Injectable()
export class AiServerProbe {
  private readonly protocol: AiProtocol;
  private cached?: { report: Promise<AiServerReport>; expiresAt: number };

  constructor(
    private readonly http: HttpService,
    private readonly config: AppConfig,
  ) {
    this.protocol = createAiProtocol(config.ai);
  }

  /** Whether the protocol can ask the server which models it serves (openai, ollama; not the office chat). */
  get checksModel(): boolean {
    return this.protocol.modelList !== undefined;
  }

  /** The report being made, or the last good one if younger than AI_PROBE_CACHE_MS, else a new one. */
  check(): Promise<AiServerReport> {
    if (this.cached && Date.now() < this.cached.expiresAt) return this.cached.report;
    const entry = { report: this.probe(), expiresAt: Number.POSITIVE_INFINITY };
    void entry.report.then(({ ok }) => (entry.expiresAt = ok ? Date.now() + AI_PROBE_CACHE_MS : 0));
    this.cached = entry;
    return entry.report;
  }

  private async probe(): Promise<AiServerReport> {
    const list = this.protocol.modelList;
    const started = performance.now();
    let response: AxiosResponse<string>;
    try {
      response = await firstValueFrom(
        this.http.request<string>({
          method: list ? 'GET' : 'HEAD',
          url: list ? list.url : this.config.ai.url,
          headers: { Accept: 'application/json', ...list?.headers },
          timeout: AI_PROBE_TIMEOUT_MS,
          signal: AbortSignal.timeout(AI_PROBE_TIMEOUT_MS),
          responseType: 'text',
          transformResponse: (data: unknown) => data,
          validateStatus: () => true,
          maxRedirects: 0,
          maxContentLength: MAX_LIST_BYTES,
        }),
      );
    } catch (error) {
      // Only the code leaves here: axios errors carry the request config, key included.
      const code = (error as { code?: string }).code;
      const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED';
      const reason = timedOut ? `no answer within ${AI_PROBE_TIMEOUT_MS} ms` : `unreachable (${code ?? 'error'})`;
      return { ok: false, problem: `AI endpoint ${reason}` };
    }
    const latencyMs = Math.round(performance.now() - started);
    // Any HTTP answer (even 404 or 405) proves the office server is reachable.
    if (!list) return { ok: true, latencyMs };
    return { latencyMs, ...this.findModel(list, response) };
  }

  private findModel(list: ModelList, response: AxiosResponse<string>): Omit<AiServerReport, 'latencyMs'> {
    if (response.status < 200 || response.status >= 300) {
      return { ok: false, problem: `AI server answered HTTP ${response.status} to GET ${list.path}` };
    }
    let names: string[] | undefined;
    try {
      names = list.names(JSON.parse(response.data));
    } catch {
      names = undefined;
    }
    if (!names) return { ok: false, problem: `AI server's answer to GET ${list.path} is not a model list` };
    const { model } = this.config.ai;
    const servedAs = names.find((name) => sameModel(name, model));
    if (servedAs !== undefined) return { ok: true, servedAs };
    return { ok: false, problem: `model ${model} is not served (served: ${describeNames(names)})` };
  }
}

/** Ollama's rule: a name without a tag means `:latest` (the tag follows the last `/`, as in `hf.co/org/repo:Q4`). */
function withTag(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1).includes(':') ? name : `${name}:latest`;
}

export function sameModel(listed: string, wanted: string): boolean {
  return withTag(listed) === withTag(wanted);
}

function describeNames(names: string[]): string {
  if (names.length === 0) return 'none';
  const shown = names.slice(0, NAMES_SHOWN).map((name) => (name.length > 100 ? `${name.slice(0, 100)}…` : name));
  return names.length > NAMES_SHOWN ? `${shown.join(', ')} and ${names.length - NAMES_SHOWN} more` : shown.join(', ');
}
