import { FakeAiServer } from '../support/fake-ai-server';
import { closedPort } from '../support/ports';
import { createTestApp, TestApp } from '../support/test-app';

describe('Health', () => {
  let ai: FakeAiServer;
  let t: TestApp;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
  });

  afterEach(async () => {
    await t?.close();
  });

  afterAll(async () => {
    await ai?.close();
  });

  it('says the process is live', async () => {
    t = await createTestApp({ env: { AI_URL: ai.url('/chat') } });
    const response = await t.http.get('/health/live').expect(200);
    expect(response.body).toMatchObject({ status: 'ok', details: {} });
  });

  it('says ready when the database and the queue answer', async () => {
    t = await createTestApp({ env: { AI_URL: ai.url('/chat') } });
    const response = await t.http.get('/health/ready').expect(200);
    expect(response.body.status).toBe('ok');
    expect(response.body.details).toEqual({
      database: { status: 'up' },
      queue: { status: 'up', connection: t.config.queue.connection },
    });
  });

  it('gives the queue counts and the AI endpoint latency in /health', async () => {
    t = await createTestApp({ env: { AI_URL: ai.url('/chat') }, worker: false });
    const seen = ai.requests.length;
    const response = await t.http.get('/health').expect(200);

    expect(response.body.details.database).toEqual({ status: 'up' });
    expect(response.body.details.queue).toEqual({
      status: 'up',
      connection: t.config.queue.connection,
      waiting: expect.any(Number),
      active: expect.any(Number),
      delayed: expect.any(Number),
      failed: expect.any(Number),
    });
    expect(response.body.details.ai).toEqual({
      status: 'up',
      protocol: 'chat',
      model: 'gpt-oss',
      latencyMs: expect.any(Number),
      breaker: { state: 'closed', consecutiveFailures: 0 },
    });
    // The probe never spends a generation on the AI server.
    expect(ai.requests.slice(seen).map((request) => request.method)).toEqual(['HEAD']);
  });

  it('answers 503 naming the AI as down when it cannot be reached, while ready stays up', async () => {
    t = await createTestApp({ env: { AI_URL: `http://127.0.0.1:${await closedPort()}/chat` }, worker: false });
    const response = await t.http.get('/health').expect(503);
    expect(response.body.status).toBe('error');
    expect(response.body.error.ai).toMatchObject({ status: 'down', message: expect.stringContaining('ECONNREFUSED') });
    expect(response.body.info.database).toEqual({ status: 'up' });
    await t.http.get('/health/ready').expect(200);
  });

  describe('with API_TOKEN set', () => {
    const API_TOKEN = 'health-test-token-0123456789';

    it('answers only the overall status without the token, and the details with it', async () => {
      t = await createTestApp({ env: { AI_URL: ai.url('/chat'), API_TOKEN }, worker: false });

      expect((await t.http.get('/health').expect(200)).body).toEqual({ status: 'ok' });
      expect((await t.http.get('/health').set('Authorization', 'Bearer not-the-token-at-all').expect(200)).body).toEqual({ status: 'ok' });
      const detailed = (await t.http.get('/health').set('Authorization', `Bearer ${API_TOKEN}`).expect(200)).body;
      expect(detailed.status).toBe('ok');
      expect(detailed.details.queue).toMatchObject({ status: 'up', waiting: expect.any(Number), failed: expect.any(Number) });
      expect(detailed.details.ai).toMatchObject({
        status: 'up',
        model: 'gpt-oss',
        latencyMs: expect.any(Number),
        breaker: { state: 'closed' },
      });
      // The probes stay open and unchanged.
      expect((await t.http.get('/health/ready').expect(200)).body.details.database).toEqual({ status: 'up' });
      await t.http.get('/health/live').expect(200);
    });

    it('answers 503 with the status alone when the AI is down, and says why only with the token', async () => {
      t = await createTestApp({ env: { AI_URL: `http://127.0.0.1:${await closedPort()}/chat`, API_TOKEN }, worker: false });

      expect((await t.http.get('/health').expect(503)).body).toEqual({ status: 'error' });
      const detailed = (await t.http.get('/health').set('Authorization', `Bearer ${API_TOKEN}`).expect(503)).body;
      expect(detailed.error.ai).toMatchObject({ status: 'down', message: expect.stringContaining('ECONNREFUSED') });
    });
  });
});
