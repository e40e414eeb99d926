import { AiConfig } from '../../config/app-config';
import { AiMalformedAnswerError } from '../ai.errors';
import { AiProtocol, AiRequest, isRecord } from './ai-protocol';

const TEXT_FIELDS = ['respuesta', 'response', 'text', 'message'] as const;

/** The office server: `{ modelo, prompt, stream, temperature }`, text in the first present of TEXT_FIELDS. */
export class ChatProtocol implements AiProtocol {
  readonly name = 'chat';

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
}
