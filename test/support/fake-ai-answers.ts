import { createHash } from 'node:crypto';
import { ORIGINAL_CLOSE, ORIGINAL_OPEN } from '../../src/ai/prompt';

export type FakeAiProtocol = 'chat' | 'ollama' | 'openai';

/** Where the office server puts its text; `message.content` nests it as `{ message: { content } }`. */
export type ChatTextField = 'respuesta' | 'response' | 'text' | 'message' | 'message.content';

export const ROUTES: Record<string, FakeAiProtocol> = {
  '/chat': 'chat',
  '/api/generate': 'ollama',
  '/v1/chat/completions': 'openai',
};

/**
 * What the fake answers by default for an original: a neutral Spanish paragraph naming the start of
 * the original and a hash of all of it, so a test can tell which original was processed. It is
 * already clean, so the service stores it exactly.
 */
export function expectedTextFor(original: string): string {
  const trimmed = original.trim();
  const marker = trimmed
    .replace(/\s+/g, ' ')
    .slice(0, 20)
    .replace(/[^\p{L}\p{N} .,-]/gu, '')
    .trim();
  const reference = createHash('sha256').update(trimmed).digest('hex').slice(0, 8);
  return (
    `Según la información facilitada, la empresa descrita en el texto «${marker}…» desarrolla su actividad ` +
    'con un enfoque profesional y orientado al cliente. La descripción original recoge sus principales ' +
    'servicios, su ámbito geográfico y su trayectoria, que aquí se presentan de forma neutral y ordenada, ' +
    'sin añadir datos que no figuren en ella. Esta versión resume la actividad de la empresa, los productos ' +
    'o servicios que ofrece y el público al que se dirige, con un tono informativo adecuado para su ficha ' +
    `comercial y para los buscadores. Referencia de la versión: ${reference}.`
  );
}

/** The prompt a request carries, whatever its protocol. */
export function promptOf(protocol: FakeAiProtocol, body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  if (protocol !== 'openai') return typeof body.prompt === 'string' ? body.prompt : undefined;
  const messages = Array.isArray(body.messages) ? body.messages.filter(isRecord) : [];
  const content = messages.filter((message) => message.role === 'user').pop()?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : '')).join('');
  return undefined;
}

/** The original between the prompt's delimiters, or the whole prompt when it has none. */
export function originalOf(prompt: string): string {
  const open = prompt.lastIndexOf(ORIGINAL_OPEN);
  const close = prompt.indexOf(ORIGINAL_CLOSE, open);
  if (open === -1 || close === -1) return prompt.trim();
  return prompt.slice(open + ORIGINAL_OPEN.length, close).trim();
}

/** Why the server refuses a request before generating, in its own words; undefined when it is fine. */
export function invalidRequest(protocol: FakeAiProtocol, body: unknown): string | undefined {
  if (!isRecord(body)) return 'the body must be a JSON object';
  if (protocol === 'chat' && typeof body.prompt !== 'string') return 'Falta el campo prompt';
  if (protocol === 'ollama' && typeof body.model !== 'string') return 'model is required';
  if (protocol === 'openai' && !Array.isArray(body.messages)) return "'messages' is a required property";
  return undefined;
}

/** The cap a request carries in its protocol's own field: `max_tokens` (openai), `options.num_predict` (ollama). */
export function capOf(protocol: FakeAiProtocol, body: unknown): number | undefined {
  if (!isRecord(body)) return undefined;
  const options = isRecord(body.options) ? body.options : {};
  const cap = protocol === 'openai' ? body.max_tokens : protocol === 'ollama' ? options.num_predict : undefined;
  // Ollama reads a negative num_predict as "no limit".
  return typeof cap === 'number' && cap >= 0 ? cap : undefined;
}

/** The fake's tokenizer: about four characters a token, as the usage counts below assume. */
export const CHARACTERS_PER_TOKEN = 4;

export const tokensIn = (text: string) => Math.ceil(text.length / CHARACTERS_PER_TOKEN);

export interface Generation {
  text: string;
  thinking?: string;
  /** `length`: it stopped at the cap or the context limit, cutting the answer. */
  finishReason: 'stop' | 'length';
}

/**
 * What a server generates within `limitTokens`: the reasoning first (it counts against the cap, as gpt-oss's
 * does on llama.cpp and Ollama), then the text, cut where the tokens run out.
 */
export function generate(text: string, thinking: string | undefined, limitTokens: number): Generation {
  const thinkingTokens = tokensIn(thinking ?? '');
  if (thinking !== undefined && thinkingTokens >= limitTokens && thinkingTokens > 0) {
    return { text: '', thinking: thinking.slice(0, limitTokens * CHARACTERS_PER_TOKEN), finishReason: 'length' };
  }
  const room = limitTokens - thinkingTokens;
  if (tokensIn(text) <= room) return { text, thinking, finishReason: 'stop' };
  return { text: text.slice(0, room * CHARACTERS_PER_TOKEN), thinking, finishReason: 'length' };
}

/** Ollama's rule for model names: without a tag, `:latest`. */
export function withTag(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1).includes(':') ? name : `${name}:latest`;
}

/** The list of served models, shaped as `GET /v1/models` (openai) or `GET /api/tags` (ollama) shape it. */
export function modelListBody(protocol: 'ollama' | 'openai', models: string[]): unknown {
  if (protocol === 'openai') {
    return { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'fake-ai' })) };
  }
  return {
    models: models.map((name) => ({
      name: withTag(name),
      model: withTag(name),
      modified_at: '2026-01-01T00:00:00Z',
      size: 13_780_173_839,
      digest: createHash('sha256').update(name).digest('hex'),
      details: { format: 'gguf', family: 'gptoss', parameter_size: '20.9B', quantization_level: 'MXFP4' },
    })),
  };
}

/** A call for a model the server does not have: Ollama's 404 body, or the OpenAI API's. */
export function modelNotFoundBody(protocol: 'ollama' | 'openai', model: string): unknown {
  if (protocol === 'ollama') return { error: `model '${model}' not found, try pulling it first` };
  return {
    error: {
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      type: 'invalid_request_error',
      param: null,
      code: 'model_not_found',
    },
  };
}

export interface AnswerOptions {
  text: string;
  thinking?: string;
  finishReason?: 'stop' | 'length';
  field?: ChatTextField;
  model: string;
  prompt: string;
  sequence: number;
}

/** A successful non-streaming answer, shaped as each server shapes it. */
export function answerBody(protocol: FakeAiProtocol, options: AnswerOptions): unknown {
  const { text, thinking, field = 'respuesta', model, prompt, sequence, finishReason = 'stop' } = options;
  const promptTokens = Math.ceil(prompt.length / 4);
  const completionTokens = Math.ceil((text.length + (thinking?.length ?? 0)) / 4);
  if (protocol === 'chat') return field === 'message.content' ? { message: { role: 'assistant', content: text } } : { [field]: text };
  if (protocol === 'ollama') {
    return {
      model,
      created_at: new Date().toISOString(),
      response: text,
      ...(thinking === undefined ? {} : { thinking }),
      done: true,
      done_reason: finishReason,
      total_duration: 1_000_000,
      load_duration: 100_000,
      prompt_eval_count: promptTokens,
      prompt_eval_duration: 200_000,
      eval_count: completionTokens,
      eval_duration: 700_000,
    };
  }
  return {
    id: `chatcmpl-${sequence}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, ...(thinking === undefined ? {} : { reasoning: thinking }) },
        finish_reason: finishReason,
      },
    ],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}

/** An error answer, shaped as each server shapes it (Ollama's 503 is its full queue). */
export function errorBody(protocol: FakeAiProtocol, status: number, message = `error ${status}`): unknown {
  if (protocol === 'openai') return { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null } };
  if (protocol === 'ollama' && status === 503) return { error: 'server busy, please try again.  maximum pending requests exceeded' };
  return { error: message };
}

export function modelOf(body: unknown): string {
  if (!isRecord(body)) return 'gpt-oss';
  const model = body.model ?? body.modelo;
  return typeof model === 'string' ? model : 'gpt-oss';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
