import { AiConfig } from '../../config/app-config';
import { AiMalformedAnswerError } from '../ai.errors';
import { AiProtocol, AiRequest, isRecord, ModelList, siblingUrl } from './ai-protocol';

/**
 * Ollama's `POST /api/generate`, not streamed; gpt-oss's reasoning comes apart in `thinking`, ignored.
 * The cap is `options.num_predict`; `GET /api/tags` lists the pulled models as `name:tag`.
 */
export class OllamaProtocol implements AiProtocol {
  readonly name = 'ollama';
  readonly capTokens: number;
  readonly modelList: ModelList;

  constructor(private readonly config: AiConfig) {
    this.capTokens = config.maxTokens;
    const url = siblingUrl(config.url, '/api/generate', '/api/tags', '/api/tags');
    this.modelList = { url: url.href, path: url.pathname, headers: {}, names: tagNames };
  }

  buildRequest(prompt: string): AiRequest {
    const { model, temperature } = this.config;
    return { body: { model, prompt, stream: false, options: { temperature, num_predict: this.capTokens } }, headers: {} };
  }

  extractText(body: unknown): string {
    if (isRecord(body) && typeof body.response === 'string') return body.response;
    throw AiMalformedAnswerError.noText('response');
  }

  stoppedAtLimit(body: unknown): boolean {
    return isRecord(body) && body.done_reason === 'length';
  }
}

function tagNames(body: unknown): string[] | undefined {
  const models = isRecord(body) ? body.models : undefined;
  if (!Array.isArray(models)) return undefined;
  return models.flatMap((model) => (isRecord(model) && typeof model.name === 'string' ? [model.name] : []));
}
