import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { closedPort } from '../support/ports';
import { currentStack } from '../support/stack';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const API_TOKEN = 'dashboard-api-token-0123456789';
const auth = { Authorization: `Bearer ${API_TOKEN}` };
const { queue } = currentStack();

/** The dashboard's page and JSON over HTTP, on every stack (the browser test is in test/e2e-queued). */
describe(`Dashboard over HTTP (QUEUE_CONNECTION=${queue})`, () => {
  let ai: FakeAiServer;
  let t: TestApp;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    t = await createTestApp({ env: { AI_URL: ai.url('/chat'), API_TOKEN, QUEUE_TRIES: '1', LOG_LEVEL: 'warn' } });
  });

  afterAll(async () => {
    await t?.close();
    await ai?.close();
  });

  const create = async (overrides: Record<string, unknown> = {}) =>
    (await t.http.post('/clients').set(auth).send(clientBody(overrides)).expect(201)).body;
  const settled = (id: number) =>
    waitFor(`record ${id} settled`, async () => {
      const { body } = await t.http.get(`/clients/${id}`).set(auth).expect(200);
      return ['processed', 'failed'].includes(body.context_status) && body;
    });

  it('serves the page, its script and stylesheet without the token, under the same Content-Security-Policy as the API', async () => {
    const apiPolicy = (await t.http.get('/health/live').expect(200)).headers['content-security-policy'];
    expect(apiPolicy).toContain("script-src 'self'");
    expect(apiPolicy).toContain("script-src-attr 'none'");

    const page = await t.http.get('/dashboard').expect(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(apiPolicy);
    // Every script is a file of the service's own: nothing inline, no inline handlers, nothing from elsewhere.
    expect(page.text.match(/<script[^>]*>/g)).toEqual([
      '<script src="/dashboard/dashboard-render.js" defer>',
      '<script src="/dashboard/dashboard.js" defer>',
    ]);
    expect(page.text).not.toMatch(/\son[a-z]+=/i);
    expect(page.text).not.toMatch(/https?:\/\//);

    for (const path of ['/dashboard/dashboard-render.js', '/dashboard/dashboard.js']) {
      const script = await t.http.get(path).expect(200);
      expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(script.headers['content-security-policy']).toBe(apiPolicy);
      // Data reaches the page through textContent only; no markup is ever parsed from a string.
      expect(script.text).not.toMatch(/\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write|\beval\(/);
    }
    const style = await t.http.get('/dashboard/dashboard.css').expect(200);
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it.each([
    ['get', '/dashboard/api/overview'],
    ['get', '/dashboard/api/timeline'],
    ['get', '/dashboard/api/records'],
    ['post', '/dashboard/api/retry-all'],
    ['post', '/dashboard/api/records/1/retry'],
    ['post', '/dashboard/api/pause'],
  ])('refuses %s %s without the token and with a wrong one', async (method, path) => {
    const call = () => t.http[method as 'get'](path);
    expect((await call().expect(401)).body.message).toContain('Authorization: Bearer');
    expect((await call().set('Authorization', `Bearer ${API_TOKEN}x`).expect(401)).body.message).toBe('Invalid API token');
  });

  it('refuses a form posted from another site to an action, and the queue keeps running', async () => {
    const response = await t.http
      .post('/dashboard/api/pause')
      .set('Origin', 'http://attacker.localhost')
      .type('form')
      .send('paused=true')
      .expect(401);
    expect(response.body.error).toBe('Unauthorized');
    const overview = (await t.http.get('/dashboard/api/overview').set(auth).expect(200)).body;
    expect(overview.queue?.paused ?? false).toBe(false);
  });

  it('lists records newest first, filtered by status, searched by the words of the name or e-mail, paged', async () => {
    const first = await create({ client_name: 'Ferretería 100% Norte', client_email: 'norte@ferreteria.example' });
    const second = await create({ client_name: 'Panadería Sur', client_email: 'ventas_sur@pan.example' });
    const third = await create({ client_name: 'Panadería Este', client_email: 'este@pan.example' });
    const list = async (query: string) => (await t.http.get(`/dashboard/api/records?${query}`).set(auth).expect(200)).body;

    const byName = await list('search=PANADER');
    expect(byName.data.map((record: { id: number }) => record.id)).toEqual([third.id, second.id]);
    expect(byName.meta).toEqual({ page: 1, limit: 20, total: 2, total_exact: true, next_cursor: null });
    expect((await list('search=ventas_sur')).data.map((record: { id: number }) => record.id)).toEqual([second.id]);
    expect((await list('search=100%25')).data.map((record: { id: number }) => record.id)).toEqual([first.id]);
    // `%` is no wildcard, only a separator between words; a search with no word finds nothing (not everything).
    expect((await list('search=pan%25sur')).data.map((record: { id: number }) => record.id)).toEqual([second.id]);
    expect((await list('search=%25')).data).toEqual([]);
    expect((await list('search=%25')).meta.total).toBe(0);
    expect((await list('search=pan.example&limit=1&page=2')).data.map((record: { id: number }) => record.id)).toEqual([second.id]);
    // Records carry what the API shows, never the stored passwords.
    expect(byName.data[0]).not.toHaveProperty('password');

    await Promise.all([first, second, third].map((record) => settled(record.id)));
    expect((await list('context_status=processed&search=panader')).meta.total).toBe(2);
    expect((await list('context_status=failed&search=panader')).meta.total).toBe(0);
    expect((await t.http.get('/dashboard/api/records?context_status=done').set(auth).expect(400)).body.message).toEqual([
      expect.stringContaining('context_status must be one of'),
    ]);
  });

  it('finds a record by the start of any word of its name or e-mail, as it is after each create, update and delete', async () => {
    const ids = async (search: string) =>
      (
        await t.http
          .get(`/dashboard/api/records?search=${encodeURIComponent(search)}`)
          .set(auth)
          .expect(200)
      ).body.data.map((record: { id: number }) => record.id);
    const kiosk = await create({ client_name: 'Quiosco Zafiro de la Villa', client_email: 'pedidos@kiosko-norte.example' });
    const florist = await create({ client_name: 'Floristería Zafiro', client_email: 'hola@flores-azules.example' });

    expect(await ids('zafiro')).toEqual([florist.id, kiosk.id]);
    expect(await ids('ZAF quiosco')).toEqual([kiosk.id]); // every word must start a word of the record
    expect(await ids('floristeria')).toEqual([florist.id]); // accents aside
    expect(await ids('azules')).toEqual([florist.id]); // a word of the e-mail
    expect(await ids('de la villa zafiro')).toEqual([kiosk.id]); // words under 3 characters are ignored
    expect(await ids('afiro')).toEqual([]); // the middle of a word is not its start

    await t.http.patch(`/clients/${kiosk.id}`).set(auth).send({ client_name: 'Quiosco Rubí' }).expect(200);
    expect(await ids('zafiro')).toEqual([florist.id]);
    expect(await ids('rubi')).toEqual([kiosk.id]);
    expect(await ids('kiosko')).toEqual([kiosk.id]); // the e-mail, unchanged, still found

    await t.http.delete(`/clients/${florist.id}`).set(auth).expect(204);
    expect(await ids('zafiro')).toEqual([]);
    expect(await ids('azules')).toEqual([]);
  });

  it('finds a record named with markup by its words and returns the name as the literal text', async () => {
    const name = '<img src=x onerror=alert(1)> Tienda"Ópalo\'';
    const record = await create({ client_name: name, client_email: 'xss@opalo-tienda.example' });
    for (const search of ['onerror', '<img src=x onerror=alert(1)>', 'ópalo', '"opalo\' OR 1=1 --', 'alert(1)']) {
      const response = await t.http
        .get(`/dashboard/api/records?search=${encodeURIComponent(search)}`)
        .set(auth)
        .expect(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body.data.map((found: { id: number; client_name: string }) => [found.id, found.client_name])).toEqual([
        [record.id, name],
      ]);
    }
  });

  it('counts the records processed this hour in the 24-hour timeline', async () => {
    // The records of the tests above first: one processed between the two readings would count too.
    await waitFor('the earlier records to be settled', async () => {
      const open = await Promise.all(['pending', 'processing'].map((status) => t.http.get(`/clients?context_status=${status}`).set(auth)));
      return open.every((response) => response.status === 200 && response.body.meta.total === 0);
    });
    const before = (await t.http.get('/dashboard/api/timeline').set(auth).expect(200)).body.hours;
    expect(before).toHaveLength(24);
    await settled((await create()).id);
    const after = (await t.http.get('/dashboard/api/timeline').set(auth).expect(200)).body.hours;
    expect(after.at(-1).processed).toBe(before.at(-1).processed + 1);
    expect(Date.parse(after.at(-1).start)).toBeLessThanOrEqual(Date.now());
  });

  it('shows the driver, the AI endpoint as up and its latency once it has answered', async () => {
    await settled((await create()).id);
    const overview = (await t.http.get('/dashboard/api/overview').set(auth).expect(200)).body;
    expect(overview.driver).toBe(queue);
    expect(overview.ai).toMatchObject({ status: 'up', protocol: 'chat', breaker: { state: 'closed', retryAt: null } });
    expect(overview.ai.calls.calls).toBeGreaterThan(0);
    expect(overview.ai.calls.medianMs).toBeGreaterThanOrEqual(0);
    if (queue === 'sync') {
      expect(overview.queue).toBeNull();
      expect(overview.queueMessage).toContain('QUEUE_CONNECTION=sync has no queue');
    } else {
      expect(overview.queue).toMatchObject({ paused: false, failed: expect.any(Number), waiting: expect.any(Number) });
    }
  });

  it('refuses to retry a record that has no failed job, with the same words as the command line', async () => {
    const record = await settled((await create()).id);
    expect(record.context_status).toBe('processed');
    const response = await t.http.post(`/dashboard/api/records/${record.id}/retry`).set(auth).expect(409);
    expect(response.body.message).toBe(
      queue === 'sync'
        ? 'QUEUE_CONNECTION=sync has no queue: jobs run inside the process that dispatches them'
        : `Client ${record.id} has no failed job to retry (see queue:failed); reprocess it to start over`,
    );
    expect((await t.row(record.id))?.context_status).toBe('processed');
  });

  it('retries all failed jobs as queue:retry all does, and they end processed', async () => {
    ai.respondOnce({ status: 500 });
    const failed = await settled((await create()).id);
    const response = await t.http.post('/dashboard/api/retry-all').set(auth);
    if (queue === 'sync') {
      expect(response.status).toBe(409);
      expect(response.body.message).toContain('QUEUE_CONNECTION=sync has no queue');
      return;
    }
    expect(failed.context_status).toBe('failed');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      retried: 1,
      message: `client-${failed.id}-v1: queued again as client-${failed.id}-v2\nRetried 1 of 1 job(s).`,
    });
    await settled(failed.id);
    expect((await t.row(failed.id))?.context_status).toBe('processed');
    expect((await t.http.post('/dashboard/api/retry-all').set(auth).expect(200)).body).toEqual({
      retried: 0,
      message: 'No failed jobs to retry.',
    });
  });

  it('pauses and resumes as queue:pause and queue:resume do, or says the sync driver has no queue', async () => {
    const paused = await t.http.post('/dashboard/api/pause').set(auth).send({ paused: true });
    if (queue === 'sync') {
      expect(paused.status).toBe(409);
      expect(paused.body.message).toContain('QUEUE_CONNECTION=sync has no queue');
      return;
    }
    expect(paused.status).toBe(200);
    expect(paused.body).toEqual({ paused: true, message: 'Queue paused: workers take no new jobs until queue:resume.' });
    expect((await t.http.get('/dashboard/api/overview').set(auth).expect(200)).body.queue.paused).toBe(true);
    const resumed = await t.http.post('/dashboard/api/pause').set(auth).send({ paused: false }).expect(200);
    expect(resumed.body).toEqual({ paused: false, message: 'Queue resumed.' });
    expect((await t.http.get('/dashboard/api/overview').set(auth).expect(200)).body.queue.paused).toBe(false);
    await t.http.post('/dashboard/api/pause').set(auth).send({ paused: 'yes' }).expect(400);
  });
});

// Without API_TOKEN (development) the dashboard is as open as the API: these calls carry no token.
describe(`Dashboard over HTTP without API_TOKEN, the AI unreachable (QUEUE_CONNECTION=${queue})`, () => {
  let t: TestApp;

  beforeAll(async () => {
    const port = await closedPort();
    t = await createTestApp({
      env: { AI_URL: `http://127.0.0.1:${port}/chat`, AI_BREAKER_THRESHOLD: '1', AI_COOLDOWN_MS: '60000', LOG_LEVEL: 'error' },
    });
  });

  afterAll(async () => {
    await t?.close();
  });

  it('shows the AI endpoint down with its breaker open and when it retries, and the record still pending', async () => {
    const created = (await t.http.post('/clients').send(clientBody()).expect(201)).body;
    const overview = await waitFor('the breaker open', async () => {
      const body = (await t.http.get('/dashboard/api/overview').expect(200)).body;
      return body.ai.breaker.state === 'open' && body;
    });
    expect(overview.ai).toMatchObject({ status: 'down', message: 'AI breaker open: jobs wait for the AI', probeLatencyMs: null });
    const retryIn = Date.parse(overview.ai.breaker.retryAt) - Date.now();
    expect(retryIn).toBeGreaterThan(30_000);
    expect(retryIn).toBeLessThanOrEqual(60_000);
    expect((await t.http.get(`/clients/${created.id}`).expect(200)).body.context_status).toBe('pending');
  });
});
