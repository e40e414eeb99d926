import { CliProcess } from '../support/cli';
import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { currentStack } from '../support/stack';
import { createTestApp, TestApp } from '../support/test-app';

/**
 * A worker killed outright (SIGKILL: no shutdown, no goodbye) in the middle of the AI call. Its job goes
 * to another worker: Bull notices the lock was not renewed (QUEUE_STALLED_MS); the database driver sees
 * the claim outlive JOB_TIMEOUT_MS. The record ends processed, its result written once.
 */
describe(`A worker killed during the AI call (QUEUE_CONNECTION=${currentStack().queue})`, () => {
  let ai: FakeAiServer;
  let api: TestApp;
  const workers: CliProcess[] = [];

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    api = await createTestApp({
      worker: false,
      env: { AI_URL: ai.url('/chat'), QUEUE_STALLED_MS: '2000', JOB_TIMEOUT_MS: '4000', AI_TIMEOUT_MS: '3000', LOG_LEVEL: 'warn' },
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.dispose()));
    await api?.close();
    await ai?.close();
  });

  const worker = (...args: string[]) => {
    const started = new CliProcess(['queue:work', ...args], api.env);
    workers.push(started);
    return started;
  };

  it('hands the job to another worker, which processes it; the result is written once', async () => {
    ai.respondWith({ delayMs: 2_500 });
    const doomed = worker();
    await doomed.waitForOutput(/Worker started/);
    const record = (await api.http.post('/clients').send(clientBody()).expect(201)).body;
    await ai.waitForInFlight(1);
    expect((await api.http.get(`/clients/${record.id}`)).body.context_status).toBe('processing');

    doomed.kill('SIGKILL');
    expect((await doomed.exited).signal).toBe('SIGKILL');
    ai.respondWith({});

    const rescuer = worker('--stop-when-empty');
    const result = await rescuer.exited;
    expect(result).toExitWith(0);
    expect(result.stdout.match(new RegExp(`client-${record.id}-v1 processed`, 'g'))).toHaveLength(1);

    const done = (await api.http.get(`/clients/${record.id}`).expect(200)).body;
    expect(done).toMatchObject({
      context_status: 'processed',
      context_error: null,
      company_context: FakeAiServer.expectedTextFor(record.company_context),
      // The killed attempt counts: it reached the AI.
      context_attempts: 2,
    });
    const calls = ai.requests.filter((request) => request.original === record.company_context);
    expect(calls.map((call) => call.outcome)).toEqual(['disconnected', 'answered']);
  });
});
