import { AiConfig } from '../../config/app-config';
import { AiProtocol } from './ai-protocol';
import { ChatProtocol } from './chat.protocol';
import { OllamaProtocol } from './ollama.protocol';
import { OpenAiProtocol } from './openai.protocol';

// The one place AI_PROTOCOL picks an implementation.
const PROTOCOLS: Record<AiConfig['protocol'], new (config: AiConfig) => AiProtocol> = {
  chat: ChatProtocol,
  ollama: OllamaProtocol,
  openai: OpenAiProtocol,
};

export function createAiProtocol(config: AiConfig): AiProtocol {
  return new PROTOCOLS[config.protocol](config);
}
