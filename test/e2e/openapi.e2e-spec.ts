import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENAPI_PATH } from '../support/documented-responses';
import { createTestApp, TestApp } from '../support/test-app';

const API_TOKEN = 'test-api-token-0123456789abcdef';

/** Runs @seriousme/openapi-schema-validator on a document. */
function validateOpenApi(document: unknown): { valid: boolean; version: string; errors: unknown } {
  const folder = mkdtempSync(join(tmpdir(), 'autoseo-openapi-'));
  try {
    const file = join(folder, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const run = spawnSync(process.execPath, [join(__dirname, '..', 'support', 'validate-openapi.mjs'), file], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`the validator failed: ${run.stderr}`);
    return JSON.parse(run.stdout);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

describe('The API describes itself (OpenAPI)', () => {
  describe('without API_TOKEN', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ worker: false });
    });

    afterAll(async () => {
      await t?.close();
    });

    it('serves at /docs/openapi.json the same document as the committed docs/openapi.json', async () => {
      const response = await t.http
        .get('/docs/openapi.json')
        .expect(200)
        .expect('Content-Type', /application\/json/);
      const committed = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8'));
      // toEqual's diff shows what changed; the message says how to bring the copy up to date.
      if (JSON.stringify(response.body) !== JSON.stringify(committed)) {
        expect({ 'docs/openapi.json is out of date: run `npm run openapi` and commit it': committed }).toEqual({
          'docs/openapi.json is out of date: run `npm run openapi` and commit it': response.body,
        });
      }
    });

    it('serves a valid OpenAPI 3 document, by a real validator, which rejects a broken one', async () => {
      const { body } = await t.http.get('/docs/openapi.json').expect(200);
      expect(validateOpenApi(body)).toEqual({ valid: true, version: '3.0', errors: null });

      const broken = structuredClone(body);
      delete broken.paths['/clients'].post.responses['201'].description;
      expect(validateOpenApi(broken).valid).toBe(false);
    });

    it('documents every route with its statuses, the error body and the bearer scheme', async () => {
      const { body } = await t.http.get('/docs/openapi.json').expect(200);
      const paths = Object.entries(body.paths as Record<string, Record<string, { responses: object }>>);
      const operations = paths.flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, { responses }]) => `${method.toUpperCase()} ${path} ${Object.keys(responses).join(',')}`),
      );
      expect(operations.sort()).toEqual([
        'DELETE /clients/{id} 204,400,401,404,413,415,429,503',
        'GET /clients 200,400,401,413,415,429,503',
        'GET /clients/{id} 200,400,401,404,413,415,429,503',
        'GET /clients/{id}/credentials 200,400,401,403,404,409,413,415,429,503',
        'GET /clients/{id}/credentials/audit 200,400,401,413,415,429,503',
        'GET /docs 200,400,401,413,415,429',
        'GET /docs/assets/{file} 200,400,401,404,413,415,429',
        'GET /docs/openapi.json 200,400,401,413,415,429',
        'GET /health 200,400,413,415,503',
        'GET /health/live 200,400,413,415,503',
        'GET /health/ready 200,400,413,415,503',
        'GET /metrics 200,400,401,413,415',
        'PATCH /clients/{id} 200,400,401,404,413,415,429,503',
        'POST /clients 201,400,401,413,415,429,503',
        'POST /clients/{id}/context/reprocess 202,400,401,404,413,415,429,503',
      ]);
      expect(body.components.securitySchemes['api-token']).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(body.paths['/clients'].post.security).toEqual([{ 'api-token': [] }]);
      expect(body.paths['/health/ready'].get.security).toBeUndefined();
      // Stored passwords open only with CREDENTIALS_TOKEN: a scheme of their own, not the API token's.
      expect(body.components.securitySchemes['credentials-token']).toMatchObject({ type: 'http', scheme: 'bearer' });
      expect(body.paths['/clients/{id}/credentials'].get.security).toEqual([{ 'credentials-token': [] }]);
      expect(body.paths['/clients/{id}/credentials/audit'].get.security).toEqual([{ 'api-token': [] }]);
      expect(body.paths['/clients'].post.responses['429'].headers).toHaveProperty('Retry-After');
      expect(body.paths['/clients'].get.responses['200'].headers).toHaveProperty('X-RateLimit-Remaining');
      // The list's walk and count: a cursor in, the next one out, the count capped unless asked.
      const listParameters = (body.paths['/clients'].get.parameters as { name: string }[]).map((parameter) => parameter.name);
      expect(listParameters).toEqual(expect.arrayContaining(['page', 'cursor', 'limit', 'context_status', 'total']));
      expect(body.components.schemas.ClientPageMeta.properties).toHaveProperty('next_cursor');
      expect(body.components.schemas.ClientPageMeta.properties).toHaveProperty('total_exact');
      const create = body.components.schemas.CreateClientDto;
      expect(create.properties.password).toMatchObject({ writeOnly: true, maxLength: 255 });
      expect(create.properties.company_context).toMatchObject({ minLength: 100, maxLength: 2000 });
      expect(create.required).toEqual(expect.arrayContaining(['client_name', 'password', 'company_context']));
      expect(body.components.schemas.ClientResponse.properties).not.toHaveProperty('password');
      expect(body.components.schemas.ClientResponse.properties.context_status).toMatchObject({ readOnly: true });
    });

    it('opens Swagger UI at /docs with its script and style served by the service, under the same Content-Security-Policy', async () => {
      const page = await t.http
        .get('/docs')
        .expect(200)
        .expect('Content-Type', /text\/html/);
      const policy = (await t.http.get('/health/live').expect(200)).headers['content-security-policy'];
      expect(page.headers['content-security-policy']).toBe(policy);
      expect(policy).toContain("script-src 'self'");
      expect(policy).not.toMatch(/unsafe-eval/);
      // Every script and style sheet the page loads comes from the service, and none is inline (the CSP would block it).
      const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map(([, url]) => url);
      expect(assets).toEqual(
        expect.arrayContaining(['/docs/assets/swagger-ui.css', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui-init.js']),
      );
      expect(page.text).not.toMatch(/<script>|<style>|style="/);
      for (const asset of assets) {
        const response = await t.http.get(asset).expect(200);
        expect(response.headers['content-security-policy']).toBe(policy);
      }
      const init = await t.http
        .get('/docs/assets/swagger-ui-init.js')
        .expect(200)
        .expect('Content-Type', /javascript/);
      expect(init.text).toContain('"/clients/{id}/context/reprocess"');
      const bundle = await t.http.get('/docs/assets/swagger-ui-bundle.js').expect('Content-Type', /javascript/);
      expect(bundle.text.length).toBeGreaterThan(100_000);
    });

    it('answers 404 for a file Swagger UI does not have, without reading outside its folder', async () => {
      for (const file of ['nothing.js', '..%2F..%2Fpackage.json', 'index.html']) {
        const response = await t.http.get(`/docs/assets/${file}`).expect(404);
        expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found' });
      }
    });
  });

  describe('with API_TOKEN set', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ worker: false, env: { API_TOKEN } });
    });

    afterAll(async () => {
      await t?.close();
    });

    it.each(['/docs', '/docs/openapi.json', '/docs/assets/swagger-ui-init.js'])('needs the token for %s, like /clients', async (path) => {
      const refused = await t.http.get(path).expect(401);
      expect(refused.headers['www-authenticate']).toMatch(/^Bearer/);
      await t.http.get(path).set('Authorization', `Bearer ${API_TOKEN}`).expect(200);
    });
  });
});
