import { AddressInfo } from 'node:net';
import { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { createTestApp, TestApp } from '../support/test-app';

describe('Swagger UI at /docs, in a browser', () => {
  let t: TestApp;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    t = await createTestApp({ worker: false });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists every route of the document, under the service Content-Security-Policy, loading nothing from elsewhere', async () => {
    const { body: document } = await t.http.get('/docs/openapi.json').expect(200);
    const documented = Object.entries(document.paths as Record<string, object>)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();

    const page = await browser.newPage();
    const complaints: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') complaints.push(message.text());
    });
    page.on('pageerror', (error) => complaints.push(error.message));
    page.on('request', (request) => {
      if (!request.url().startsWith(baseUrl) && !request.url().startsWith('data:')) elsewhere.push(request.url());
    });

    const answer = await page.goto(`${baseUrl}/docs`);
    expect(answer?.status()).toBe(200);
    expect(await answer?.headerValue('content-security-policy')).toContain("script-src 'self'");
    await page
      .locator('.opblock')
      .nth(documented.length - 1)
      .waitFor({ timeout: 20_000 });

    const shown = await page.locator('.opblock-summary').evaluateAll((blocks) =>
      blocks.map((block) => {
        const method = block.querySelector('.opblock-summary-method')?.textContent ?? '';
        const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '';
        return `${method.trim().toUpperCase()} ${path}`;
      }),
    );
    expect(shown.sort()).toEqual(documented);
    expect(await page.locator('.btn.authorize').count()).toBe(1);
    expect(complaints).toEqual([]);
    expect(elsewhere).toEqual([]);
    await page.close();
  });
});
