import { Queue } from 'bull';
import { CompanyContextDispatcher } from '../../src/company-context/company-context.dispatcher';
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
    expect(job.opts).toMatchObject({ attempts: 3, backoff: { type: 'doubling' } });
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

  it("parks a job that failed every attempt in Bull's failed list", async () => {
    ai.failWith(500);
    const record = await create();
    await settled(record.id, 'failed');

    const job = await waitFor('the job to be failed in Bull', async () => {
      const found = await queue.getJob(`client-${record.id}-v1`);
      return found && (await found.isFailed()) ? found : undefined;
    });
    expect(job.attemptsMade).toBe(3);
    expect(job.failedReason).toMatch(/HTTP 500/);
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
});
