import { CliProcess, runCli } from '../support/cli';
import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { MetricSample, metricValue, parseMetrics } from '../support/metrics';
import { closedPort } from '../support/ports';
import { currentStack } from '../support/stack';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const TOKEN = 'queue-metrics-token-0123456789';
const driver = currentStack().queue;

/** The queue as Prometheus and cron see it, and a dedicated worker's metrics listener (redis and database). */
describe(`Queue metrics, queue:monitor --max-wait and the worker's listener (QUEUE_CONNECTION=${driver})`, () => {
  let ai: FakeAiServer;
  let api: TestApp;
  const processes: CliProcess[] = [];

  beforeAll(async () => {
    ai = await FakeAiServer.start();
  });

  beforeEach(async () => {
    ai.reset();
    api = await createTestApp({ worker: false, env: { AI_URL: ai.url('/chat'), API_TOKEN: TOKEN, LOG_LEVEL: 'warn' } });
  });

  afterEach(async () => {
    await Promise.all(processes.splice(0).map((cli) => cli.dispose()));
    await api?.close();
  });

  afterAll(async () => {
    await ai?.close();
  });

  const cli = (...args: string[]) => runCli(args, api.env);
  const scrape = async (): Promise<MetricSample[]> =>
    parseMetrics((await api.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text);
  const create = async () => (await api.http.post('/clients').set('Authorization', `Bearer ${TOKEN}`).send(clientBody()).expect(201)).body;

  it('shows a paused queue holding its jobs, the oldest wait growing, and queue:monitor --max-wait failing on it', async () => {
    expect(await cli('queue:pause')).toExitWith(0);
    await create();
    await create();

    const paused = await waitFor('the paused queue with 2 jobs that have waited', async () => {
      const samples = await scrape();
      const ready =
        metricValue(samples, 'autoseo_queue_jobs', { state: 'waiting' }) === 2 &&
        metricValue(samples, 'autoseo_queue_oldest_waiting_seconds')! > 0;
      return ready ? samples : undefined;
    });
    expect(metricValue(paused, 'autoseo_queue_paused')).toBe(1);
    expect(metricValue(paused, 'autoseo_queue_up')).toBe(1);
    for (const state of ['active', 'delayed', 'failed']) expect(metricValue(paused, 'autoseo_queue_jobs', { state })).toBe(0);
    expect(metricValue(paused, 'autoseo_records', { context_status: 'pending' })).toBe(2);

    const late = await cli('queue:monitor', '--max-wait', '0');
    expect(late).toExitWith(1);
    expect(late.stderr).toMatch(/the oldest waiting job has waited .*, more than --max-wait 0 s/);
    expect(await cli('queue:monitor', '--max-wait', '3600')).toExitWith(0);
    const both = await cli('queue:monitor', '--max', '1', '--max-wait', '0', '--json');
    expect(both).toExitWith(1);
    expect(JSON.parse(both.stdout)).toMatchObject({ waiting: 2, paused: true, max: 1, maxWait: 0 });
    expect(both.stderr).toContain('2 jobs waiting, more than --max 1; the oldest waiting job has waited');

    expect(await cli('queue:resume')).toExitWith(0);
    expect(await cli('queue:work', '--stop-when-empty')).toExitWith(0);
    const drained = await scrape();
    expect(metricValue(drained, 'autoseo_queue_paused')).toBe(0);
    expect(metricValue(drained, 'autoseo_queue_jobs', { state: 'waiting' })).toBe(0);
    expect(metricValue(drained, 'autoseo_queue_oldest_waiting_seconds')).toBe(0);
    expect(await cli('queue:monitor', '--max-wait', '0')).toExitWith(0);
  });

  it('a dedicated worker serves GET /metrics on METRICS_PORT, behind API_TOKEN, and counts the jobs it processed', async () => {
    const port = await closedPort();
    const worker = new CliProcess(['queue:work'], { ...api.env, METRICS_PORT: String(port) });
    processes.push(worker);
    await worker.waitForOutput(new RegExp(`Metrics on http://127\\.0\\.0\\.1:${port}/metrics`));
    const url = `http://127.0.0.1:${port}/metrics`;

    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { Authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/clients`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(404);

    await create();
    await create();
    const samples = await waitFor('the worker to count 2 processed jobs', async () => {
      const response = await fetch(url, { headers: { Authorization: `Bearer ${TOKEN}` } });
      const current = parseMetrics(await response.text());
      return metricValue(current, 'autoseo_job_attempts_total', { driver, outcome: 'processed' }) === 2 ? current : undefined;
    });
    expect(metricValue(samples, 'autoseo_ai_call_duration_seconds_count', { protocol: 'chat', outcome: 'ok' })).toBe(2);
    expect(metricValue(samples, 'autoseo_process_cpu_seconds_total')).toBeGreaterThan(0);

    // A second worker cannot take the same port: it says which variable to change and takes no job.
    const clash = await runCli(['queue:work'], { ...api.env, METRICS_PORT: String(port) });
    expect(clash).toExitWith(1);
    expect(clash.stderr).toContain(`METRICS_PORT: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
    expect(clash.stdout).not.toContain('Worker started');

    worker.kill('SIGTERM');
    expect(await worker.exited).toExitWith(0);
  });
});
