import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { closedPort } from '../support/ports';
import { currentStack } from '../support/stack';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

/** The one-GPU AI server down, back, and guarded: the breaker, attempts not spent, AI_RATE_LIMIT. */
describe(`The AI server down and back (QUEUE_CONNECTION=${currentStack().queue})`, () => {
  let t: TestApp | undefined;
  let ai: FakeAiServer | undefined;

  afterEach(async () => {
    await t?.close();
    await ai?.close();
    t = ai = undefined;
  });

  const create = async (app: TestApp) => (await app.http.post('/clients').send(clientBody()).expect(201)).body;
  const get = async (app: TestApp, id: number) => (await app.http.get(`/clients/${id}`).expect(200)).body;
  const notCounted = (app: TestApp, id: number) => app.logs.matching(new RegExp(`client ${id} v1: .*attempt not counted`)).length;

  it('leaves records pending through an outage longer than every retry delay, and processes them when the AI returns', async () => {
    const port = await closedPort();
    t = await createTestApp({
      env: { AI_URL: `http://127.0.0.1:${port}/chat`, QUEUE_TRIES: '2', AI_BREAKER_THRESHOLD: '2', AI_COOLDOWN_MS: '300' },
    });
    const record = await create(t);

    // Far more connection failures than QUEUE_TRIES, past the breaker opening: no attempt is spent.
    await waitFor('six postponed attempts', () => notCounted(t!, record.id) >= 6);
    const during = await get(t, record.id);
    expect(['pending', 'processing']).toContain(during.context_status);
    expect(during.context_attempts).toBeLessThanOrEqual(1);
    expect(t.logs.matching(/AI is down: 2 connection failures in a row/).length).toBeGreaterThanOrEqual(1);
    const health = await t.http.get('/health').expect(503);
    expect(health.body.error.ai).toMatchObject({ status: 'down', breaker: { state: expect.stringMatching(/open/) } });

    ai = await FakeAiServer.start({ port });
    const done = await waitFor(`client ${record.id} to be processed`, async () => {
      const current = await get(t!, record.id);
      return current.context_status === 'processed' ? current : undefined;
    });
    expect(done).toMatchObject({
      context_attempts: 1,
      context_error: null,
      company_context: FakeAiServer.expectedTextFor(record.company_context),
    });
    expect(t.logs.matching(/AI answers again: breaker closed/)).toHaveLength(1);
    expect((await t.http.get('/health').expect(200)).body.details.ai.breaker).toEqual({ state: 'closed', consecutiveFailures: 0 });
  });

  it('sends no call while the breaker is open: AI_BREAKER_THRESHOLD connection failures, then the cooldown', async () => {
    ai = await FakeAiServer.start();
    ai.hangUp(); // the connection is reset before any answer
    t = await createTestApp({ env: { AI_URL: ai.url('/chat'), AI_BREAKER_THRESHOLD: '2', AI_COOLDOWN_MS: '60000' } });
    const records = [await create(t), await create(t), await create(t)];

    await waitFor(
      'the breaker to open',
      () => t!.logs.matching(/AI is down: 2 connection failures in a row; no call for 60000 ms/).length === 1,
    );
    expect((await t.http.get('/health').expect(503)).body.error.ai.breaker).toMatchObject({ state: 'open', consecutiveFailures: 2 });
    // Each record is given back uncounted. An attempt that met the first failure (before the breaker opened)
    // is due again soon and is claimed for a moment, then given back again without a call: wait for each
    // record to be seen given back, rather than read it at one arbitrary moment.
    for (const record of records) {
      await waitFor(`client ${record.id} given back, no attempt counted`, async () => {
        const current = await get(t!, record.id);
        return current.context_status === 'pending' && current.context_attempts === 0 && current;
      });
      expect((await get(t, record.id)).company_context).toBe(record.company_context);
    }
    expect(ai.requests.filter((request) => request.method === 'POST')).toHaveLength(2);
  });

  it('spaces AI calls by AI_RATE_LIMIT: never two at once although the worker has room for three', async () => {
    ai = await FakeAiServer.start();
    // 60 calls a minute start one a second; each answer takes 200 ms, so paced calls never overlap, while
    // without the limit the three free worker slots would send all three at once (maxInFlight 3).
    ai.respondWith({ delayMs: 200 });
    t = await createTestApp({ env: { AI_URL: ai.url('/chat'), AI_RATE_LIMIT: '60', QUEUE_CONCURRENCY: '3' } });
    const records = [await create(t), await create(t), await create(t)];
    for (const record of records) {
      await waitFor(`client ${record.id} to be processed`, async () => (await get(t!, record.id)).context_status === 'processed');
    }
    expect(ai.requests.filter((request) => request.method === 'POST')).toHaveLength(3);
    expect(ai.maxInFlight).toBe(1);
  });
});
