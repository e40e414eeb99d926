import Redis from 'ioredis';
import { CliProcess, runCli } from '../support/cli';
import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { currentStack, REDIS_URL } from '../support/stack';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

/**
 * The queue:* commands, run as operators run them (`node dist/cli.js …` in a process of its own), against
 * an API that only enqueues (no worker in it), on the redis and database drivers.
 */
describe(`Queue commands (QUEUE_CONNECTION=${currentStack().queue})`, () => {
  let ai: FakeAiServer;
  let api: TestApp;
  const processes: CliProcess[] = [];

  beforeAll(async () => {
    ai = await FakeAiServer.start();
  });

  beforeEach(async () => {
    ai.reset();
    api = await createTestApp({ worker: false, env: { AI_URL: ai.url('/chat'), QUEUE_TRIES: '2', LOG_LEVEL: 'warn' } });
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((cli) => cli.dispose()));
    await api?.close();
  });

  afterAll(async () => {
    await ai?.close();
  });

  const cli = (...args: string[]) => runCli(args, api.env);
  const startCli = (...args: string[]) => {
    const started = new CliProcess(args, api.env);
    processes.push(started);
    return started;
  };
  const json = async (...args: string[]) => {
    const result = await cli(...args, '--json');
    expect(result).toExitWith(0);
    return JSON.parse(result.stdout);
  };
  const create = async () => (await api.http.post('/clients').send(clientBody()).expect(201)).body;
  const get = async (id: number) => (await api.http.get(`/clients/${id}`).expect(200)).body;
  const statusOf = async (id: number) => (await get(id)).context_status;
  /** Runs a worker until the queue is empty, and expects it to end well. */
  const drain = async (...extra: string[]) => {
    const result = await cli('queue:work', '--stop-when-empty', ...extra);
    expect(result).toExitWith(0);
    return result;
  };

  it('queue:monitor counts the waiting jobs, gives the oldest one’s age, and exits 1 over --max', async () => {
    const records = [await create(), await create(), await create()];
    await waitFor('3 jobs waiting', async () => (await json('queue:monitor')).waiting === 3);

    const status = await json('queue:monitor');
    expect(status).toMatchObject({ queue: currentStack().queue, waiting: 3, active: 0, delayed: 0, failed: 0, paused: false });
    expect(status.oldestWaitingMs).toBeGreaterThanOrEqual(0);

    const table = await cli('queue:monitor');
    expect(table).toExitWith(0);
    expect(table.stdout).toMatch(/queue\s+state\s+waiting\s+active\s+delayed\s+failed\s+oldest waiting/);
    expect(table.stdout).toMatch(new RegExp(`${currentStack().queue}\\s+running\\s+3\\s+0\\s+0\\s+0\\s+\\d`));

    const over = await cli('queue:monitor', '--max', '2');
    expect(over).toExitWith(1);
    expect(over.stderr).toContain('3 jobs waiting, more than --max 2');
    expect(await cli('queue:monitor', '--max', '3')).toExitWith(0);
    expect(await cli('queue:monitor', '--max', 'lots')).toExitWith(2);

    await drain();
    for (const record of records) expect(await statusOf(record.id)).toBe('processed');
    expect(await json('queue:monitor')).toMatchObject({ waiting: 0, oldestWaitingMs: null });
  });

  it('queue:failed lists the jobs that failed for good; queue:retry all brings them back and they complete', async () => {
    ai.failWith(500);
    const records = [await create(), await create()];
    const worked = await drain();
    // Not a terminal: one plain line per attempt.
    expect(worked.stdout).toContain(`client-${records[0].id}-v1 retry`);
    expect(worked.stdout).toContain(`client-${records[0].id}-v1 failed`);
    expect(worked.stdout).toContain('Worker done: processed 0, failed 2, retried 2');

    const failed = await json('queue:failed');
    expect(failed).toHaveLength(2);
    expect(failed.map((job: { id: string }) => job.id).sort()).toEqual(records.map((record) => `client-${record.id}-v1`).sort());
    for (const job of failed) {
      expect(job).toMatchObject({ attempts: 2, error: expect.stringContaining('500') });
      expect(Date.parse(job.failedAt)).not.toBeNaN();
    }
    const table = await cli('queue:failed');
    expect(table.stdout).toMatch(/id\s+client\s+attempts\s+failed at\s+error/);
    expect(table.stdout).toContain(`client-${records[1].id}-v1`);
    expect(await json('queue:monitor')).toMatchObject({ failed: 2 });

    ai.reset();
    const retried = await cli('queue:retry', 'all');
    expect(retried).toExitWith(0);
    expect(retried.stdout).toContain(`client-${records[0].id}-v1: queued again as client-${records[0].id}-v2`);
    expect(retried.stdout).toContain('Retried 2 of 2 job(s).');
    expect(await json('queue:failed')).toEqual([]);

    await drain();
    for (const record of records) {
      expect(await get(record.id)).toMatchObject({
        context_status: 'processed',
        context_attempts: 1,
        context_error: null,
        company_context: FakeAiServer.expectedTextFor(record.company_context_original),
      });
    }
  });

  it('queue:retry by id retries that job only, and exits 1 naming an id that is not a failed job', async () => {
    ai.failWith(503);
    const [first, second] = [await create(), await create()];
    await drain();
    ai.reset();

    const result = await cli('queue:retry', `client-${first.id}-v1`, 'client-999999-v1');
    expect(result).toExitWith(1);
    expect(result.stdout).toContain(`client-${first.id}-v1: queued again as client-${first.id}-v2`);
    expect(result.stderr).toContain('no failed job with id client-999999-v1');
    await drain();

    expect(await statusOf(first.id)).toBe('processed');
    expect(await statusOf(second.id)).toBe('failed');
    expect((await json('queue:failed')).map((job: { id: string }) => job.id)).toEqual([`client-${second.id}-v1`]);
    expect(await cli('queue:retry')).toExitWith(2);
  });

  it('queue:forget deletes one failed job and queue:flush the rest; the records stay failed with their original', async () => {
    ai.failWith(500);
    const records = [await create(), await create(), await create()];
    await drain();

    const forgot = await cli('queue:forget', `client-${records[0].id}-v1`);
    expect(forgot).toMatchObject({ code: 0, stdout: expect.stringContaining(`Deleted failed job client-${records[0].id}-v1.`) });
    expect(await json('queue:failed')).toHaveLength(2);
    const again = await cli('queue:forget', `client-${records[0].id}-v1`);
    expect(again).toExitWith(1);
    expect(again.stderr).toContain(`no failed job with id client-${records[0].id}-v1`);

    const flushed = await cli('queue:flush');
    expect(flushed).toMatchObject({ code: 0, stdout: expect.stringContaining('Deleted 2 failed job(s).') });
    expect(await json('queue:failed')).toEqual([]);
    expect(await json('queue:monitor')).toMatchObject({ failed: 0 });
    for (const record of records) {
      expect(await get(record.id)).toMatchObject({ context_status: 'failed', company_context: record.company_context_original });
    }
  });

  it('queue:pause holds every worker; queue:resume lets them take the jobs again', async () => {
    const worker = startCli('queue:work');
    await worker.waitForOutput(/Worker started/);
    const before = await create();
    await waitFor('the running worker to process a job', async () => (await statusOf(before.id)) === 'processed');

    expect(await cli('queue:pause')).toMatchObject({ code: 0, stdout: expect.stringContaining('Queue paused') });
    const held = await create();
    // Two more commands run start to end (each over a second) while the worker polls: it takes nothing.
    expect(await json('queue:monitor')).toMatchObject({ paused: true, waiting: 1, active: 0 });
    expect(await json('queue:monitor')).toMatchObject({ paused: true, waiting: 1, active: 0 });
    expect(await statusOf(held.id)).toBe('pending');
    expect(ai.requests.filter((request) => request.original === held.company_context)).toHaveLength(0);

    expect(await cli('queue:resume')).toMatchObject({ code: 0, stdout: expect.stringContaining('Queue resumed') });
    await waitFor('the held job to be processed after resume', async () => (await statusOf(held.id)) === 'processed');
    expect(await json('queue:monitor')).toMatchObject({ paused: false, waiting: 0 });
  });

  it('queue:clear refuses without --force when no one can confirm, then deletes the waiting jobs and fails their records', async () => {
    const records = [await create(), await create()];
    await waitFor('2 jobs waiting', async () => (await json('queue:monitor')).waiting === 2);

    const refused = await cli('queue:clear');
    expect(refused).toExitWith(2);
    expect(refused.stderr).toContain('pass --force');
    expect(await json('queue:monitor')).toMatchObject({ waiting: 2 });

    const cleared = await cli('queue:clear', '--force');
    expect(cleared).toMatchObject({ code: 0, stdout: expect.stringContaining('Deleted 2 waiting job(s).') });
    expect(await json('queue:monitor')).toMatchObject({ waiting: 0, delayed: 0 });
    for (const record of records) {
      expect(await get(record.id)).toMatchObject({ context_status: 'failed', context_error: expect.stringContaining('queue:clear') });
    }
    // Nothing queues them again behind the operator's back; reprocess does.
    expect(await cli('queue:reconcile')).toExitWith(0);
    await drain();
    expect(await statusOf(records[0].id)).toBe('failed');
    await api.http.post(`/clients/${records[0].id}/context/reprocess`).expect(202);
    await drain();
    expect(await statusOf(records[0].id)).toBe('processed');
  });

  it('queue:work --once processes one job and leaves the rest', async () => {
    const [first, second] = [await create(), await create()];
    await waitFor('2 jobs waiting', async () => (await json('queue:monitor')).waiting === 2);

    const result = await cli('queue:work', '--once');
    expect(result).toExitWith(0);
    expect(result.stdout).toContain('Worker done: processed 1, failed 0');
    const statuses = [await statusOf(first.id), await statusOf(second.id)].sort();
    expect(statuses).toEqual(['pending', 'processed']);
    expect(ai.requests).toHaveLength(1);
  });

  it('queue:reconcile queues a record left pending without a job', async () => {
    const record = await create();
    if (currentStack().queue === 'redis') {
      // Redis restarted without persistence: every job is gone, the record is still pending.
      await waitFor('the job to be queued', async () => (await json('queue:monitor')).waiting === 1);
      const redis = new Redis(REDIS_URL);
      await redis.flushdb();
      redis.disconnect();
      expect(await json('queue:monitor')).toMatchObject({ waiting: 0 });

      const reconciled = await cli('queue:reconcile');
      expect(reconciled).toMatchObject({ code: 0, stdout: expect.stringContaining('Queued 1 record(s) that had no job.') });
      expect(await json('queue:monitor')).toMatchObject({ waiting: 1 });
      // A second pass finds the job live and queues nothing twice.
      expect((await cli('queue:reconcile')).stdout).toContain('Queued 0 record(s)');
    } else {
      const reconciled = await cli('queue:reconcile');
      expect(reconciled).toMatchObject({ code: 0, stdout: expect.stringContaining('the pending records are the queue') });
    }
    await drain();
    expect(await statusOf(record.id)).toBe('processed');
  });

  it('two worker processes share 200 records, and each is processed exactly once', async () => {
    ai.respondWith({ delayMs: 5 });
    const records = [];
    for (let i = 0; i < 200; i += 1) records.push(await create());

    const workers = [
      startCli('queue:work', '--stop-when-empty', '--concurrency', '4'),
      startCli('queue:work', '--stop-when-empty', '--concurrency', '4'),
    ];
    const results = await Promise.all(workers.map((worker) => worker.exited));
    for (const result of results) expect(result).toExitWith(0);

    const done = results.map((result) => Number(/Worker done: processed (\d+)/.exec(result.stdout)?.[1]));
    expect(done[0] + done[1]).toBe(200);
    const rows: { id: number; context_status: string; context_attempts: number }[] = await api.dataSource.query(
      'SELECT id, context_status, context_attempts FROM autoseo',
    );
    expect(rows).toHaveLength(200);
    for (const row of rows) expect(row).toMatchObject({ context_status: 'processed', context_attempts: 1 });
    const calls = new Map<string, number>();
    for (const request of ai.requests) calls.set(request.original!, (calls.get(request.original!) ?? 0) + 1);
    expect(calls.size).toBe(200);
    expect([...calls.values()].every((count) => count === 1)).toBe(true);
  });

  it('a worker stopped with SIGTERM during a job finishes it, exits 0, and loses nothing', async () => {
    ai.respondWith({ delayMs: 1_500 });
    const worker = startCli('queue:work');
    await worker.waitForOutput(/Worker started/);
    const [busy, queued] = [await create(), await create()];
    await ai.waitForInFlight(1);

    worker.kill('SIGTERM');
    const result = await worker.exited;
    expect(result).toExitWith(0);
    expect(result.stdout).toContain('Stopping on SIGTERM: finishing the jobs in flight.');
    expect(await statusOf(busy.id)).toBe('processed');
    // The job it never took waits for the next worker, and completes there.
    expect(await statusOf(queued.id)).toBe('pending');
    expect(ai.requests.filter((request) => request.original === queued.company_context)).toHaveLength(0);
    ai.respondWith({});
    await drain();
    expect(await statusOf(queued.id)).toBe('processed');
    expect(ai.requests.filter((request) => request.original === busy.company_context)).toHaveLength(1);
  });
});
