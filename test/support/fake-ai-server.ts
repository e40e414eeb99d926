import { EventEmitter } from 'node:events';
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import {
  answerBody,
  capOf,
  ChatTextField,
  CHARACTERS_PER_TOKEN,
  errorBody,
  expectedTextFor,
  FakeAiProtocol,
  generate,
  invalidRequest,
  modelListBody,
  modelNotFoundBody,
  modelOf,
  originalOf,
  promptOf,
  ROUTES,
  tokensIn,
  withTag,
} from './fake-ai-answers';

export type { ChatTextField, FakeAiProtocol } from './fake-ai-answers';

/** How the fake answers one call. Everything is optional: `{}` is a prompt answer of the default text. */
export interface FakeAiBehaviour {
  /** Wait this long before answering (the call counts as in flight meanwhile). */
  delayMs?: number;
  /** Answer this status; 400 and above get the server's own error body. */
  status?: number;
  /** The text to answer; by default `FakeAiServer.expectedTextFor(original)`. */
  text?: string;
  /** Send exactly this body instead (status 200 unless `status` is given). */
  rawBody?: string;
  /** Reasoning beside the text: Ollama's `thinking`, OpenAI-compatible `message.reasoning`. */
  thinking?: string;
  /** Office server only: the field that carries the text (default `respuesta`). */
  field?: ChatTextField;
  /** Destroy the connection without answering. */
  hangUp?: boolean;
  /**
   * The model never stops by itself: it repeats the text until the request's cap (`max_tokens`,
   * `options.num_predict`) or the server's context is used up, and ends with finish reason "length".
   */
  endless?: boolean;
}

export interface FakeAiRequest {
  method: string;
  path: string;
  /** The path and query string as received, e.g. `/chat?worker=3`. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON; the raw text when it is not JSON; undefined when there is no body. Typed like supertest's body. */
  body: any;
  receivedAt: Date;
  protocol?: FakeAiProtocol;
  /** The original found between the prompt's delimiters. */
  original?: string;
  /** `disconnected`: the client went away before the answer (a cancelled call). */
  outcome: 'pending' | 'answered' | 'hung up' | 'disconnected';
  /** When the outcome was settled (the answer sent, the connection gone). */
  settledAt?: Date;
}

export type FakeAiScript = FakeAiBehaviour | ((request: FakeAiRequest) => FakeAiBehaviour);

export interface FakeAiServerOptions {
  port?: number;
  host?: string;
  /** The context of the loaded model: prompt and generation together never exceed it (llama.cpp's `-c`). */
  contextTokens?: number;
}

/** What `GET /v1/models` and `GET /api/tags` list, and the only models generation calls may name. */
export const DEFAULT_SERVED_MODELS = ['gpt-oss', 'gpt-oss:20b'];

const MODEL_LISTS: Record<string, 'ollama' | 'openai'> = { '/v1/models': 'openai', '/api/tags': 'ollama' };

/**
 * A real HTTP server speaking the three AI protocols: the office server (`POST /chat`), Ollama
 * (`POST /api/generate`, `GET /api/tags`) and the OpenAI-compatible API (`POST /v1/chat/completions`,
 * `GET /v1/models`). Answers follow a default behaviour, or the next one-shot behaviour queued with
 * `respondOnce`. Like the real servers, Ollama and the OpenAI API answer 404 for a model they do not
 * serve, and generation stops at the request's token cap or the context limit with reason "length".
 */
export class FakeAiServer {
  /** Exactly what the fake answers, by default, for this original. */
  static expectedTextFor(original: string): string {
    return expectedTextFor(original);
  }

  readonly requests: FakeAiRequest[] = [];
  private current = 0;
  private highest = 0;
  private fallback: FakeAiScript = {};
  private readonly queued: FakeAiScript[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly changes = new EventEmitter().setMaxListeners(0);
  private closing?: Promise<void>;
  private models = [...DEFAULT_SERVED_MODELS];

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly contextTokens: number,
  ) {}

  static async start({ port = 0, host = '127.0.0.1', contextTokens = 4_096 }: FakeAiServerOptions = {}): Promise<FakeAiServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    const fake = new FakeAiServer(server, `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`, contextTokens);
    server.on('request', (request: IncomingMessage, response: ServerResponse) => fake.handle(request, response));
    return fake;
  }

  /** Calls being answered right now (delayed ones included). */
  get inFlight(): number {
    return this.current;
  }

  /** The most calls in flight at once since start or the last `reset()`. */
  get maxInFlight(): number {
    return this.highest;
  }

  url(path = '/chat'): string {
    return `${this.baseUrl}${path}`;
  }

  /** Every later call, unless a one-shot behaviour is queued. */
  respondWith(script: FakeAiScript): void {
    this.fallback = script;
  }

  /** The next call only; several calls queue up in order. */
  respondOnce(script: FakeAiScript): void {
    this.queued.push(script);
  }

  /** Every later call answers this status (one call only: `respondOnce({ status })`). */
  failWith(status: number): void {
    this.respondWith({ status });
  }

  /** Every later call loses its connection unanswered (one call only: `respondOnce({ hangUp: true })`). */
  hangUp(): void {
    this.respondWith({ hangUp: true });
  }

  /** The models Ollama and the OpenAI API list and generate with (default DEFAULT_SERVED_MODELS). */
  serveModels(models: string[]): void {
    this.models = [...models];
  }

  /** Back to answering every call at once with the default text and models; forgets recorded requests. */
  reset(): void {
    this.models = [...DEFAULT_SERVED_MODELS];
    this.fallback = {};
    this.queued.length = 0;
    this.requests.length = 0;
    this.highest = this.current;
  }

  waitForRequests(count: number, timeoutMs = 10_000): Promise<void> {
    return this.waitUntil(`${count} request(s)`, () => this.requests.length >= count, timeoutMs);
  }

  /** Resolves when exactly `count` calls are in flight. */
  waitForInFlight(count: number, timeoutMs = 10_000): Promise<void> {
    return this.waitUntil(`${count} call(s) in flight`, () => this.current === count, timeoutMs);
  }

  /** Stops listening, cancels delayed answers and drops open connections. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      for (const timer of this.timers) clearTimeout(timer);
      this.timers.clear();
      this.changes.emit('close');
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private waitUntil(description: string, condition: () => boolean, timeoutMs: number): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const finish = (error?: Error) => {
        clearTimeout(timer);
        this.changes.off('change', onChange).off('close', onClose);
        if (error) reject(error);
        else resolve();
      };
      const onChange = () => condition() && finish();
      const onClose = () => finish(new Error(`FakeAiServer closed while waiting for ${description}`));
      const timer = setTimeout(
        () =>
          finish(
            new Error(
              `FakeAiServer: no ${description} within ${timeoutMs} ms (requests: ${this.requests.length}, in flight: ${this.current})`,
            ),
          ),
        timeoutMs,
      );
      this.changes.on('change', onChange).on('close', onClose);
    });
  }

  private serves(model: string): boolean {
    return this.models.some((served) => withTag(served) === withTag(model));
  }

  private changed(): void {
    this.changes.emit('change');
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = new URL(request.url ?? '/', 'http://fake').pathname;
    const protocol = ROUTES[path];
    const generation = protocol !== undefined && request.method === 'POST';
    if (generation) this.track(response);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const record = this.record(request, path, protocol, Buffer.concat(chunks).toString('utf8'));
      response.once('close', () => {
        if (record.outcome === 'pending') record.outcome = response.writableFinished ? 'answered' : 'disconnected';
        record.settledAt ??= new Date();
      });
      const listing = MODEL_LISTS[path];
      if (listing !== undefined) {
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          return this.send(response, record, 405, { error: 'method not allowed' }, { Allow: 'GET' });
        }
        return this.send(response, record, 200, modelListBody(listing, this.models));
      }
      if (protocol === undefined) return this.send(response, record, 404, { error: `no route for ${path}` });
      if (!generation) return this.send(response, record, 405, { error: 'method not allowed' }, { Allow: 'POST' });
      if (typeof record.body === 'string') return this.send(response, record, 400, errorBody(protocol, 400, 'invalid JSON body'));
      const invalid = invalidRequest(protocol, record.body);
      if (invalid) return this.send(response, record, 400, errorBody(protocol, 400, invalid));
      if (protocol !== 'chat' && !this.serves(modelOf(record.body))) {
        return this.send(response, record, 404, modelNotFoundBody(protocol, modelOf(record.body)));
      }
      const script = this.queued.shift() ?? this.fallback;
      const behaviour = typeof script === 'function' ? script(record) : script;
      this.later(behaviour.delayMs ?? 0, response, () => this.answer(response, record, protocol, behaviour));
    });
  }

  // In flight from arrival until the answer is sent or the client goes away.
  private track(response: ServerResponse): void {
    this.current += 1;
    this.highest = Math.max(this.highest, this.current);
    this.changed();
    response.once('close', () => {
      this.current -= 1;
      this.changed();
    });
  }

  private record(request: IncomingMessage, path: string, protocol: FakeAiProtocol | undefined, text: string): FakeAiRequest {
    let body: unknown = text === '' ? undefined : text;
    try {
      if (text !== '') body = JSON.parse(text);
    } catch {
      // Kept as text: the server answers 400.
    }
    const prompt = protocol ? promptOf(protocol, body) : undefined;
    const record: FakeAiRequest = {
      method: request.method ?? 'GET',
      path,
      url: request.url ?? path,
      headers: request.headers,
      body,
      receivedAt: new Date(),
      protocol,
      original: prompt === undefined ? undefined : originalOf(prompt),
      outcome: 'pending',
    };
    this.requests.push(record);
    this.changed();
    return record;
  }

  private later(delayMs: number, response: ServerResponse, action: () => void): void {
    if (delayMs <= 0) return action();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      action();
    }, delayMs);
    this.timers.add(timer);
    // A client that gives up (timeout, abort) cancels the pending answer.
    response.once('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
  }

  private answer(response: ServerResponse, record: FakeAiRequest, protocol: FakeAiProtocol, behaviour: FakeAiBehaviour): void {
    if (response.destroyed) return;
    if (behaviour.hangUp) {
      record.outcome = 'hung up';
      response.socket?.destroy();
      return;
    }
    const status = behaviour.status ?? 200;
    if (behaviour.rawBody !== undefined) return this.send(response, record, status, behaviour.rawBody);
    if (status >= 400) return this.send(response, record, status, errorBody(protocol, status));
    const prompt = promptOf(protocol, record.body) ?? '';
    const wanted = behaviour.text ?? expectedTextFor(record.original ?? '');
    const contextLeft = Math.max(0, this.contextTokens - tokensIn(prompt));
    const limitTokens = Math.min(capOf(protocol, record.body) ?? Number.POSITIVE_INFINITY, contextLeft);
    const text = behaviour.endless ? repeatBeyond(wanted, limitTokens * CHARACTERS_PER_TOKEN) : wanted;
    const generation = generate(text, behaviour.thinking, limitTokens);
    const model = modelOf(record.body);
    const body = answerBody(protocol, { ...generation, field: behaviour.field, model, prompt, sequence: this.requests.length });
    this.send(response, record, status, body);
  }

  private send(response: ServerResponse, record: FakeAiRequest, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const payload = typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
    response.end(record.method === 'HEAD' ? undefined : payload);
  }
}

/** The text repeated until it is longer than `characters`: a model that never stops by itself. */
function repeatBeyond(text: string, characters: number): string {
  const times = Math.ceil((characters + 1) / (text.length + 1));
  return Array.from({ length: times }, () => text).join(' ');
}
