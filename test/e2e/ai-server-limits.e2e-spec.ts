import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const settled = async (t: TestApp, id: number, status: 'processed' | 'failed') =>
  waitFor(`client ${id} to be ${status}`, async () => {
    const current = (await t.http.get(`/clients/${id}`).expect(200)).body;
    return current.context_status === status ? current : undefined;
  });

/** The cap, the cut-off answer, the model check and the start line, against the fake speaking each server's API. */
describe.each([
  {
    protocol: 'ollama',
    path: '/api/generate',
    listPath: '/api/tags',
    capOf: (body: any) => body.options.num_predict,
    served: 'gpt-oss:latest, gpt-oss:20b',
  },
  {
    protocol: 'openai',
    path: '/v1/chat/completions',
    listPath: '/v1/models',
    capOf: (body: any) => body.max_tokens,
    served: 'gpt-oss, gpt-oss:20b',
  },
])('AI_PROTOCOL=$protocol against a server that lists its models', ({ protocol, path, listPath, capOf, served }) => {
  let ai: FakeAiServer;
  let t: TestApp | undefined;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
  });

  afterEach(async () => {
    await t?.close();
    t = undefined;
    ai.reset();
  });

  afterAll(async () => {
    await ai?.close();
  });

  const start = (env: Record<string, string> = {}) =>
    createTestApp({ env: { AI_PROTOCOL: protocol, AI_URL: ai.url(path), AI_MODEL: 'gpt-oss:20b', AI_MAX_TOKENS: '900', ...env } });

  it('sends the cap with every call, says so at start, and shows how long the AI call took', async () => {
    t = await start();
    expect(t.logs.matching(/\[Worker\] AI endpoint/)).toEqual([
      `[log] [Worker] AI endpoint ${ai.url(path)}, protocol ${protocol}, model gpt-oss:20b, max 900 tokens per call`,
    ]);

    const record = (await t.http.post('/clients').send(clientBody()).expect(201)).body;
    expect(record.context_ai_ms).toBeNull();
    const done = await settled(t, record.id, 'processed');

    expect(done.company_context).toBe(FakeAiServer.expectedTextFor(record.company_context));
    expect(done.context_ai_ms).toEqual(expect.any(Number));
    expect(done.context_ai_ms).toBeGreaterThanOrEqual(0);
    const calls = ai.requests.filter((request) => request.method === 'POST');
    expect(calls.map((call) => capOf(call.body))).toEqual([900]);
    expect(t.logs.matching(/AI server not ready/)).toEqual([]);
  });

  it('fails an answer cut off at the cap, keeping the original and naming the cause', async () => {
    t = await start({ QUEUE_TRIES: '2' });
    ai.respondWith({ endless: true });
    const record = (await t.http.post('/clients').send(clientBody()).expect(201)).body;

    const failed = await settled(t, record.id, 'failed');

    expect(failed).toMatchObject({
      company_context: record.company_context,
      context_attempts: 2,
      context_error: 'AI answer was cut off at the token limit (finish reason "length"; AI_MAX_TOKENS is 900, reasoning included)',
      context_ai_ms: expect.any(Number),
    });
    expect(ai.requests.filter((request) => request.method === 'POST')).toHaveLength(2);
  });

  it('reports the AI down in /health, naming the model it does not serve, and warns once at start', async () => {
    t = await start({ AI_MODEL: 'gpt-oss:120b' });
    await waitFor('the start warning', () => t!.logs.matching(/AI server not ready at start/).length > 0);

    const response = await t.http.get('/health').expect(503);

    expect(response.body.error.ai).toMatchObject({
      status: 'down',
      protocol,
      model: 'gpt-oss:120b',
      message: `model gpt-oss:120b is not served (served: ${served})`,
    });
    expect(t.logs.matching(/AI server not ready at start/)).toEqual([
      `[warn] [Worker] AI server not ready at start: model gpt-oss:120b is not served (served: ${served}); jobs fail or wait until it is`,
    ]);
    // The worker started anyway: the model may be pulled later.
    expect((await t.http.get('/health/ready').expect(200)).body.status).toBe('ok');
  });

  it('answers /health up with the model it serves, from one listing and no generation, however often it is asked', async () => {
    t = await createTestApp({ env: { AI_PROTOCOL: protocol, AI_URL: ai.url(path), AI_MODEL: 'gpt-oss:20b' }, worker: false });

    const responses = await Promise.all([1, 2, 3].map(() => t!.http.get('/health')));
    for (let index = 0; index < 3; index++) responses.push(await t.http.get('/health'));

    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.body.details.ai).toMatchObject({ status: 'up', protocol, model: 'gpt-oss:20b', servedAs: 'gpt-oss:20b' });
    }
    expect(ai.requests.map((request) => `${request.method} ${request.path}`)).toEqual([`GET ${listPath}`]);
  });
});

describe('AI_PROTOCOL=chat (the office server: no cap field, no model list)', () => {
  let ai: FakeAiServer;
  let t: TestApp | undefined;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
  });

  afterAll(async () => {
    await t?.close();
    await ai?.close();
  });

  it('keeps the body to the contract, says at start that no cap is sent, and fails a relayed "length"', async () => {
    t = await createTestApp({ env: { AI_PROTOCOL: 'chat', AI_URL: ai.url('/chat'), QUEUE_TRIES: '1' } });
    expect(t.logs.matching(/\[Worker\] AI endpoint/)).toEqual([
      `[log] [Worker] AI endpoint ${ai.url('/chat')}, protocol chat, model gpt-oss, ` +
        'no token cap sent (the office chat contract has no field for it)',
    ]);
    ai.respondWith({ rawBody: JSON.stringify({ respuesta: 'Muebles Ejemplo S.L. es un fabricante de', done_reason: 'length' }) });
    const record = (await t.http.post('/clients').send(clientBody()).expect(201)).body;

    const failed = await settled(t, record.id, 'failed');

    expect(failed).toMatchObject({
      company_context: record.company_context,
      context_error: 'AI answer was cut off at the server\'s own token limit (finish reason "length")',
      context_ai_ms: expect.any(Number),
    });
    const [call] = ai.requests.filter((request) => request.method === 'POST');
    expect(Object.keys(call.body).sort()).toEqual(['modelo', 'prompt', 'stream', 'temperature']);
  });
});
