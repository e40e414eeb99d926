import { Client } from '../../src/clients/client.entity';
import { FakeAiServer } from '../support/fake-ai-server';
import { clientBody } from '../support/clients';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

describe('The database as the queue (QUEUE_CONNECTION=database)', () => {
  let ai: FakeAiServer;
  let api: TestApp;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
  });

  afterEach(async () => {
    await api?.close();
  });

  afterAll(async () => {
    await ai?.close();
  });

  const status = async (t: TestApp, id: number) => (await t.http.get(`/clients/${id}`)).body;

  it('keeps the retry time on the record and retries when it is due', async () => {
    api = await createTestApp({ env: { AI_URL: ai.url('/chat'), QUEUE_BACKOFF_MS: '3600000' } });
    ai.respondOnce({ status: 500 });
    const record = (await api.http.post('/clients').send(clientBody()).expect(201)).body;

    const waiting = await waitFor('the first attempt to fail', async () => {
      const current = await status(api, record.id);
      return current.context_attempts === 1 && current.context_status === 'pending' ? current : undefined;
    });
    expect(waiting.context_error).toMatch(/HTTP 500/);
    const stored = await api.dataSource.getRepository(Client).findOneByOrFail({ id: record.id });
    expect(stored.context_available_at!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);

    // Time passes: the retry becomes due.
    await api.dataSource.getRepository(Client).update({ id: record.id }, { context_available_at: new Date(Date.now() - 1_000) });
    const done = await waitFor('the retry', async () =>
      (await status(api, record.id)).context_status === 'processed' ? await status(api, record.id) : undefined,
    );
    expect(done.context_attempts).toBe(2);
  });

  it('takes over a claim older than JOB_TIMEOUT_MS, left by a worker that died', async () => {
    api = await createTestApp({ env: { AI_URL: ai.url('/chat') }, worker: false });
    const record = (await api.http.post('/clients').send(clientBody()).expect(201)).body;
    const longAgo = new Date(Date.now() - 3_600_000);
    await api.dataSource
      .createQueryBuilder()
      .update('autoseo')
      .set({ context_status: 'processing', context_attempts: 1, context_claimed_at: longAgo, context_claim_token: 'dead-worker' })
      .where('id = :id', { id: record.id })
      .execute();

    const worker = await createTestApp({ env: { AI_URL: ai.url('/chat'), DATABASE_URL: api.config.database.url }, reset: false });
    try {
      const done = await waitFor('the abandoned record to be processed', async () => {
        const current = await status(worker, record.id);
        return current.context_status === 'processed' ? current : undefined;
      });
      expect(done.context_attempts).toBe(2);
      expect((await api.row(record.id))!.context_claim_token).toBeNull();
    } finally {
      await worker.close();
    }
  });
});
