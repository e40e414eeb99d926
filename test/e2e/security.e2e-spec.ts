import { FakeAiServer } from '../support/fake-ai-server';
import { clientBody } from '../support/clients';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const API_TOKEN = 'test-api-token-0123456789abcdef';
const bearer = (token: string) => `Bearer ${token}`;

describe('Security', () => {
  let ai: FakeAiServer;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
  });

  afterAll(async () => {
    await ai?.close();
  });

  describe('with API_TOKEN set', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { AI_URL: ai.url('/chat'), API_TOKEN } });
    });

    afterAll(async () => {
      await t?.close();
    });

    const routes: Array<[string, string]> = [
      ['get', '/clients'],
      ['post', '/clients'],
      ['get', '/clients/1'],
      ['patch', '/clients/1'],
      ['delete', '/clients/1'],
      ['post', '/clients/1/context/reprocess'],
    ];

    it.each(routes)('answers 401 in JSON with WWW-Authenticate to %s %s without a token, and stores nothing', async (method, path) => {
      const before = await t.count();
      const response = await t.http[method as 'get'](path).send(method === 'get' || method === 'delete' ? undefined : clientBody());
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="autoseo"$/);
      expect(response.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.stringContaining('Authorization: Bearer') });
      expect(await t.count()).toBe(before);
    });

    it.each([
      ['a wrong token of the same length', bearer(API_TOKEN.replace(/.$/, 'X'))],
      ['a shorter token', bearer('short')],
      ['a much longer token', bearer(API_TOKEN.repeat(50))],
      ['the token as a prefix of a longer one', bearer(`${API_TOKEN}0`)],
      ['latin-1 characters', bearer('contraseña-ñññññññññññññññ')],
    ])('answers 401 "Invalid API token" to %s', async (_case, header) => {
      const response = await t.http.get('/clients').set('Authorization', header).expect(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="autoseo", error="invalid_token"');
      expect(response.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'Invalid API token' });
    });

    it.each([
      ['the token without the Bearer scheme', API_TOKEN],
      ['Basic credentials', `Basic ${Buffer.from(`admin:${API_TOKEN}`).toString('base64')}`],
      ['Bearer with nothing after it', 'Bearer '],
      ['an empty header', ''],
    ])('answers 401 to %s', async (_case, header) => {
      const response = await t.http.get('/clients').set('Authorization', header).expect(401);
      expect(response.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    });

    it('accepts the token on every route', async () => {
      const auth = bearer(API_TOKEN);
      const created = (await t.http.post('/clients').set('Authorization', auth).send(clientBody()).expect(201)).body;
      await t.http.get('/clients').set('Authorization', auth).expect(200);
      await t.http.get(`/clients/${created.id}`).set('Authorization', auth).expect(200);
      await t.http.patch(`/clients/${created.id}`).set('Authorization', auth).send({ client_name: 'Otro nombre' }).expect(200);
      await t.http.post(`/clients/${created.id}/context/reprocess`).set('Authorization', auth).expect(202);
      await t.http.delete(`/clients/${created.id}`).set('Authorization', auth).expect(204);
    });

    it('accepts the scheme in any case and extra spaces around the token', async () => {
      await t.http.get('/clients').set('Authorization', `bearer   ${API_TOKEN}  `).expect(200);
    });

    it.each(['/health', '/health/live', '/health/ready'])('leaves %s open', async (path) => {
      const response = await t.http.get(path).expect(200);
      expect(response.body.status).toBe('ok');
    });

    it('never shows the token in a response or a log line', async () => {
      await t.http
        .get('/clients')
        .set('Authorization', bearer(`${API_TOKEN}-wrong`))
        .expect(401);
      const wrong = await t.http
        .get('/clients')
        .set('Authorization', bearer('x'.repeat(40)))
        .expect(401);
      expect(JSON.stringify(wrong.body)).not.toContain(API_TOKEN);
      expect(t.logs.text()).not.toContain(API_TOKEN);
    });
  });

  describe('HTTP hardening', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { AI_URL: ai.url('/chat') } });
    });

    afterAll(async () => {
      await t?.close();
    });

    it.each([
      ['a record', '/clients'],
      ['an error', '/clients/abc'],
      ['an unknown route', '/nowhere'],
      ['a health check', '/health/live'],
    ])('sends the security headers with %s', async (_case, path) => {
      const response = await t.http.get(path);
      expect(response.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'strict-transport-security': expect.stringContaining('max-age='),
        'content-security-policy': expect.stringContaining("default-src 'self'"),
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
      });
      expect(response.headers['x-powered-by']).toBeUndefined();
    });

    it('answers 413 in JSON, with the headers, to a body over 64 KiB and stores nothing', async () => {
      const before = await t.count();
      const response = await t.http
        .post('/clients')
        .send(clientBody({ company_context: 'x'.repeat(65 * 1024) }))
        .expect(413);
      expect(response.body).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'Request body is larger than the 64 KiB limit',
      });
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(await t.count()).toBe(before);
    });

    it('answers 413 to an oversized PATCH and leaves the record as it was', async () => {
      const created = (await t.http.post('/clients').send(clientBody()).expect(201)).body;
      const before = (await t.row(created.id))!.client_name;
      await t.http
        .patch(`/clients/${created.id}`)
        .send({ client_name: 'y'.repeat(70 * 1024) })
        .expect(413);
      expect((await t.row(created.id))!.client_name).toBe(before);
    });

    it('accepts a body just under the limit as far as the validation', async () => {
      const response = await t.http
        .post('/clients')
        .send(clientBody({ notes: 'x'.repeat(60 * 1024) }))
        .expect(400);
      expect(JSON.stringify(response.body.message)).toContain('notes');
    });
  });

  describe('client passwords', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { AI_URL: ai.url('/chat') } });
    });

    afterAll(async () => {
      await t?.close();
    });

    it('never appear in a response, a stored row, a log line or a request to the AI', async () => {
      const secrets = ['Pw-create-7f3a91', 'PwApp-create-c82e', 'Pw-patch-5b1d77', 'PwApp-patch-0e4f'];
      const seenByAi = ai.requests.length;
      const responses: unknown[] = [];
      const created = await t.http
        .post('/clients')
        .send(clientBody({ password: secrets[0], password_app: secrets[1] }))
        .expect(201);
      responses.push(created.body);
      const id = created.body.id;
      await waitFor('the record to be processed', async () => (await t.http.get(`/clients/${id}`)).body.context_status === 'processed');

      responses.push((await t.http.get(`/clients/${id}`)).body);
      responses.push((await t.http.get('/clients')).body);
      responses.push((await t.http.patch(`/clients/${id}`).send({ password: secrets[2], password_app: secrets[3] }).expect(200)).body);
      // Rejected requests that carry a password: the error names the field, never the value.
      responses.push((await t.http.patch(`/clients/${id}`).send({ password: secrets[2], client_email: 'bad' }).expect(400)).body);
      responses.push(
        (
          await t.http
            .post('/clients')
            .send(clientBody({ password: `${secrets[0]}${'x'.repeat(300)}` }))
            .expect(400)
        ).body,
      );
      responses.push(
        (
          await t.http
            .post('/clients')
            .send(clientBody({ password: secrets[0], unknown: secrets[1] }))
            .expect(400)
        ).body,
      );
      responses.push((await t.http.post(`/clients/${id}/context/reprocess`).expect(202)).body);
      await waitFor(
        'the record to be processed again',
        async () => (await t.http.get(`/clients/${id}`)).body.context_status === 'processed',
      );

      const row = JSON.stringify(await t.row(id));
      const aiRequests = JSON.stringify(ai.requests.slice(seenByAi));
      expect(ai.requests.length).toBeGreaterThan(seenByAi);
      for (const secret of secrets) {
        for (const response of responses) expect(JSON.stringify(response)).not.toContain(secret);
        expect(row).not.toContain(secret);
        expect(t.logs.text()).not.toContain(secret);
        expect(aiRequests).not.toContain(secret);
      }
      for (const response of responses) expect(JSON.stringify(response)).not.toMatch(/"password(_app)?"\s*:/);

      await t.http.delete(`/clients/${id}`).expect(204);
      expect(t.logs.text()).not.toMatch(new RegExp(secrets.join('|')));
    });
  });

  describe('rate limiting', () => {
    const LIMIT = 5;
    let t: TestApp;

    beforeEach(async () => {
      t = await createTestApp({
        env: { AI_URL: ai.url('/chat'), RATE_LIMIT: String(LIMIT), RATE_LIMIT_WINDOW_MS: '60000' },
        worker: false,
      });
    });

    afterEach(async () => {
      await t?.close();
    });

    it('answers 429 in JSON with Retry-After once a client has used its requests, over all routes together', async () => {
      const first = await t.http.get('/clients').expect(200);
      expect(first.headers['x-ratelimit-limit']).toBe(String(LIMIT));
      expect(first.headers['x-ratelimit-remaining']).toBe(String(LIMIT - 1));
      await t.http.get('/clients/999999').expect(404);
      await t.http.post('/clients').send({}).expect(400);
      await t.http.get('/clients?page=2').expect(200);
      await t.http.get('/clients/abc').expect(400);

      const before = await t.count();
      const limited = await t.http.post('/clients').send(clientBody()).expect(429);
      expect(limited.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: expect.stringMatching(/^Too many requests: at most 5 per 60 s from one client; retry in \d+ s$/),
      });
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(await t.count()).toBe(before);
      await t.http.get('/clients').expect(429);
    });

    it('never throttles the health checks', async () => {
      for (let i = 0; i < LIMIT; i++) await t.http.get('/clients').expect(200);
      await t.http.get('/clients').expect(429);
      for (let i = 0; i < LIMIT * 3; i++) {
        await t.http.get('/health/live').expect(200);
        await t.http.get('/health/ready').expect(200);
      }
      await t.http.get('/health').expect((response) => expect(response.status).not.toBe(429));
    });

    it('counts a client behind a trusted proxy (TRUST_PROXY) by its forwarded address, and ignores the header otherwise', async () => {
      const from = (address: string) => t.http.get('/clients').set('X-Forwarded-For', address);
      // Default: X-Forwarded-For is whatever the caller wrote, so it changes nothing (no way around the limit).
      for (let i = 0; i < LIMIT; i++) await from(`203.0.113.${i + 1}`).expect(200);
      await from('203.0.113.99').expect(429);

      await t.close();
      t = await createTestApp({ env: { AI_URL: ai.url('/chat'), RATE_LIMIT: String(LIMIT), TRUST_PROXY: 'loopback' }, worker: false });
      for (let i = 0; i < LIMIT; i++) await from('203.0.113.1').expect(200);
      await from('203.0.113.1').expect(429);
      await from('198.51.100.7').expect(200);
    });

    it('counts requests with a wrong token too, so a token cannot be guessed at full speed', async () => {
      await t.close();
      t = await createTestApp({ env: { AI_URL: ai.url('/chat'), API_TOKEN, RATE_LIMIT: String(LIMIT) }, worker: false });
      for (let i = 0; i < LIMIT; i++)
        await t.http
          .get('/clients')
          .set('Authorization', bearer(`guess-number-${i}-xxxxxxxxxx`))
          .expect(401);
      await t.http.get('/clients').set('Authorization', bearer(API_TOKEN)).expect(429);
    });
  });
});
