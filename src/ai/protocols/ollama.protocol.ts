import { AiConfig } from '../../config/app-config';
import { AiMalformedAnswerError } from '../ai.errors';
import { AiProtocol, AiRequest, isRecord } from './ai-protocol';

/** Ollama's `POST /api/generate`, not streamed; gpt-oss's reasoning comes apart in `thinking`, ignored. */
export class OllamaProtocol implements AiProtocol {
  readonly name = 'ollama';

  constructor(private readonly config: AiConfig) {}

  buildRequest(prompt: string): AiRequest {
    const { model, temperature } = this.config;
    return { body: { model, prompt, stream: false, options: { temperature } }, headers: {} };
  }

  extractText(body: unknown): string {
    if (isRecord(body) && typeof body.response === 'string') return body.response;
    throw AiMalformedAnswerError.noText('response');
  }
}
