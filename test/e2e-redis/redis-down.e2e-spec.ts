import { FakeAiServer } from '../support/fake-ai-server';
import { clientBody } from '../support/clients';
import { closedPort } from '../support/ports';
import { createTestApp, TestApp } from '../support/test-app';

describe('With Redis unreachable', () => {
  let ai: FakeAiServer;
  let t: TestApp;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    t = await createTestApp({ env: { AI_URL: ai.url('/chat'), REDIS_URL: `redis://127.0.0.1:${await closedPort()}` } });
  });

  afterAll(async () => {
    await t?.close();
    await ai?.close();
  });

  it('starts, and reports the queue down in ready and full health', async () => {
    const ready = await t.http.get('/health/ready').expect(503);
    expect(ready.body.error.queue).toMatchObject({
      status: 'down',
      connection: 'redis',
      message: expect.stringContaining('did not answer'),
    });
    expect(ready.body.info.database).toEqual({ status: 'up' });
    await t.http.get('/health').expect(503);
  });

  it('still saves a client and answers 201', async () => {
    const response = await t.http.post('/clients').send(clientBody()).expect(201);
    expect(response.body.context_status).toBe('pending');
    expect(await t.row(response.body.id)).toBeDefined();
  });
});
