import { API_ENTRY, CliProcess, runCli, WORKER_ENTRY } from '../support/cli';
import { clientBody } from '../support/clients';
import { documentedFetch } from '../support/documented-responses';
import { FakeAiServer } from '../support/fake-ai-server';
import { closedPort } from '../support/ports';
import { currentStack } from '../support/stack';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

/** The last two messages of the QueueWorker ("Worker") among a process's JSON log lines. */
function lastWorkerLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { context?: string; msg: string })
    .filter((line) => line.context === 'Worker')
    .map((line) => line.msg)
    .slice(-2);
}

/**
 * The contract's Processes, as deployed: the compiled API (`node dist/main.js`, what start:prod and the
 * image run) with RUN_WORKER=false only enqueues; a `queue:work` process does the work; both stop cleanly.
 */
describe(`The API and a dedicated worker as processes (QUEUE_CONNECTION=${currentStack().queue})`, () => {
  let ai: FakeAiServer;
  let stores: TestApp;
  const processes: CliProcess[] = [];

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    // Only to empty the stores and share their settings; the API under test is the process below.
    stores = await createTestApp({ worker: false });
  });

  afterAll(async () => {
    await Promise.all(processes.map((running) => running.dispose()));
    await stores?.close();
    await ai?.close();
  });

  it('RUN_WORKER=false enqueues only; a queue:work process takes the job; SIGINT and SIGTERM stop both', async () => {
    const port = await closedPort();
    const env = { ...stores.env, AI_URL: ai.url('/chat'), PORT: String(port), LOG_LEVEL: 'info' };
    const api = new CliProcess([], { ...env, RUN_WORKER: 'false' }, API_ENTRY);
    processes.push(api);
    await api.waitForOutput(/listening on port \d+: .*no worker \(RUN_WORKER=false\)/);
    const base = `http://127.0.0.1:${port}`;

    const created = await documentedFetch(`${base}/clients`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(clientBody()),
    });
    expect(created.status).toBe(201);
    const record = (await created.json()) as { id: number };
    const read = async () =>
      ((await (await documentedFetch(`${base}/clients/${record.id}`)).json()) as { context_status: string }).context_status;

    // A whole CLI run later (over a second), nobody has taken the job.
    expect(JSON.parse((await runCli(['queue:monitor', '--json'], env)).stdout)).toMatchObject({ waiting: 1, active: 0 });
    expect(await read()).toBe('pending');
    expect(ai.requests).toHaveLength(0);

    const worker = new CliProcess(['queue:work'], env);
    processes.push(worker);
    await waitFor(`client ${record.id} to be processed by the worker`, async () => (await read()) === 'processed');
    // Its per-job line, written within the 50 ms the worker gathers its lines for.
    await worker.waitForOutput(new RegExp(`client-${record.id}-v1 processed`));

    worker.kill('SIGINT');
    const stopped = await worker.exited;
    expect(stopped).toExitWith(0);
    expect(stopped.stdout).toContain('Stopping on SIGINT: finishing the jobs in flight.');
    // Its log lines (batched) are all written, the job's and the last ones of its shutdown.
    expect(stopped.stderr).toContain(`client ${record.id} v1: processed`);
    expect(lastWorkerLines(stopped.stderr)).toEqual(['stopping on SIGINT: no new jobs, waiting for the ones in flight', 'stopped']);

    api.kill('SIGTERM');
    const ended = await api.exited;
    // Nest closes the application, then lets the signal end the process as it would have.
    expect(ended.code === 0 || ended.signal === 'SIGTERM').toBe(true);
    expect(ended.stdout).not.toMatch(/ERROR/);
    // The request's line, written before the process ended.
    expect(ended.stdout).toMatch(/"msg":"POST \/clients 201 in /);
  });

  it('a worker process (dist/worker.js) stopped by SIGTERM has written every line, its last ones included', async () => {
    const env = { ...stores.env, AI_URL: ai.url('/chat'), LOG_LEVEL: 'info', LOG_FORMAT: 'json' };
    const created = await stores.http.post('/clients').send(clientBody()).expect(201);
    const id = (created.body as { id: number }).id;
    const worker = new CliProcess([], env, WORKER_ENTRY);
    processes.push(worker);
    await worker.waitForOutput(new RegExp(`client ${id} v1: processed`));

    worker.kill('SIGTERM');
    const ended = await worker.exited;
    // Nest's shutdown hooks end by raising the signal again: no `exit` event, so the lines logged during
    // the shutdown must have been written at once.
    expect(ended.code === 0 || ended.signal === 'SIGTERM').toBe(true);
    expect(lastWorkerLines(ended.stdout)).toEqual(['stopping on SIGTERM: no new jobs, waiting for the ones in flight', 'stopped']);
  });
});
