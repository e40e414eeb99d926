import Redis from 'ioredis';
import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { REDIS_URL } from '../support/stack';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

/** Redis without persistence loses every job on restart; the database is the truth and the workers reconcile. */
describe('Reconciling records whose job Redis lost', () => {
  let ai: FakeAiServer;
  const apps: TestApp[] = [];

  beforeAll(async () => {
    ai = await FakeAiServer.start();
  });

  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  afterAll(async () => {
    await ai?.close();
  });

  const start = async (options: Parameters<typeof createTestApp>[0]) => {
    const app = await createTestApp({ ...options, env: { AI_URL: ai.url('/chat'), ...options?.env } });
    apps.push(app);
    return app;
  };
  const loseEveryJob = async () => {
    const redis = new Redis(REDIS_URL);
    await redis.flushdb();
    redis.disconnect();
  };
  const processed = (app: TestApp, id: number) =>
    waitFor(`client ${id} to be processed`, async () => (await app.http.get(`/clients/${id}`)).body.context_status === 'processed');

  it('a worker starting up queues the records left pending without a job', async () => {
    const enqueueOnly = await start({ worker: false });
    const records = [
      (await enqueueOnly.http.post('/clients').send(clientBody()).expect(201)).body,
      (await enqueueOnly.http.post('/clients').send(clientBody()).expect(201)).body,
    ];
    await waitFor('both jobs queued', async () => (await enqueueOnly.http.get('/health')).body.details.queue.waiting === 2);
    await loseEveryJob();
    expect((await enqueueOnly.http.get('/health')).body.details.queue.waiting).toBe(0);

    const worker = await start({ worker: true, reset: false });
    for (const record of records) await processed(worker, record.id);
    expect(worker.logs.matching(/reconcile: queued 2 record\(s\)/)).toHaveLength(1);
  });

  it('a running worker reconciles again every RECONCILE_INTERVAL_MS', async () => {
    const worker = await start({ worker: true, env: { RECONCILE_INTERVAL_MS: '200' } });
    const record = (await worker.http.post('/clients').send(clientBody()).expect(201)).body;
    await processed(worker, record.id);

    // A new original saved while Redis was away: the record is pending and no job was ever queued for it.
    await worker.dataSource.query("UPDATE autoseo SET context_status = 'pending', context_version = context_version + 1 WHERE id = ?", [
      record.id,
    ]);
    await waitFor('the reconciler to pick the record up', () => worker.logs.matching(/reconcile: queued 1 record\(s\)/).length === 1);
    await processed(worker, record.id);
  });

  it('processes a client accepted while Redis was down, once Redis is back', async () => {
    const target = new URL(REDIS_URL);
    const proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 6379) });
    target.port = String(proxy.port);
    const app = await createTestApp({
      worker: true,
      env: { AI_URL: ai.url('/chat'), REDIS_URL: target.toString(), RECONCILE_INTERVAL_MS: '500' },
    });
    try {
      await proxy.cut();

      const record = (await app.http.post('/clients').send(clientBody()).timeout(10_000).expect(201)).body;
      expect(record.context_status).toBe('pending');
      await waitFor(
        'the dispatch to give up',
        () => app.logs.matching(new RegExp(`client ${record.id} v1: could not be queued`)).length > 0,
      );

      // Back: the job reaches Redis one way or the other (the client's own retry, or the reconciler).
      await proxy.restore();
      await processed(app, record.id);
    } finally {
      // The app first, while its Redis still answers.
      await app.close();
      await proxy.close();
    }
  });
});
