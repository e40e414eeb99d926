import { Test, TestingModule } from '@nestjs/testing';
import { AiClient } from '../../src/ai/ai-client';
import { AiError } from '../../src/ai/ai.errors';
import { AiModule } from '../../src/ai/ai.module';
import { AiServerProbe } from '../../src/ai/ai-server-probe';
import { loadConfig } from '../../src/config/app-config';
import { ConfigModule } from '../../src/config/config.module';
import { CapturedLogs } from '../support/captured-logs';
import { FakeAiServer } from '../support/fake-ai-server';
import { closedPort } from '../support/ports';

const ORIGINAL =
  'Muebles Ejemplo es una empresa familiar de Valencia que fabrica muebles de madera maciza para hogares y oficinas ' +
  'desde 1985, con tienda propia.';
const AI_API_KEY = 'sk-limits-key-never-shown-77aa';

const PROTOCOLS = [
  { protocol: 'ollama', path: '/api/generate', listPath: '/api/tags', capOf: (body: any) => body.options.num_predict },
  { protocol: 'openai', path: '/v1/chat/completions', listPath: '/v1/models', capOf: (body: any) => body.max_tokens },
] as const;

async function failureOf(call: Promise<unknown>): Promise<AiError> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(AiError);
    return error as AiError;
  }
  throw new Error('expected the AI call to fail');
}

describe('AI calls as real servers need them', () => {
  let ai: FakeAiServer;
  let moduleRef: TestingModule | undefined;

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

  async function moduleWith(env: Record<string, string>): Promise<TestingModule> {
    const config = loadConfig({ AI_URL: ai.url('/chat'), AI_TIMEOUT_MS: '5000', ...env });
    moduleRef = await Test.createTestingModule({ imports: [ConfigModule.forRoot(config), AiModule] })
      .setLogger(new CapturedLogs())
      .compile();
    return moduleRef;
  }

  describe.each(PROTOCOLS)('AI_PROTOCOL=$protocol', ({ protocol, path, listPath, capOf }) => {
    const env = (extra: Record<string, string> = {}) => ({ AI_PROTOCOL: protocol, AI_URL: ai.url(path), AI_API_KEY, ...extra });

    it('sends AI_MAX_TOKENS in the protocol’s own field, 1536 by default', async () => {
      await (await moduleWith(env())).get(AiClient).rewrite(ORIGINAL);
      await (await moduleWith(env({ AI_MAX_TOKENS: '700' }))).get(AiClient).rewrite(ORIGINAL);
      expect(ai.requests.map((request) => capOf(request.body))).toEqual([1536, 700]);
    });

    it('fails an answer cut off at the cap with its cause, instead of returning half a description', async () => {
      const client = (await moduleWith(env({ AI_MAX_TOKENS: '40' }))).get(AiClient);
      ai.respondOnce({ thinking: 'The user wants a neutral rewrite of a furniture maker.' });

      const error = await failureOf(client.rewrite(ORIGINAL));

      expect(error.cause).toBe('truncated');
      expect(error.message).toBe(
        'AI answer was cut off at the token limit (finish reason "length"; AI_MAX_TOKENS is 40, reasoning included)',
      );
      expect(error.reachedServer).toBe(true);
    });

    it('fails a model that never stops, cut at the cap, the same way', async () => {
      const client = (await moduleWith(env({ AI_MAX_TOKENS: '300' }))).get(AiClient);
      ai.respondOnce({ endless: true });
      expect((await failureOf(client.rewrite(ORIGINAL))).cause).toBe('truncated');
    });

    it('lists the served models without a generation and answers up with the name it serves', async () => {
      const probe = (await moduleWith(env({ AI_MODEL: 'gpt-oss:20b' }))).get(AiServerProbe);
      await expect(probe.check()).resolves.toMatchObject({ ok: true, servedAs: 'gpt-oss:20b', latencyMs: expect.any(Number) });
      expect(ai.requests.map((request) => `${request.method} ${request.path}`)).toEqual([`GET ${listPath}`]);
    });

    it('says which model is missing and which are served', async () => {
      ai.serveModels(['llama3.2:3b', 'qwen2.5:7b']);
      const probe = (await moduleWith(env({ AI_MODEL: 'gpt-oss:20b' }))).get(AiServerProbe);
      await expect(probe.check()).resolves.toMatchObject({
        ok: false,
        problem: 'model gpt-oss:20b is not served (served: llama3.2:3b, qwen2.5:7b)',
      });
    });

    it('a call for a model the server does not serve fails with its 404', async () => {
      ai.serveModels(['llama3.2:3b']);
      const client = (await moduleWith(env())).get(AiClient);
      const error = await failureOf(client.rewrite(ORIGINAL));
      expect(error).toMatchObject({
        cause: 'http_status',
        status: 404,
        message: 'AI answered HTTP 404: model gpt-oss is not served (check AI_MODEL)',
      });
    });

    it('reuses one answer for a few seconds, so a scraped /health cannot flood the server', async () => {
      const probe = (await moduleWith(env())).get(AiServerProbe);
      await Promise.all([probe.check(), probe.check(), probe.check()]);
      await probe.check();
      await probe.check();
      expect(ai.requests).toHaveLength(1);
    });

    it('asks again after a bad answer, so a fixed server shows up at the next check', async () => {
      ai.serveModels([]);
      const probe = (await moduleWith(env())).get(AiServerProbe);
      await expect(probe.check()).resolves.toMatchObject({ ok: false, problem: 'model gpt-oss is not served (served: none)' });
      ai.serveModels(['gpt-oss']);
      await expect(probe.check()).resolves.toMatchObject({ ok: true });
      expect(ai.requests).toHaveLength(2);
    });
  });

  it('ollama: a bare model name means :latest, as Ollama reads it', async () => {
    ai.serveModels(['gpt-oss:latest', 'llama3.2:3b']);
    const probe = (await moduleWith({ AI_PROTOCOL: 'ollama', AI_URL: ai.url('/api/generate'), AI_MODEL: 'gpt-oss' })).get(AiServerProbe);
    await expect(probe.check()).resolves.toMatchObject({ ok: true, servedAs: 'gpt-oss:latest' });

    ai.serveModels(['gpt-oss:20b']);
    const other = (await moduleWith({ AI_PROTOCOL: 'ollama', AI_URL: ai.url('/api/generate'), AI_MODEL: 'gpt-oss' })).get(AiServerProbe);
    await expect(other.check()).resolves.toMatchObject({ ok: false, problem: 'model gpt-oss is not served (served: gpt-oss:20b)' });
  });

  it('openai: asks /v1/models next to AI_URL, behind a proxy prefix too, with the Bearer key', async () => {
    const env = { AI_PROTOCOL: 'openai', AI_URL: ai.url('/proxy/v1/chat/completions'), AI_API_KEY };
    const probe = (await moduleWith(env)).get(AiServerProbe);
    await expect(probe.check()).resolves.toMatchObject({ ok: false, problem: 'AI server answered HTTP 404 to GET /proxy/v1/models' });
    expect(ai.requests[0].headers.authorization).toBe(`Bearer ${AI_API_KEY}`);
  });

  it('chat: sends no cap (the office contract has no field for it) and a relayed "length" still fails the attempt', async () => {
    const client = (await moduleWith({ AI_PROTOCOL: 'chat', AI_MAX_TOKENS: '500' })).get(AiClient);
    const cutOff = { respuesta: 'Muebles Ejemplo S.L. es un fabricante valenciano de', done_reason: 'length' };
    ai.respondOnce({ rawBody: JSON.stringify(cutOff) });

    const error = await failureOf(client.rewrite(ORIGINAL));

    expect(Object.keys(ai.requests[0].body).sort()).toEqual(['modelo', 'prompt', 'stream', 'temperature']);
    expect(error.cause).toBe('truncated');
    expect(error.message).toBe('AI answer was cut off at the server\'s own token limit (finish reason "length")');
  });

  it('chat: the probe only checks that the server answers, with a HEAD', async () => {
    const probe = (await moduleWith({ AI_PROTOCOL: 'chat' })).get(AiServerProbe);
    await expect(probe.check()).resolves.toEqual({ ok: true, latencyMs: expect.any(Number) });
    expect(ai.requests.map((request) => request.method)).toEqual(['HEAD']);
  });

  it('the fake, like llama-server, generates until its context is full when a call carries no cap', async () => {
    const small = await FakeAiServer.start({ contextTokens: 1_000 });
    try {
      small.respondWith({ endless: true });
      const post = async (extra: Record<string, unknown>) => {
        const body = { model: 'gpt-oss', messages: [{ role: 'user', content: 'Reescribe: Muebles Ejemplo.' }], stream: false, ...extra };
        const response = await fetch(small.url('/v1/chat/completions'), { method: 'POST', body: JSON.stringify(body) });
        return (await response.json()) as {
          choices: { finish_reason: string }[];
          usage: { prompt_tokens: number; completion_tokens: number };
        };
      };
      const uncapped = await post({});
      expect(uncapped.choices[0].finish_reason).toBe('length');
      expect(uncapped.usage.prompt_tokens + uncapped.usage.completion_tokens).toBe(1_000);
      const capped = await post({ max_tokens: 50 });
      expect(capped.choices[0].finish_reason).toBe('length');
      expect(capped.usage.completion_tokens).toBe(50);
    } finally {
      await small.close();
    }
  });

  it('describes the endpoint for the start line without its credentials or query string', async () => {
    const url = 'http://operator:url-s3cret@127.0.0.1:8080/v1/chat/completions?api_key=query-s3cret';
    const client = (await moduleWith({ AI_PROTOCOL: 'openai', AI_URL: url, AI_MODEL: 'gpt-oss:20b', AI_MAX_TOKENS: '1200' })).get(AiClient);
    expect(client.describe()).toBe(
      'AI endpoint http://127.0.0.1:8080/v1/chat/completions, protocol openai, model gpt-oss:20b, max 1200 tokens per call',
    );
  });

  it('reports a server that cannot be reached, without its address', async () => {
    const url = `http://operator:url-s3cret@127.0.0.1:${await closedPort()}/v1/chat/completions`;
    const probe = (await moduleWith({ AI_PROTOCOL: 'openai', AI_URL: url })).get(AiServerProbe);
    const report = await probe.check();
    expect(report).toEqual({ ok: false, problem: 'AI endpoint unreachable (ECONNREFUSED)' });
  });
});
