import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { MetricSample, metricValue, parseMetrics, samplesOf } from '../support/metrics';
import { closedPort } from '../support/ports';
import { currentStack } from '../support/stack';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const TOKEN = 'metrics-test-token-0123456789';
const driver = currentStack().queue;
const DOCS = join(__dirname, '..', '..', 'docs');

/** The metric names the shipped alert rules and Grafana dashboard query. */
function documentedMetricNames(): string[] {
  const text = ['prometheus/alerts.yml', 'grafana/autoseo-dashboard.json'].map((file) => readFileSync(join(DOCS, file), 'utf8')).join('\n');
  return [...new Set(text.match(/\bautoseo_[a-z0-9_]+/g))];
}

/** GET /metrics on the API: what Prometheus reads after known events, on every stack. */
describe(`GET /metrics (QUEUE_CONNECTION=${driver})`, () => {
  let t: TestApp | undefined;
  let ai: FakeAiServer | undefined;

  afterEach(async () => {
    await t?.close();
    await ai?.close();
    t = ai = undefined;
  });

  const scrape = async (app: TestApp): Promise<MetricSample[]> => {
    const response = await app.http.get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    return parseMetrics(response.text);
  };
  const create = async (app: TestApp) =>
    (await app.http.post('/clients').set('Authorization', `Bearer ${TOKEN}`).send(clientBody()).expect(201)).body as { id: number };
  const attempts = (samples: MetricSample[], outcome: string) => metricValue(samples, 'autoseo_job_attempts_total', { driver, outcome });
  const aiCalls = (samples: MetricSample[], outcome: string) =>
    metricValue(samples, 'autoseo_ai_call_duration_seconds_count', { protocol: 'chat', outcome }) ?? 0;

  it('counts N creates: requests by route template, N processed attempts, N AI calls, N processed records', async () => {
    ai = await FakeAiServer.start();
    t = await createTestApp({ env: { AI_URL: ai.url('/chat'), API_TOKEN: TOKEN } });
    const before = await scrape(t);
    for (const outcome of ['processed', 'retried', 'postponed', 'failed', 'discarded', 'skipped'])
      expect(attempts(before, outcome)).toBe(0);

    const records = [await create(t), await create(t), await create(t)];
    await t.http.get(`/clients/${records[0].id}`).set('Authorization', `Bearer ${TOKEN}`).expect(200);
    await t.http.get('/clients/999999').set('Authorization', `Bearer ${TOKEN}`).expect(404);
    await t.http.get('/no/such/route/42').set('Authorization', `Bearer ${TOKEN}`).expect(404);

    const after = await waitFor('3 processed attempts and 3 processed records', async () => {
      const samples = await scrape(t!);
      const done = attempts(samples, 'processed') === 3 && metricValue(samples, 'autoseo_records', { context_status: 'processed' }) === 3;
      return done ? samples : undefined;
    });
    expect(attempts(after, 'retried')).toBe(0);
    expect(aiCalls(after, 'ok')).toBe(3);
    for (const status of ['pending', 'processing', 'failed'])
      expect(metricValue(after, 'autoseo_records', { context_status: status })).toBe(0);

    const requests = (labels: Record<string, string>) => metricValue(after, 'autoseo_http_request_duration_seconds_count', labels);
    expect(requests({ method: 'POST', route: '/clients', status: '201' })).toBe(3);
    expect(requests({ method: 'GET', route: '/clients/:id', status: '200' })).toBe(1);
    expect(requests({ method: 'GET', route: '/clients/:id', status: '404' })).toBe(1);
    expect(requests({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    // Never a raw path: one series per route, whatever ids and URLs callers send.
    const routes = new Set(samplesOf(after, 'autoseo_http_request_duration_seconds_count').map((sample) => sample.labels.route));
    expect([...routes].filter((route) => /\d/.test(route))).toEqual([]);

    expect(metricValue(after, 'autoseo_queue_up')).toBe(1);
    expect(metricValue(after, 'autoseo_queue_jobs', { state: 'waiting' })).toBe(0);
    expect(metricValue(after, 'autoseo_queue_oldest_waiting_seconds')).toBe(0);
    expect(metricValue(after, 'autoseo_ai_breaker_state', { state: 'closed' })).toBe(1);
    // Node's process metrics, under the same prefix.
    expect(metricValue(after, 'autoseo_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(metricValue(after, 'autoseo_nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(after.filter((sample) => !sample.name.startsWith('autoseo_'))).toEqual([]);
    // The alert rules and the dashboard query metrics that exist.
    const exposed = new Set(after.map((sample) => sample.name));
    expect(documentedMetricNames().filter((name) => !exposed.has(name))).toEqual([]);
  });

  it('counts one failed attempt as retried, with the AI call as an HTTP error, then the retry as processed', async () => {
    ai = await FakeAiServer.start();
    ai.respondOnce({ status: 500 });
    t = await createTestApp({ env: { AI_URL: ai.url('/chat'), API_TOKEN: TOKEN } });
    await create(t);

    const samples = await waitFor('the retry to be processed', async () => {
      const current = await scrape(t!);
      return attempts(current, 'processed') === 1 ? current : undefined;
    });
    expect(attempts(samples, 'retried')).toBe(1);
    expect(attempts(samples, 'failed')).toBe(0);
    expect(aiCalls(samples, 'http_error')).toBe(1);
    expect(aiCalls(samples, 'ok')).toBe(1);
  });

  it('counts a job that fails for good, its malformed AI answers, and the failed record', async () => {
    ai = await FakeAiServer.start();
    ai.respondWith({ rawBody: 'this is not JSON' });
    t = await createTestApp({ env: { AI_URL: ai.url('/chat'), API_TOKEN: TOKEN, QUEUE_TRIES: '2' } });
    await create(t);

    const samples = await waitFor('the job to fail for good', async () => {
      const current = await scrape(t!);
      return attempts(current, 'failed') === 1 && metricValue(current, 'autoseo_records', { context_status: 'failed' }) === 1
        ? current
        : undefined;
    });
    expect(attempts(samples, 'retried')).toBe(1);
    expect(attempts(samples, 'processed')).toBe(0);
    expect(aiCalls(samples, 'malformed')).toBe(2);
  });

  it('shows the breaker open and the attempts postponed while the AI cannot be reached', async () => {
    const port = await closedPort();
    t = await createTestApp({
      env: { AI_URL: `http://127.0.0.1:${port}/chat`, API_TOKEN: TOKEN, AI_BREAKER_THRESHOLD: '1', AI_COOLDOWN_MS: '60000' },
    });
    const before = await scrape(t);
    expect(metricValue(before, 'autoseo_ai_breaker_state', { state: 'open' })).toBe(0);
    await create(t);

    const samples = await waitFor('the breaker to open and the attempt to be given back', async () => {
      const current = await scrape(t!);
      return metricValue(current, 'autoseo_ai_breaker_state', { state: 'open' }) === 1 && attempts(current, 'postponed') === 1
        ? current
        : undefined;
    });
    expect(metricValue(samples, 'autoseo_ai_breaker_state', { state: 'closed' })).toBe(0);
    expect(attempts(samples, 'retried')).toBe(0);
    expect(aiCalls(samples, 'unreachable')).toBe(1);
    expect(metricValue(samples, 'autoseo_records', { context_status: 'processed' }) ?? 0).toBe(0);
  });

  it('needs API_TOKEN when one is set, and is never throttled', async () => {
    t = await createTestApp({ env: { API_TOKEN: TOKEN, RATE_LIMIT: '2' } });
    const missing = await t.http.get('/metrics').expect(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    await t.http.get('/metrics').set('Authorization', 'Bearer not-the-token-at-all').expect(401);
    // Far more scrapes than RATE_LIMIT allows requests: Prometheus must not be locked out.
    for (let scrapeNumber = 0; scrapeNumber < 6; scrapeNumber += 1) await scrape(t);
  });
});
