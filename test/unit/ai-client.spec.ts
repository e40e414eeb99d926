import { Test, TestingModule } from '@nestjs/testing';
import { createServer } from 'node:net';
import { inspect } from 'node:util';
import { AiClient, MAX_ANSWER_BYTES } from '../../src/ai/ai-client';
import { AiError, AiFailureCause } from '../../src/ai/ai.errors';
import { AiModule } from '../../src/ai/ai.module';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { CapturedLogs } from '../support/captured-logs';
import { ChatTextField, FakeAiServer } from '../support/fake-ai-server';

const AI_API_KEY = 'sk-test-key-never-shown-4f1d';
const ORIGINAL =
  'Muebles Ejemplo es una empresa familiar de Valencia que fabrica muebles de madera maciza para hogares y oficinas desde 1985, con tienda propia.';
const FINAL = 'Muebles Ejemplo S.L. es un fabricante valenciano de muebles de madera maciza para hogares y oficinas, fundado en 1985.';

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function failureOf(call: Promise<unknown>): Promise<AiError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(AiError);
    return error as AiError;
  }
  throw new Error('expected the AI call to fail');
}

describe('AiClient against a real fake AI server', () => {
  let ai: FakeAiServer;
  let moduleRef: TestingModule | undefined;
  let logs: CapturedLogs;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
  });

  afterAll(async () => {
    await ai.close();
  });

  beforeEach(() => ai.reset());

  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
  });

  async function clientWith(env: Record<string, string>): Promise<AiClient> {
    const config = loadConfig({ AI_URL: ai.url('/chat'), AI_TIMEOUT_MS: '5000', ...env });
    logs = new CapturedLogs();
    moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), AiModule] })
      .setLogger(logs)
      .compile();
    return moduleRef.get(AiClient);
  }

  describe('speaking each protocol', () => {
    it('chat: posts { modelo, prompt, stream, temperature } with X-Api-Key and reads respuesta', async () => {
      const client = await clientWith({ AI_PROTOCOL: 'chat', AI_API_KEY, AI_MODEL: 'gpt-oss:20b', AI_TEMPERATURE: '0.2' });

      await expect(client.rewrite(ORIGINAL)).resolves.toBe(FakeAiServer.expectedTextFor(ORIGINAL));

      const [call] = ai.requests;
      expect(call).toMatchObject({ method: 'POST', path: '/chat', original: ORIGINAL });
      expect(call.body).toEqual({ modelo: 'gpt-oss:20b', prompt: expect.stringContaining(ORIGINAL), stream: false, temperature: 0.2 });
      expect(call.headers['x-api-key']).toBe(AI_API_KEY);
      expect(call.headers.authorization).toBeUndefined();
      expect(call.headers['content-type']).toMatch(/^application\/json/);
    });

    it.each<ChatTextField>(['response', 'text', 'message', 'message.content'])('chat: reads the text from %s', async (field) => {
      const client = await clientWith({ AI_PROTOCOL: 'chat' });
      ai.respondOnce({ field, text: FINAL });
      await expect(client.rewrite(ORIGINAL)).resolves.toBe(FINAL);
    });

    it('chat: sends no key header when AI_API_KEY is unset', async () => {
      const client = await clientWith({ AI_PROTOCOL: 'chat' });
      await client.rewrite(ORIGINAL);
      expect(ai.requests[0].headers['x-api-key']).toBeUndefined();
    });

    it('sends the credentials of AI_URL (a proxy in front) as Basic authentication, beside the chat key header', async () => {
      const withCredentials = ai.url('/chat').replace('http://', 'http://operator:p%40ss@');
      await (await clientWith({ AI_PROTOCOL: 'chat', AI_URL: withCredentials, AI_API_KEY })).rewrite(ORIGINAL);
      const [call] = ai.requests;
      expect(call.headers.authorization).toBe(`Basic ${Buffer.from('operator:p@ss').toString('base64')}`);
      expect(call.headers['x-api-key']).toBe(AI_API_KEY);
      expect(call.path).toBe('/chat');
    });

    it('ollama: posts /api/generate without streaming and ignores the thinking field', async () => {
      const client = await clientWith({ AI_PROTOCOL: 'ollama', AI_URL: ai.url('/api/generate'), AI_API_KEY });
      ai.respondOnce({ text: FINAL, thinking: 'The user wants a neutral rewrite. Keep the facts.' });

      await expect(client.rewrite(ORIGINAL)).resolves.toBe(FINAL);

      const [call] = ai.requests;
      expect(call.path).toBe('/api/generate');
      expect(call.body).toEqual({
        model: 'gpt-oss',
        prompt: expect.stringContaining(ORIGINAL),
        stream: false,
        options: { temperature: 0.3, num_predict: 1536 },
      });
      expect(call.headers['x-api-key']).toBeUndefined();
      expect(call.headers.authorization).toBeUndefined();
    });

    it('openai: posts /v1/chat/completions with a Bearer key and ignores message.reasoning', async () => {
      const client = await clientWith({ AI_PROTOCOL: 'openai', AI_URL: ai.url('/v1/chat/completions'), AI_API_KEY });
      ai.respondOnce({ text: FINAL, thinking: 'We need to rewrite in Spanish.' });

      await expect(client.rewrite(ORIGINAL)).resolves.toBe(FINAL);

      const [call] = ai.requests;
      expect(call.path).toBe('/v1/chat/completions');
      expect(call.body).toEqual({
        model: 'gpt-oss',
        messages: [{ role: 'user', content: expect.stringContaining(ORIGINAL) }],
        temperature: 0.3,
        max_tokens: 1536,
        stream: false,
      });
      expect(call.headers.authorization).toBe(`Bearer ${AI_API_KEY}`);
      expect(call.headers['x-api-key']).toBeUndefined();
    });

    it('keeps only the final text of a reasoning-wrapped answer', async () => {
      const client = await clientWith({});
      ai.respondOnce({
        text:
          '<|channel|>analysis<|message|>We need a factual rewrite, no new data.<|end|>' +
          `<|start|>assistant<|channel|>final<|message|>Aquí está el texto procesado:\n\n${FINAL}<|return|>`,
      });
      await expect(client.rewrite(ORIGINAL)).resolves.toBe(FINAL);
    });

    it('logs the protocol and the latency at debug, never the key or the text', async () => {
      const client = await clientWith({ AI_API_KEY });
      await client.rewrite(ORIGINAL);
      expect(logs.matching(/\[debug\] \[AiClient\] chat call answered HTTP 200 in \d+ ms/)).toHaveLength(1);
      expect(logs.text()).not.toContain(AI_API_KEY);
      expect(logs.text()).not.toContain(ORIGINAL.slice(0, 40));
      expect(logs.text()).not.toContain(FakeAiServer.expectedTextFor(ORIGINAL).slice(0, 40));
    });
  });

  describe('failing with a cause', () => {
    const expectFailure = (error: AiError, cause: AiFailureCause, message: string | RegExp, reachedServer: boolean) => {
      expect(error.cause).toBe(cause);
      expect(error.message).toMatch(message);
      expect(error.reachedServer).toBe(reachedServer);
      for (const shown of [error.message, String(error), inspect(error), JSON.stringify(error)]) expect(shown).not.toContain(AI_API_KEY);
    };

    it('times out after AI_TIMEOUT_MS and really cancels the call', async () => {
      const client = await clientWith({ AI_TIMEOUT_MS: '300', AI_API_KEY });
      ai.respondOnce({ delayMs: 30_000 });

      expectFailure(await failureOf(client.rewrite(ORIGINAL)), 'timeout', 'AI call timed out after 300 ms', true);

      // The fake's answer was due in 30 s; the call stops being in flight only because the client hung up.
      await ai.waitForInFlight(0);
      expect(ai.requests[0].outcome).toBe('disconnected');
    });

    it("stops when the caller's signal aborts, and cancels the call", async () => {
      const client = await clientWith({ AI_API_KEY });
      ai.respondOnce({ delayMs: 30_000 });
      const controller = new AbortController();
      const call = client.rewrite(ORIGINAL, controller.signal);
      await ai.waitForInFlight(1);
      controller.abort();

      expectFailure(await failureOf(call), 'aborted', 'AI call aborted by the caller', true);
      await ai.waitForInFlight(0);
      expect(ai.requests[0].outcome).toBe('disconnected');
    });

    it('reports a refused connection as unreachable, without the URL or its credentials', async () => {
      const client = await clientWith({ AI_URL: `http://operator:url-s3cret@127.0.0.1:${await closedPort()}/chat`, AI_API_KEY });
      const error = await failureOf(client.rewrite(ORIGINAL));
      expectFailure(error, 'unreachable', 'AI endpoint unreachable (ECONNREFUSED)', false);
      expect(inspect(error)).not.toContain('url-s3cret');
    });

    it('reports a connection dropped without an answer as unreachable', async () => {
      const client = await clientWith({ AI_API_KEY });
      ai.hangUp();
      expectFailure(await failureOf(client.rewrite(ORIGINAL)), 'unreachable', 'AI endpoint unreachable (ECONNRESET)', false);
    });

    it('reports an HTTP 500', async () => {
      const client = await clientWith({ AI_API_KEY });
      ai.failWith(500);
      expectFailure(await failureOf(client.rewrite(ORIGINAL)), 'http_status', 'AI answered HTTP 500', true);
    });

    it('reports a body that is not JSON as malformed', async () => {
      const client = await clientWith({ AI_API_KEY });
      ai.respondOnce({ rawBody: '<html><body>Bad Gateway</body></html>' });
      expectFailure(await failureOf(client.rewrite(ORIGINAL)), 'malformed', 'AI answer is not valid JSON', true);
    });

    it('reports JSON without any text field as malformed', async () => {
      const client = await clientWith({ AI_API_KEY });
      ai.respondOnce({ rawBody: '{"status":"ok","modelo":"gpt-oss"}' });
      expectFailure(
        await failureOf(client.rewrite(ORIGINAL)),
        'malformed',
        'AI answer has no text in respuesta, response, text or message',
        true,
      );
    });

    it('reports an empty answer', async () => {
      const client = await clientWith({ AI_API_KEY });
      ai.respondOnce({ text: '   ' });
      expectFailure(await failureOf(client.rewrite(ORIGINAL)), 'empty', 'AI answer is empty after removing reasoning and preambles', true);
    });

    it('reports an answer that is only reasoning as empty', async () => {
      const client = await clientWith({ AI_PROTOCOL: 'openai', AI_URL: ai.url('/v1/chat/completions'), AI_API_KEY });
      ai.respondOnce({ text: '<think>The user wants a rewrite. First I will list the facts:', thinking: 'Thinking about it.' });
      expectFailure(await failureOf(client.rewrite(ORIGINAL)), 'empty', /empty/, true);
    });

    it('reports an answer over 4,000 characters as oversize', async () => {
      const client = await clientWith({ AI_API_KEY });
      ai.respondOnce({ text: `${FINAL} `.repeat(50).trim() });
      const length = `${FINAL} `.repeat(50).trim().length;
      expectFailure(await failureOf(client.rewrite(ORIGINAL)), 'oversize', `AI answer is ${length} characters, over the 4000 limit`, true);
    });

    it('stops reading a body over MAX_ANSWER_BYTES and reports it as oversize', async () => {
      const client = await clientWith({ AI_API_KEY });
      ai.respondOnce({ rawBody: JSON.stringify({ respuesta: 'x'.repeat(MAX_ANSWER_BYTES) }) });
      expectFailure(
        await failureOf(client.rewrite(ORIGINAL)),
        'oversize',
        `AI answer body is over the ${MAX_ANSWER_BYTES} byte limit`,
        true,
      );
    });

    it('never shows the key in the logs of failed calls', async () => {
      const client = await clientWith({ AI_API_KEY });
      ai.respondOnce({ status: 503 });
      await failureOf(client.rewrite(ORIGINAL));
      expect(logs.matching(/chat call answered HTTP 503 in \d+ ms/)).toHaveLength(1);
      expect(logs.text()).not.toContain(AI_API_KEY);
    });
  });
});
