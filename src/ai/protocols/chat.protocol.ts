import { AiConfig } from '../../config/app-config';
import { AiMalformedAnswerError } from '../ai.errors';
import { AiProtocol, AiRequest, isRecord } from './ai-protocol';

const TEXT_FIELDS = ['respuesta', 'response', 'text', 'message'] as const;

/**
 * The office server: `{ modelo, prompt, stream, temperature }`, text in the first present of TEXT_FIELDS.
 * Its contract has no field for a token cap and no model list: the office server caps generation on its
 * side, and health can only see that it answers.
 */
export class ChatProtocol implements AiProtocol {
  readonly name = 'chat';
  readonly capTokens = undefined;
  readonly modelList = undefined;

  constructor(private readonly config: AiConfig) {}

  buildRequest(prompt: string): AiRequest {
    const { model, temperature, apiKey } = this.config;
    return {
      body: { modelo: model, prompt, stream: false, temperature },
      headers: apiKey ? { 'X-Api-Key': apiKey } : {},
    };
  }

  extractText(body: unknown): string {
    if (isRecord(body)) {
      for (const field of TEXT_FIELDS) {
        const value = body[field];
        if (typeof value === 'string') return value;
        if (isRecord(value) && typeof value.content === 'string') return value.content;
      }
    }
    throw AiMalformedAnswerError.noText('respuesta, response, text or message');
  }

  // Not in the contract, but a server relaying Ollama's or an OpenAI-style answer passes its reason on.
  stoppedAtLimit(body: unknown): boolean {
    return isRecord(body) && (body.done_reason === 'length' || body.finish_reason === 'length');
  }
}
