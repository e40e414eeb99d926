import { Response } from 'supertest';
import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { closedPort } from '../support/ports';
import { createTestApp, TestApp } from '../support/test-app';

const API_TOKEN = 'test-api-token-0123456789abcdef';
const AUTHORIZATION = `Bearer ${API_TOKEN}`;
const ADMIN = 'https://admin.example.com';
const LOCAL_FRONT_END = 'http://127.0.0.1:5173';
const STRANGER = 'https://evil.example.net';
const EXPOSED = 'X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After, X-Request-Id';

const corsHeaders = (response: Response) => Object.keys(response.headers).filter((name) => name.startsWith('access-control-'));

/** What a browser needs to read an answer from `origin`. */
const expectReadableBy = (response: Response, origin: string) => {
  expect(response.headers['access-control-allow-origin']).toBe(origin);
  expect(response.headers['access-control-expose-headers']).toBe(EXPOSED);
  expect(response.headers.vary).toMatch(/\bOrigin\b/);
};

describe('CORS', () => {
  let ai: FakeAiServer;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
  });

  afterAll(async () => {
    await ai?.close();
  });

  describe('with CORS_ORIGINS and API_TOKEN set', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({
        env: { AI_URL: ai.url('/chat'), API_TOKEN, CORS_ORIGINS: `${ADMIN}, ${LOCAL_FRONT_END}`, RATE_LIMIT: '1000' },
      });
    });

    afterAll(async () => {
      await t?.close();
    });

    const preflight = (path: string, origin: string, method = 'POST') =>
      t.http
        .options(path)
        .set('Origin', origin)
        .set('Access-Control-Request-Method', method)
        .set('Access-Control-Request-Headers', 'authorization,content-type');

    it.each([
      ['POST', '/clients'],
      ['PATCH', '/clients/1'],
      ['DELETE', '/clients/1'],
      ['GET', '/clients'],
    ])('answers the preflight of %s %s from an allowed origin with what the API uses, cached', async (method, path) => {
      const response = await preflight(path, ADMIN, method).expect(204);
      expect(response.headers['access-control-allow-origin']).toBe(ADMIN);
      expect(response.headers['access-control-allow-methods']).toBe('GET, HEAD, POST, PATCH, DELETE');
      expect(response.headers['access-control-allow-headers']).toBe('Authorization, Content-Type, X-Request-Id');
      expect(response.headers['access-control-max-age']).toBe('7200');
      expect(response.headers['access-control-allow-credentials']).toBeUndefined();
      expect(response.headers.vary).toMatch(/\bOrigin\b/);
    });

    it('names each allowed origin back, never "*"', async () => {
      const local = await preflight('/clients', LOCAL_FRONT_END).expect(204);
      expect(local.headers['access-control-allow-origin']).toBe(LOCAL_FRONT_END);
      const listed = await t.http.get('/clients').set('Origin', ADMIN).set('Authorization', AUTHORIZATION).expect(200);
      expect(listed.headers['access-control-allow-origin']).toBe(ADMIN);
    });

    it('refuses the preflight of an origin not on the list with a 403 and no CORS header, before any route', async () => {
      const before = await t.count();
      const response = await preflight('/clients', STRANGER).expect(403);
      expect(corsHeaders(response)).toEqual([]);
      expect(response.body).toEqual({
        statusCode: 403,
        error: 'Forbidden',
        message: `Origin ${STRANGER} may not call this API from a browser: it is not in CORS_ORIGINS`,
      });
      expect(await t.count()).toBe(before);
    });

    it.each([
      ['another port', 'https://admin.example.com:8443'],
      ['another scheme', 'http://admin.example.com'],
      ['a subdomain', 'https://x.admin.example.com'],
      ['a longer name', 'https://admin.example.com.evil.example.net'],
      ['"null" (a sandboxed page or a file)', 'null'],
    ])('matches origins exactly: %s is refused', async (_case, origin) => {
      const response = await preflight('/clients', origin).expect(403);
      expect(corsHeaders(response)).toEqual([]);
    });

    it('creates and reads a client for an allowed origin, with the headers the front end reads exposed', async () => {
      const created = await t.http.post('/clients').set('Origin', ADMIN).set('Authorization', AUTHORIZATION).send(clientBody()).expect(201);
      expectReadableBy(created, ADMIN);
      expect(Number(created.headers['x-ratelimit-remaining'])).toBeGreaterThan(0);
      const read = await t.http.get(`/clients/${created.body.id}`).set('Origin', ADMIN).set('Authorization', AUTHORIZATION).expect(200);
      expectReadableBy(read, ADMIN);
      expect(read.body.client_name).toBe(created.body.client_name);
    });

    it("answers a refused origin's request as usual but without CORS headers, so its page cannot read it", async () => {
      const response = await t.http.get('/clients').set('Origin', STRANGER).set('Authorization', AUTHORIZATION).expect(200);
      expect(corsHeaders(response)).toEqual([]);
      expect(response.headers.vary).toMatch(/\bOrigin\b/);
    });

    it('sends no CORS headers to a request without Origin (curl, another server)', async () => {
      const response = await t.http.get('/clients').set('Authorization', AUTHORIZATION).expect(200);
      expect(corsHeaders(response)).toEqual([]);
    });

    describe('errors carry the CORS headers, so the front end reads them instead of a network error', () => {
      it('401 without a token', async () => {
        const response = await t.http.get('/clients').set('Origin', ADMIN).expect(401);
        expectReadableBy(response, ADMIN);
        expect(response.body).toMatchObject({ statusCode: 401, message: expect.stringContaining('Authorization: Bearer') });
      });

      it('400 for an invalid body', async () => {
        const response = await t.http
          .post('/clients')
          .set('Origin', ADMIN)
          .set('Authorization', AUTHORIZATION)
          .send(clientBody({ client_email: 'not an email' }))
          .expect(400);
        expectReadableBy(response, ADMIN);
      });

      it('400 for malformed JSON', async () => {
        const response = await t.http
          .post('/clients')
          .set('Origin', ADMIN)
          .set('Authorization', AUTHORIZATION)
          .set('Content-Type', 'application/json')
          .send('{"client_name":')
          .expect(400);
        expectReadableBy(response, ADMIN);
      });

      it('413 for a body over 64 KiB', async () => {
        const response = await t.http
          .post('/clients')
          .set('Origin', ADMIN)
          .set('Authorization', AUTHORIZATION)
          .send(clientBody({ company_context: 'x'.repeat(65 * 1024) }))
          .expect(413);
        expectReadableBy(response, ADMIN);
      });

      it('415 for a charset other than UTF-8', async () => {
        const response = await t.http
          .post('/clients')
          .set('Origin', ADMIN)
          .set('Authorization', AUTHORIZATION)
          .set('Content-Type', 'application/json; charset=latin1')
          .send('{}')
          .expect(415);
        expectReadableBy(response, ADMIN);
      });

      it('404 for a client that does not exist', async () => {
        const response = await t.http.get('/clients/999999').set('Origin', ADMIN).set('Authorization', AUTHORIZATION).expect(404);
        expectReadableBy(response, ADMIN);
      });
    });
  });

  describe('with a tight rate limit and the AI down', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({
        env: { AI_URL: `http://127.0.0.1:${await closedPort()}/chat`, API_TOKEN, CORS_ORIGINS: ADMIN, RATE_LIMIT: '1' },
        worker: false,
      });
    });

    afterAll(async () => {
      await t?.close();
    });

    it('429 carries them, and the front end may read Retry-After; preflights are still answered', async () => {
      await t.http.get('/clients').set('Origin', ADMIN).set('Authorization', AUTHORIZATION).expect(200);
      const response = await t.http.get('/clients').set('Origin', ADMIN).set('Authorization', AUTHORIZATION).expect(429);
      expectReadableBy(response, ADMIN);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      // The browser sends preflights by itself: they are answered before the limit, spent or not.
      await t.http.options('/clients').set('Origin', ADMIN).set('Access-Control-Request-Method', 'GET').expect(204);
    });

    it('503 from /health carries them', async () => {
      // With the token, so that the answer names what is down (without it, /health says only its status).
      const response = await t.http.get('/health').set('Origin', ADMIN).set('Authorization', AUTHORIZATION).expect(503);
      expectReadableBy(response, ADMIN);
      expect(response.body.error.ai).toMatchObject({ status: 'down' });
    });
  });

  describe('with CORS_ORIGINS=* and no API_TOKEN (local development)', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { AI_URL: ai.url('/chat'), CORS_ORIGINS: '*' }, worker: false });
    });

    afterAll(async () => {
      await t?.close();
    });

    it('names any origin back rather than sending "*"', async () => {
      const response = await t.http.get('/clients').set('Origin', STRANGER).expect(200);
      expectReadableBy(response, STRANGER);
      const preflight = await t.http.options('/clients').set('Origin', LOCAL_FRONT_END).set('Access-Control-Request-Method', 'POST');
      expect(preflight.status).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(LOCAL_FRONT_END);
    });
  });

  describe('without CORS_ORIGINS', () => {
    let t: TestApp;

    beforeAll(async () => {
      t = await createTestApp({ env: { AI_URL: ai.url('/chat') }, worker: false });
    });

    afterAll(async () => {
      await t?.close();
    });

    it('sends no CORS header at all, to requests or preflights', async () => {
      const response = await t.http.get('/clients').set('Origin', ADMIN).expect(200);
      expect(corsHeaders(response)).toEqual([]);
      const preflight = await t.http.options('/clients').set('Origin', ADMIN).set('Access-Control-Request-Method', 'POST');
      expect(corsHeaders(preflight)).toEqual([]);
    });
  });
});
