import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_ENTRY, CliProcess, runCli } from '../support/cli';
import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { closedPort } from '../support/ports';
import { PrometheusServer } from '../support/prometheus';
import { currentStack } from '../support/stack';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const TOKEN = 'prometheus-scrape-token-0123456789';
const ALERT_RULES = join(__dirname, '..', '..', 'docs', 'prometheus', 'alerts.yml');
const DASHBOARD = join(__dirname, '..', '..', 'docs', 'grafana', 'autoseo-dashboard.json');
const driver = currentStack().queue;

/**
 * A real Prometheus scrapes the compiled API (RUN_WORKER=false) and a dedicated `queue:work` with
 * METRICS_PORT, on loopback, with the API token; PromQL sees the queue depth and the jobs processed.
 */
describe(`A real Prometheus scraping the API and a worker (QUEUE_CONNECTION=${driver})`, () => {
  let ai: FakeAiServer;
  let stores: TestApp;
  let prometheus: PrometheusServer | undefined;
  const processes: CliProcess[] = [];

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    // Only to empty the stores and share their settings; the API under test is the process below.
    stores = await createTestApp({ worker: false });
  });

  afterAll(async () => {
    await prometheus?.close();
    await Promise.all(processes.map((running) => running.dispose()));
    await stores?.close();
    await ai?.close();
  });

  it('has both targets up, and PromQL returns the queue depth and then the processed jobs the test produced', async () => {
    const [apiPort, workerPort] = [await closedPort(), await closedPort()];
    const env = { ...stores.env, AI_URL: ai.url('/chat'), API_TOKEN: TOKEN, LOG_LEVEL: 'warn' };
    expect(await runCli(['queue:pause'], env)).toExitWith(0);

    const api = new CliProcess([], { ...env, RUN_WORKER: 'false', PORT: String(apiPort), LOG_LEVEL: 'info' }, API_ENTRY);
    const worker = new CliProcess(['queue:work'], { ...env, METRICS_PORT: String(workerPort) });
    processes.push(api, worker);
    await api.waitForOutput(/listening on port/);
    await worker.waitForOutput(/Worker started/);

    const base = `http://127.0.0.1:${apiPort}`;
    const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' };
    for (let created = 0; created < 3; created += 1) {
      expect((await fetch(`${base}/clients`, { method: 'POST', headers, body: JSON.stringify(clientBody()) })).status).toBe(201);
    }

    prometheus = await PrometheusServer.start(
      [
        { name: 'autoseo-api', target: `127.0.0.1:${apiPort}`, token: TOKEN },
        { name: 'autoseo-worker', target: `127.0.0.1:${workerPort}`, token: TOKEN },
      ],
      [ALERT_RULES],
    );
    const targets = await waitFor('both scrape targets up', async () => {
      const active = await prometheus!.targets();
      return active.length === 2 && active.every((target) => target.health === 'up') ? active : undefined;
    });
    expect(targets.map((target) => target.labels.job).sort()).toEqual(['autoseo-api', 'autoseo-worker']);
    expect(await prometheus.value('sum(up{job=~"autoseo-.*"})')).toBe(2);

    // The queue as each process reads it: 3 jobs held by the pause.
    await waitFor('PromQL to see 3 waiting jobs from both processes', async () => {
      const depth = await prometheus!.query('autoseo_queue_jobs{state="waiting"}');
      return depth.length === 2 && depth.every((sample) => sample.value[1] === '3');
    });
    expect(await prometheus.value('max(autoseo_queue_paused)')).toBe(1);

    expect(await runCli(['queue:resume'], env)).toExitWith(0);
    await waitFor(
      'PromQL to count the 3 jobs the worker processed',
      async () =>
        (await prometheus!.value(`sum(autoseo_job_attempts_total{job="autoseo-worker",driver="${driver}",outcome="processed"})`)) === 3,
    );
    await waitFor('PromQL to see the queue empty', async () => (await prometheus!.value('max(autoseo_queue_jobs{state="waiting"})')) === 0);
    // The API (RUN_WORKER=false) made no attempt; its calls are requests, timed by route template.
    expect(await prometheus.value('sum(autoseo_job_attempts_total{job="autoseo-api"})')).toBe(0);
    expect(
      await prometheus.value('sum(autoseo_http_request_duration_seconds_count{job="autoseo-api",route="/clients",status="201"})'),
    ).toBe(3);
    expect(await prometheus.value('sum(autoseo_ai_call_duration_seconds_count{job="autoseo-worker",outcome="ok"})')).toBe(3);

    // Prometheus loaded the shipped alert rules and evaluates them without error.
    const rules = await waitFor('the alert rules evaluated', async () => {
      const groups = await prometheus!.ruleGroups();
      const all = groups.flatMap((group) => group.rules);
      return all.length > 0 && all.every((rule) => rule.health === 'ok') ? all : undefined;
    });
    expect(rules.map((rule) => rule.name)).toEqual(
      expect.arrayContaining(['AutoseoQueueBackingUp', 'AutoseoAiDown', 'AutoseoNoWorkerProcessing']),
    );

    // Every query of the Grafana dashboard is PromQL this Prometheus accepts; the queue, job and AI panels have data.
    const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
    for (const panel of dashboard.panels) {
      // query() throws with Prometheus's own error for a query it rejects.
      for (const target of panel.targets ?? []) expect(Array.isArray(await prometheus.query(target.expr))).toBe(true);
    }
    for (const title of [
      'Jobs by state',
      'Records by context_status',
      'Attempts per minute by outcome',
      'AI calls per minute by outcome',
    ]) {
      const panel = dashboard.panels.find((candidate) => candidate.title === title);
      // A rate needs two scrapes of a series: the AI calls' appeared with the first call.
      await waitFor(`data in the panel "${title}"`, async () => (await prometheus!.query(panel!.targets![0].expr)).length > 0);
    }
  });
});
