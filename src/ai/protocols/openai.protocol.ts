import { AiConfig } from '../../config/app-config';
import { AiMalformedAnswerError } from '../ai.errors';
import { AiProtocol, AiRequest, isRecord } from './ai-protocol';

/**
 * `POST /v1/chat/completions` (OpenAI, vLLM, llama.cpp, Ollama's compatible API). Reasoning arrives
 * in `reasoning` or `reasoning_content` and is ignored.
 */
export class OpenAiProtocol implements AiProtocol {
  readonly name = 'openai';

  constructor(private readonly config: AiConfig) {}

  buildRequest(prompt: string): AiRequest {
    const { model, temperature, apiKey } = this.config;
    return {
      body: { model, messages: [{ role: 'user', content: prompt }], temperature, stream: false },
      headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
    };
  }

  extractText(body: unknown): string {
    const choices = isRecord(body) ? body.choices : undefined;
    const message = Array.isArray(choices) && isRecord(choices[0]) ? choices[0].message : undefined;
    if (isRecord(message)) {
      // A reasoning model that spent its budget thinking answers `content: null`: an empty answer, not a broken one.
      if (message.content === null) return '';
      if (typeof message.content === 'string') return message.content;
    }
    throw AiMalformedAnswerError.noText('choices[0].message.content');
  }
}
