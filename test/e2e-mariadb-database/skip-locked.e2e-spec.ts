import { FakeAiServer } from '../support/fake-ai-server';
import { clientBody } from '../support/clients';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

describe('Database queue on MariaDB', () => {
  let ai: FakeAiServer;
  let api: TestApp;
  let worker: TestApp | undefined;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    api = await createTestApp({ env: { AI_URL: ai.url('/chat') }, worker: false });
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await ai?.close();
  });

  it('skips a row locked by another worker and takes the next one', async () => {
    const locked = (await api.http.post('/clients').send(clientBody()).expect(201)).body;
    const free = (await api.http.post('/clients').send(clientBody()).expect(201)).body;
    const other = api.dataSource.createQueryRunner();
    await other.startTransaction();
    try {
      await other.query('SELECT id FROM autoseo WHERE id = ? FOR UPDATE', [locked.id]);

      worker = await createTestApp({ env: { AI_URL: ai.url('/chat') }, reset: false });
      await waitFor(
        'the free record to be processed',
        async () => (await api.http.get(`/clients/${free.id}`)).body.context_status === 'processed',
      );
      expect((await api.http.get(`/clients/${locked.id}`)).body.context_status).toBe('pending');
    } finally {
      await other.commitTransaction();
      await other.release();
    }
    await waitFor(
      'the locked record to be processed once released',
      async () => (await api.http.get(`/clients/${locked.id}`)).body.context_status === 'processed',
    );
  });
});
