import { AddressInfo } from 'node:net';
import { launchBrowser, PageServer, servePage, TestBrowser } from '../support/browser';
import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { createTestApp, TestApp } from '../support/test-app';

const API_TOKEN = 'test-api-token-0123456789abcdef';
const RATE_LIMIT = 6;

/** What an admin front end does: call the API with fetch and read the status, the body and the headers it needs. */
const FRONT_END = `<!doctype html>
<meta charset="utf-8">
<title>Admin</title>
<script>
  window.callApi = async (url, { method = 'GET', token, body } = {}) => {
    const headers = {};
    if (token) headers.Authorization = 'Bearer ' + token;
    if (body) headers['Content-Type'] = 'application/json';
    try {
      const response = await fetch(url, { method, headers, body: body && JSON.stringify(body) });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? JSON.parse(text) : null,
        rateLimitRemaining: response.headers.get('X-RateLimit-Remaining'),
        retryAfter: response.headers.get('Retry-After'),
      };
    } catch (error) {
      return { networkError: error.name + ': ' + error.message };
    }
  };
</script>`;

interface ApiCall {
  method?: string;
  token?: string;
  body?: Record<string, unknown>;
}

interface ApiAnswer {
  status?: number;
  body?: { id?: number; client_name?: string; message?: string | string[] } | null;
  rateLimitRemaining?: string | null;
  retryAfter?: string | null;
  networkError?: string;
}

/** What FRONT_END puts on its window. */
interface FrontEnd {
  callApi(url: string, call: ApiCall): Promise<ApiAnswer>;
}

// CORS does not depend on the stack (test/e2e/cors.e2e-spec.ts checks the headers on all of them): one browser run,
// on the production stack, is the proof that a browser accepts them.
describe('CORS in a real browser', () => {
  let ai: FakeAiServer;
  let browser: TestBrowser;
  let allowedSite: PageServer;
  let otherSite: PageServer;
  let t: TestApp;
  let api: string;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    browser = await launchBrowser();
    allowedSite = await servePage(FRONT_END);
    otherSite = await servePage(FRONT_END);
    t = await createTestApp({
      env: { AI_URL: ai.url('/chat'), API_TOKEN, CORS_ORIGINS: allowedSite.origin, RATE_LIMIT: String(RATE_LIMIT) },
    });
    await t.app.listen(0, '127.0.0.1');
    api = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await t?.close();
    await browser?.close();
    await allowedSite?.close();
    await otherSite?.close();
    await ai?.close();
  });

  /** Opens the front end served from `site` and makes its calls in order, from that page. */
  async function fromPage(site: PageServer, calls: Array<[string, ApiCall]>) {
    const { page, consoleLines } = await browser.newPage();
    try {
      await page.goto(`${site.origin}/admin`);
      const answers: ApiAnswer[] = [];
      for (const [path, call] of calls) {
        // Runs in the page, where globalThis is its window.
        const inPage = ([url, options]: readonly [string, ApiCall]) => (globalThis as unknown as FrontEnd).callApi(url, options);
        const answer = await page.evaluate(inPage, [`${api}${path}`, call] as const);
        answers.push(answer);
      }
      return { answers, consoleLines };
    } finally {
      await page.close();
    }
  }

  it('lets a page on an allowed origin create and read a client with the token, and read X-RateLimit-Remaining', async () => {
    const body = clientBody();
    const {
      answers: [created],
    } = await fromPage(allowedSite, [['/clients', { method: 'POST', token: API_TOKEN, body }]]);
    expect(created).toMatchObject({ status: 201, body: { id: expect.any(Number), client_name: body.client_name } });
    const id = Number(created.body?.id);
    const {
      answers: [read],
    } = await fromPage(allowedSite, [[`/clients/${id}`, { token: API_TOKEN }]]);
    expect(read).toMatchObject({ status: 200, body: { id, client_name: body.client_name } });
    expect(created.rateLimitRemaining).toMatch(/^\d+$/);
    expect(Number(created.rateLimitRemaining)).toBeLessThan(RATE_LIMIT);
    expect(Number(read.rateLimitRemaining)).toBe(Number(created.rateLimitRemaining) - 1);
    expect((await t.row(id))?.client_name).toBe(body.client_name);
  });

  it('lets that page read an error: a 401 and its message, not a network error', async () => {
    const {
      answers: [refused],
    } = await fromPage(allowedSite, [['/clients', {}]]);
    expect(refused).toMatchObject({ status: 401, body: { message: expect.stringContaining('Authorization: Bearer') } });
  });

  it('refuses a page on an origin not on the list: the browser reports a CORS failure and nothing is stored', async () => {
    const before = await t.count();
    const { answers, consoleLines } = await fromPage(otherSite, [
      ['/clients', { method: 'POST', token: API_TOKEN, body: clientBody() }],
      ['/clients', { token: API_TOKEN }],
    ]);
    expect(answers).toEqual([{ networkError: 'TypeError: Failed to fetch' }, { networkError: 'TypeError: Failed to fetch' }]);
    expect(consoleLines).toContainEqual(expect.stringContaining(`from origin '${otherSite.origin}' has been blocked by CORS policy`));
    expect(await t.count()).toBe(before);
  });

  it('lets the allowed page read a 429 and its Retry-After once the budget is spent', async () => {
    const calls = Array.from({ length: RATE_LIMIT + 1 }, (): [string, ApiCall] => ['/clients', { token: API_TOKEN }]);
    const { answers } = await fromPage(allowedSite, calls);
    const limited = answers.find((answer) => answer.status === 429);
    expect(limited).toMatchObject({ body: { message: expect.stringContaining('Too many requests') } });
    expect(Number(limited?.retryAfter)).toBeGreaterThan(0);
  });
});
