import { Queue } from 'bull';
import { Client } from '../../src/clients/client.entity';
import { CompanyContextDispatcher } from '../../src/company-context/company-context.dispatcher';
import { QueueOperations } from '../../src/company-context/queue-operations';
import { QueueWorker } from '../../src/company-context/queue-worker';
import { FakeAiServer } from '../support/fake-ai-server';
import { clientBody } from '../support/clients';
import { bullQueue, createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

describe('Bull jobs (QUEUE_CONNECTION=redis)', () => {
  let ai: FakeAiServer;
  let t: TestApp;
  let queue: Queue;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    t = await createTestApp({ env: { AI_URL: ai.url('/chat') } });
    queue = bullQueue(t);
  });

  afterAll(async () => {
    await t?.close();
    await ai?.close();
  });

  beforeEach(() => ai.reset());

  const create = async () => (await t.http.post('/clients').send(clientBody()).expect(201)).body;
  const settled = (id: number, status: string) =>
    waitFor(`client ${id} to be ${status}`, async () =>
      (await t.http.get(`/clients/${id}`)).body.context_status === status ? true : undefined,
    );

  it('queues one job per client and original, id client-<id>-v<version>, carrying ids only', async () => {
    ai.respondOnce({ delayMs: 1_000 });
    const busy = await create();
    await ai.waitForInFlight(1);
    const queued = await create();

    const job = await waitFor('the job to be queued', () => queue.getJob(`client-${queued.id}-v1`).then((found) => found ?? undefined));
    expect(job.data).toEqual({ clientId: queued.id, version: 1 });
    // Bull keeps no count and no failed list of its own: the record decides (see companyContextJobOptions).
    expect(job.opts).toMatchObject({ backoff: { type: 'record' }, removeOnComplete: true, removeOnFail: true });
    expect(await job.isWaiting()).toBe(true);
    await settled(busy.id, 'processed');
    await settled(queued.id, 'processed');
  });

  it('processes a repeated dispatch of the same original once', async () => {
    ai.respondOnce({ delayMs: 1_000 });
    const busy = await create();
    await ai.waitForInFlight(1);
    const record = await create();
    const dispatcher = t.app.get(CompanyContextDispatcher);
    expect(await dispatcher.dispatch({ clientId: record.id, version: 1 })).toBe(true);
    expect(await dispatcher.dispatch({ clientId: record.id, version: 1 })).toBe(true);

    await settled(busy.id, 'processed');
    await settled(record.id, 'processed');
    // Dispatched again after it was processed: the job ends without calling the AI.
    await dispatcher.dispatch({ clientId: record.id, version: 1 });
    await waitFor('the late job to be skipped', () => t.logs.matching(new RegExp(`client ${record.id} v1: skipped`)).length === 1);
    expect(ai.requests.filter((request) => JSON.stringify(request.body).includes(record.company_context.slice(0, 60)))).toHaveLength(1);
  });

  it("ends, without Bull's failed list, the job of a record failed for good; queue:failed lists the record", async () => {
    const failedInBull = await queue.getFailedCount();
    ai.failWith(500);
    const record = await create();
    await settled(record.id, 'failed');

    await waitFor('the job to leave the queue', async () => (await queue.getJob(`client-${record.id}-v1`)) === null);
    expect(await queue.getFailedCount()).toBe(failedInBull);
    const listed = (await t.app.get(QueueOperations).failedJobs()).filter((job) => job.clientId === record.id);
    expect(listed).toEqual([
      { id: `client-${record.id}-v1`, clientId: record.id, attempts: 3, failedAt: expect.any(Date), error: 'AI answered HTTP 500' },
    ]);
    expect(ai.requests.filter((request) => request.original === record.company_context)).toHaveLength(3);
  });

  it("a worker's reconcile deletes a job an earlier version left in Bull's failed list; queue:failed still lists its record", async () => {
    ai.failWith(500);
    const record = await create();
    await settled(record.id, 'failed');
    await waitFor('the job to leave the queue', async () => (await queue.getJob(`client-${record.id}-v1`)) === null);
    // As an earlier version (attempts counted by Bull, removeOnFail false) left it: the record's job id in
    // Bull's failed list. A job name no worker handles makes Bull itself fail it.
    const id = `client-${record.id}-v1`;
    await queue.add('left-by-an-earlier-version', { clientId: record.id, version: 1 }, { jobId: id, attempts: 1, removeOnFail: false });
    await waitFor("the stray job in Bull's failed list", async () => ((await (await queue.getJob(id))?.isFailed()) ? true : undefined));

    await t.app.get(QueueWorker).reconcile();

    expect(await queue.getJob(id)).toBeNull();
    expect(await queue.getFailedCount()).toBe(0);
    expect((await t.app.get(QueueOperations).failedJobs()).map((job) => job.id)).toContain(id);
    expect((await t.http.get(`/clients/${record.id}`)).body).toMatchObject({ context_status: 'failed', context_attempts: 3 });
  });

  it('completes, without failing, the job of a record deleted during processing', async () => {
    const failedBefore = await queue.getFailedCount();
    ai.respondOnce({ delayMs: 1_000 });
    const record = await create();
    await ai.waitForInFlight(1);
    await t.http.delete(`/clients/${record.id}`).expect(204);

    await waitFor('the job to leave the queue', async () => (await queue.getJob(`client-${record.id}-v1`)) === null);
    expect(await queue.getFailedCount()).toBe(failedBefore);
  });

  describe('a retry waits in Bull for the time its record gives (QUEUE_BACKOFF_MS=1h)', () => {
    let slow: TestApp;

    beforeAll(async () => {
      await t.close();
      slow = await createTestApp({ env: { AI_URL: ai.url('/chat'), QUEUE_BACKOFF_MS: '3600000' } });
    });

    afterAll(async () => {
      await slow?.close();
      t = await createTestApp({ env: { AI_URL: ai.url('/chat') } });
      queue = bullQueue(t);
    });

    it('keeps the job, under its id, in the delayed set until context_available_at; deleting the record drops it', async () => {
      const slowQueue = bullQueue(slow);
      ai.respondOnce({ status: 500 });
      const record = (await slow.http.post('/clients').send(clientBody()).expect(201)).body;
      const id = `client-${record.id}-v1`;

      const job = await waitFor('the job to wait for its retry', async () => {
        const found = await slowQueue.getJob(id);
        return found && (await found.isDelayed()) ? found : undefined;
      });
      const row = await slow.dataSource.getRepository(Client).findOneByOrFail({ id: record.id });
      expect(row).toMatchObject({ context_status: 'pending', context_attempts: 1, context_error: 'AI answered HTTP 500' });
      // Bull keeps a delayed job's due time (ms) × 4096 as its score. It reads the record's retryAt a moment
      // after the record was written, so it may be later by that moment; never earlier, never Bull's own.
      const due = Math.floor(Number(await slowQueue.client.zscore(slowQueue.toKey('delayed'), String(job.id))) / 0x1000);
      expect(due).toBeGreaterThanOrEqual(row.context_available_at!.getTime() - 1);
      expect(due - row.context_available_at!.getTime()).toBeLessThan(60_000);

      await slow.http.delete(`/clients/${record.id}`).expect(204);
      await waitFor('the delayed job to be dropped', async () => (await slowQueue.getJob(id)) === null);
    });
  });
});
