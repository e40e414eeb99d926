import { AiConfig } from '../../config/app-config';
import { AiMalformedAnswerError } from '../ai.errors';
import { AiProtocol, AiRequest, isRecord, ModelList, siblingUrl } from './ai-protocol';

/**
 * `POST /v1/chat/completions` (OpenAI, vLLM, llama.cpp, Ollama's compatible API). Reasoning arrives
 * in `reasoning` or `reasoning_content` and is ignored. The cap is `max_tokens` (the field every one of
 * these servers reads); `GET /v1/models` lists the models served.
 */
export class OpenAiProtocol implements AiProtocol {
  readonly name = 'openai';
  readonly capTokens: number;
  readonly modelList: ModelList;

  constructor(private readonly config: AiConfig) {
    this.capTokens = config.maxTokens;
    const url = siblingUrl(config.url, '/chat/completions', '/models', '/v1/models');
    this.modelList = { url: url.href, path: url.pathname, headers: this.authHeaders(), names: modelIds };
  }

  buildRequest(prompt: string): AiRequest {
    const { model, temperature } = this.config;
    return {
      body: { model, messages: [{ role: 'user', content: prompt }], temperature, max_tokens: this.capTokens, stream: false },
      headers: this.authHeaders(),
    };
  }

  extractText(body: unknown): string {
    const message = firstChoice(body)?.message;
    if (isRecord(message)) {
      // A reasoning model that spent its budget thinking answers `content: null`: an empty answer, not a broken one.
      if (message.content === null) return '';
      if (typeof message.content === 'string') return message.content;
    }
    throw AiMalformedAnswerError.noText('choices[0].message.content');
  }

  stoppedAtLimit(body: unknown): boolean {
    return firstChoice(body)?.finish_reason === 'length';
  }

  private authHeaders(): Record<string, string> {
    return this.config.apiKey ? { Authorization: `Bearer ${this.config.apiKey}` } : {};
  }
}

function firstChoice(body: unknown): Record<string, unknown> | undefined {
  const choices = isRecord(body) ? body.choices : undefined;
  return Array.isArray(choices) && isRecord(choices[0]) ? choices[0] : undefined;
}

function modelIds(body: unknown): string[] | undefined {
  const data = isRecord(body) ? body.data : undefined;
  if (!Array.isArray(data)) return undefined;
  return data.flatMap((model) => (isRecord(model) && typeof model.id === 'string' ? [model.id] : []));
}
