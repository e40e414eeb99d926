import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, screenshotDirectory } from '../support/browser';
import { clientBody, companyContext } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { currentStack } from '../support/stack';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const API_TOKEN = 'dashboard-browser-token-0123456789';
const auth = { Authorization: `Bearer ${API_TOKEN}` };
const { queue } = currentStack();
/** Originals holding this word get a 500 from the AI while `failing` is on. */
const FAILS = 'AVERÍA';
const XSS_NAME = '<img src=x onerror="alert(1)">';
const XSS_ORIGINAL =
  '<script>alert("original")</script> <img src=x onerror=alert(2)> <a href="javascript:alert(3)">ver la web</a> ' + companyContext('XSS');
const XSS_ANSWER = 'Empresa <script>alert("answer")</script> con <img src=y onerror=alert(4)> y un enlace javascript:alert(5).';

/**
 * The operator's dashboard in a real headless Chromium (Debian's package, driven by playwright-core), on
 * the redis and database drivers, against the service listening on loopback with API_TOKEN set.
 */
describe(`Dashboard in Chromium (QUEUE_CONNECTION=${queue})`, () => {
  let ai: FakeAiServer;
  let t: TestApp;
  let browser: Browser;
  let base: string;
  let failing = true;
  const screenshots = screenshotDirectory('dashboard');
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    ai.respondWith((request) => {
      if (failing && request.original?.includes(FAILS)) return { status: 500 };
      if (request.original?.startsWith('<script>')) return { text: XSS_ANSWER };
      return {};
    });
    t = await createTestApp({ env: { AI_URL: ai.url('/chat'), API_TOKEN, QUEUE_TRIES: '1', LOG_LEVEL: 'warn' } });
    await t.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((context) => context.close()));
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await ai?.close();
  });

  const create = async (overrides: Record<string, unknown> = {}) =>
    (await t.http.post('/clients').set(auth).send(clientBody(overrides)).expect(201)).body;
  const record = async (id: number) => (await t.http.get(`/clients/${id}`).set(auth).expect(200)).body;
  const settled = (id: number) =>
    waitFor(`record ${id} settled`, async () => ['processed', 'failed'].includes((await record(id)).context_status));
  const queueStatus = async () => (await t.http.get('/dashboard/api/overview').set(auth).expect(200)).body.queue;

  /** A fresh browser session (its own sessionStorage), logging every request and dialog of its pages. */
  async function session(viewport = { width: 1280, height: 900 }) {
    const context = await browser.newContext({ viewport });
    contexts.push(context);
    const page = await context.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    // What the browser reports, such as a Content-Security-Policy violation or a script error.
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
    });
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    return { context, page, requests, dialogs, problems };
  }

  async function logIn(page: Page, token = API_TOKEN) {
    await page.goto(`${base}/dashboard`);
    await page.locator('#token-input').fill(token);
    await page.locator('#login-form button[type=submit]').click();
  }

  const text = (page: Page, selector: string) => page.locator(selector).textContent();
  const waitForText = (page: Page, selector: string, expected: string | RegExp) =>
    waitFor(`${selector} to read ${String(expected)}`, async () => {
      const actual = (await text(page, selector)) ?? '';
      return typeof expected === 'string' ? actual === expected : expected.test(actual);
    });
  /** Clicks an action button and confirms in the page's own dialog; answers what the page reported. */
  async function confirmAction(page: Page, button: string) {
    await page.locator(button).click();
    await page.locator('#confirm').waitFor({ state: 'visible' });
    await page.locator('#confirm-ok').click();
    await waitFor('the result of the action', async () => ((await text(page, '#result')) ?? '') !== '');
    return text(page, '#result');
  }

  it('without the token shows the login and reads nothing; a wrong token is refused; a cleared session logs out', async () => {
    await create();
    const { page, requests } = await session();
    const answers: Array<{ url: string; status: number }> = [];
    page.on('response', (response) => answers.push({ url: response.url(), status: response.status() }));

    await page.goto(`${base}/dashboard`);
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#app').isHidden()).toBe(true);
    expect(await page.locator('#records-body tr').count()).toBe(0);
    const dataCalls = answers.filter((answer) => /\/(dashboard\/api|clients)\b/.test(answer.url));
    expect(dataCalls.length).toBeGreaterThan(0);
    expect(dataCalls.every((answer) => answer.status === 401)).toBe(true);
    await page.screenshot({ path: join(screenshots, 'login.png') });

    await logIn(page, 'not-the-token');
    await waitForText(page, '#login-error', 'Invalid API token');
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
    expect(await page.locator('#app').isHidden()).toBe(true);

    await logIn(page);
    await page.locator('#app').waitFor({ state: 'visible' });
    await waitFor('the record listed', async () => (await page.locator('#records-body tr').count()) === 1);

    // The session ends (the tab's storage is gone): the page asks again and shows no data.
    await page.evaluate('sessionStorage.clear()');
    answers.length = 0;
    await page.reload();
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#records-body tr').count()).toBe(0);
    expect(answers.filter((answer) => /\/dashboard\/api\//.test(answer.url)).every((answer) => answer.status === 401)).toBe(true);
    // Nothing but the service itself was asked for.
    expect(requests.every((url) => url.startsWith(`${base}/`))).toBe(true);
  });

  it('shows the counts the test made, opens a failed record side by side, retries it and sees it end processed', async () => {
    failing = true;
    const good = [await create(), await create()];
    const bad = await create({ company_context: companyContext(`Taller ${FAILS}`) });
    for (const created of [...good, bad]) await settled(created.id);

    const { page, problems } = await session();
    await logIn(page);
    await page.locator('#app').waitFor({ state: 'visible' });
    expect(await text(page, '#driver')).toBe(`queue: ${queue}`);
    await waitForText(page, '#count-failed', '1');
    expect(await text(page, '#count-waiting')).toBe('0');
    expect(await text(page, '#count-active')).toBe('0');
    expect(await text(page, '#queue-state')).toBe('running');
    expect(await text(page, '#ai-status')).toBe('up');
    expect(await text(page, '#ai-breaker')).toMatch(/^closed/);
    const processedTotal = (await t.http.get('/clients?context_status=processed').set(auth).expect(200)).body.meta.total;
    expect(await text(page, '#timeline-totals')).toBe(` · ${processedTotal} processed, 1 failed`);
    expect(await page.locator('#chart svg rect.processed').count()).toBeGreaterThan(0);

    await page.locator('#status-filter').selectOption('failed');
    await waitFor('only the failed record listed', async () => {
      const ids = await page.locator('#records-body tr').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id')));
      return ids.length === 1 && ids[0] === String(bad.id);
    });
    await page.locator(`#records-body tr[data-id="${bad.id}"]`).click();
    await page.locator('#detail').waitFor({ state: 'visible' });
    expect(await text(page, '#detail-status')).toBe('failed');
    expect(await text(page, '#detail-attempts')).toBe('1');
    expect(await text(page, '#detail-error')).toContain('500');
    expect(await text(page, '#detail-original')).toBe(bad.company_context_original);
    expect(await text(page, '#detail-processed')).toBe('(not processed)');
    await page.screenshot({ path: join(screenshots, 'failed-record.png'), fullPage: true });

    failing = false;
    expect(await confirmAction(page, '#retry-record')).toContain(`client-${bad.id}-v1: queued again as client-${bad.id}-v2`);
    await waitForText(page, '#detail-status', 'processed');
    const processed = await record(bad.id);
    expect(await text(page, '#detail-processed')).toBe(processed.company_context);
    expect(await text(page, '#detail-original')).toBe(bad.company_context_original);
    expect(await page.locator('#retry-record').isDisabled()).toBe(true);
    await page.screenshot({ path: join(screenshots, 'retried-record.png'), fullPage: true });
    // The page works under the service's own Content-Security-Policy: nothing was refused, nothing threw.
    expect(problems).toEqual([]);
  });

  it('pauses the queue (records wait, counted on the page) and resumes it (they are processed); cancel does nothing', async () => {
    const { page } = await session();
    await logIn(page);
    await waitForText(page, '#queue-state', 'running');

    await page.locator('#pause-toggle').click();
    await page.locator('#confirm-cancel').click();
    expect(await page.locator('#confirm').isHidden()).toBe(true);
    expect((await queueStatus()).paused).toBe(false);

    expect(await confirmAction(page, '#pause-toggle')).toBe('Queue paused: workers take no new jobs until queue:resume.');
    await waitForText(page, '#queue-state', 'paused');
    expect((await queueStatus()).paused).toBe(true);
    const waiting = [await create(), await create()];
    await waitForText(page, '#count-waiting', '2');
    for (const created of waiting) expect((await record(created.id)).context_status).toBe('pending');
    expect(await text(page, '#pause-toggle')).toBe('Resume queue');

    await page.locator('#result').evaluate((element) => (element.textContent = ''));
    expect(await confirmAction(page, '#pause-toggle')).toBe('Queue resumed.');
    await waitForText(page, '#queue-state', 'running');
    for (const created of waiting) await settled(created.id);
    await waitForText(page, '#count-waiting', '0');
    for (const created of waiting) expect((await record(created.id)).context_status).toBe('processed');
  });

  it('shows markup in names, originals and AI answers as text: nothing runs, no dialog, no request', async () => {
    const hostile = await create({ client_name: XSS_NAME, CompanyName: '<script>alert(6)</script>', company_context: XSS_ORIGINAL });
    await settled(hostile.id);
    const stored = await record(hostile.id);
    expect(stored.company_context).toContain('<img src=y onerror=alert(4)>');

    const { page, requests, dialogs, problems } = await session();
    await logIn(page);
    const row = page.locator(`#records-body tr[data-id="${hostile.id}"]`);
    await row.waitFor({ state: 'visible' });
    expect(await row.locator('td.client').textContent()).toBe(XSS_NAME);
    await row.click();
    await page.locator('#detail').waitFor({ state: 'visible' });
    expect(await text(page, '#detail-original')).toBe(XSS_ORIGINAL);
    expect(await text(page, '#detail-processed')).toBe(stored.company_context);
    expect(await text(page, '#detail-title')).toBe(`Record ${hostile.id}: ${XSS_NAME}`);

    // One more refresh cycle over the same data, then nothing may have run or been fetched.
    const before = requests.length;
    await waitFor('a refresh', () => requests.length >= before + 3);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('a').count()).toBe(0);
    expect(await page.locator('script').evaluateAll((scripts) => scripts.map((script) => script.getAttribute('src')))).toEqual([
      '/dashboard/dashboard-render.js',
      '/dashboard/dashboard.js',
    ]);
    expect(dialogs).toEqual([]);
    expect(problems).toEqual([]);
    const paths = requests
      .map((url) => new URL(url))
      .filter((url) => url.origin !== base || !/^\/(dashboard|clients)\b/.test(url.pathname));
    expect(paths).toEqual([]);
    await page.screenshot({ path: join(screenshots, 'markup-as-text.png'), fullPage: true });
  });

  it('refuses a form another site makes the logged-in browser post to an action', async () => {
    const { page } = await session();
    await logIn(page);
    await waitForText(page, '#queue-state', 'running');
    const attacker = await attackerSite(`${base}/dashboard/api/pause`);
    try {
      const answer = page.waitForResponse((response) => response.url() === `${base}/dashboard/api/pause`);
      await page.goto(attacker.url);
      const response = await answer;
      expect(response.status()).toBe(401);
      expect(response.request().headers()['authorization']).toBeUndefined();
    } finally {
      await new Promise((resolve) => attacker.server.close(resolve));
    }
    expect((await queueStatus()).paused).toBe(false);
  });

  it('stays usable on a narrow screen (nothing wider than the phone, the texts in one column) and reprocesses a record', async () => {
    const created = await create();
    await settled(created.id);
    const { page } = await session({ width: 375, height: 800 });
    await logIn(page);
    await page.locator(`#records-body tr[data-id="${created.id}"]`).click();
    await page.locator('#detail').waitFor({ state: 'visible' });
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    const [original, processed] = await Promise.all(['#detail-original', '#detail-processed'].map((id) => page.locator(id).boundingBox()));
    expect(processed!.y).toBeGreaterThan(original!.y + original!.height - 1);
    await page.screenshot({ path: join(screenshots, 'narrow.png'), fullPage: true });

    expect(await confirmAction(page, '#reprocess-record')).toBe(`Done: record ${created.id} is pending.`);
    await waitFor(
      'the record processed again',
      async () => (await t.row(created.id))?.context_version === 2 && (await settled(created.id)),
    );
    await waitForText(page, '#detail-status', 'processed');
  });
});

/** Another site (localhost, not 127.0.0.1) whose page posts a form to `target` as soon as it loads. */
async function attackerSite(target: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(
      `<!doctype html><form method="post" action="${target}"><input name="paused" value="true"></form>` +
        '<script>document.forms[0].submit()</script>',
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://localhost:${(server.address() as AddressInfo).port}/` };
}
