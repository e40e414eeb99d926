import { createHash } from 'node:crypto';
import { generateAppKey } from '../../src/security/app-key';
import { CapturedLogs } from '../support/captured-logs';
import { CliResult, runCli } from '../support/cli';
import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { createTestApp, TEST_APP_KEY, TestApp } from '../support/test-app';

const API_TOKEN = 'test-api-token-0123456789abcdef';
const CREDENTIALS_TOKEN = 'test-credentials-token-fedcba9876543210';
const bearer = (token: string) => `Bearer ${token}`;
const REALM = 'Bearer realm="autoseo-credentials"';
const fingerprint = (token: string) => createHash('sha256').update(token).digest('hex').slice(0, 12);
const LOOPBACK = /^(::ffff:127\.0\.0\.1|127\.0\.0\.1|::1)$/;
/** What the reveal of a record created with `body` answers. */
const storedIn = (body: Record<string, unknown>) => ({
  username: body.username,
  password: body.password,
  user_app: body.user_app,
  password_app: body.password_app,
});

/**
 * GET /clients/:id/credentials: the stored logins in clear, only to CREDENTIALS_TOKEN, every attempt audited.
 * Every app and command of this file keeps its log lines here, for the last test: no secret in any of them.
 */
describe('Reading stored credentials back', () => {
  let ai: FakeAiServer;
  const running = new Set<TestApp>();
  const logs: CapturedLogs[] = [];
  const commands: CliResult[] = [];
  const secrets = new Set([API_TOKEN, CREDENTIALS_TOKEN]);

  const start = async (env: Record<string, string>, reset = true): Promise<TestApp> => {
    const app = await createTestApp({ env: { AI_URL: ai.url('/chat'), API_TOKEN, ...env }, worker: false, reset });
    running.add(app);
    logs.push(app.logs);
    return app;
  };
  const stop = async (app: TestApp): Promise<void> => {
    running.delete(app);
    await app.close();
  };
  const cli = async (args: string[], env: Record<string, string>): Promise<CliResult> => {
    const result = await runCli(args, env);
    commands.push(result);
    return result;
  };
  /** Creates a record and remembers its passwords as secrets that must never be logged. */
  const createClient = async (t: TestApp, overrides: Record<string, unknown> = {}) => {
    const body = clientBody(overrides);
    secrets.add(String(body.password));
    secrets.add(String(body.password_app));
    const created = await t.http.post('/clients').set('Authorization', bearer(API_TOKEN)).send(body).expect(201);
    return { id: created.body.id as number, body };
  };
  const reveal = (t: TestApp, id: number, token?: string) => {
    const call = t.http.get(`/clients/${id}/credentials`);
    return token === undefined ? call : call.set('Authorization', bearer(token));
  };
  const auditOf = async (t: TestApp, id: number) =>
    (await t.http.get(`/clients/${id}/credentials/audit`).set('Authorization', bearer(API_TOKEN)).expect(200)).body;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
  });

  afterAll(async () => {
    for (const app of running) await app.close();
    await ai?.close();
  });

  describe('with CREDENTIALS_TOKEN set', () => {
    let t: TestApp;

    beforeAll(async () => {
      // The reveal's own rate limit is tested below; here it would stop the file's reveals from one address.
      t = await start({ CREDENTIALS_TOKEN, CREDENTIALS_RATE_LIMIT: '0' });
    });

    it('answers what was stored to the credentials token, never cached, and the new password after a PATCH', async () => {
      const { id, body } = await createClient(t);
      const first = await reveal(t, id, CREDENTIALS_TOKEN).expect(200);
      expect(first.body).toEqual(storedIn(body));
      expect(first.headers['cache-control']).toBe('no-store');
      expect(first.headers.pragma).toBe('no-cache');

      secrets.add('Pw-after-patch-4d81c2');
      await t.http.patch(`/clients/${id}`).set('Authorization', bearer(API_TOKEN)).send({ password: 'Pw-after-patch-4d81c2' }).expect(200);
      const second = await reveal(t, id, CREDENTIALS_TOKEN).expect(200);
      expect(second.body).toEqual({ ...first.body, password: 'Pw-after-patch-4d81c2' });
    });

    it.each([
      ['the API token', API_TOKEN, 403, `${REALM}, error="insufficient_scope"`, /^The API token cannot reveal/],
      ['a wrong token', `${CREDENTIALS_TOKEN}-wrong`, 401, `${REALM}, error="invalid_token"`, /^Invalid credentials token$/],
      ['no token', undefined, 401, REALM, /^Missing credentials token: send the header Authorization/],
    ])('refuses %s, answers nothing of the record, and audits the refusal', async (_case, token, status, challenge, message) => {
      const { id, body } = await createClient(t);
      const refused = await reveal(t, id, token).expect(status);
      expect(refused.body).toEqual({ statusCode: status, error: expect.any(String), message: expect.stringMatching(message) });
      expect(refused.headers['www-authenticate']).toBe(challenge);
      expect(refused.headers['cache-control']).toBe('no-store');
      expect(JSON.stringify(refused.body)).not.toContain(String(body.password));

      const audit = await auditOf(t, id);
      expect(audit.data).toEqual([
        expect.objectContaining({ client_id: id, allowed: false, token_fingerprint: token === undefined ? null : fingerprint(token) }),
      ]);
    });

    it('lists every attempt in the audit, newest first, with who asked, with which token, and why', async () => {
      const { id } = await createClient(t);
      await reveal(t, id, CREDENTIALS_TOKEN).expect(200);
      await reveal(t, id, API_TOKEN).expect(403);
      await reveal(t, id, 'a-guess-that-is-long-enough').expect(401);
      await reveal(t, id).expect(401);
      await reveal(t, id, CREDENTIALS_TOKEN).expect(200);

      const audit = await auditOf(t, id);
      expect(audit.meta).toEqual({ page: 1, limit: 100, total: 5 });
      const reasons = audit.data.map((entry: { reason: string }) => entry.reason);
      expect(reasons).toEqual(['revealed', 'no_token', 'wrong_token', 'api_token', 'revealed']);
      expect(audit.data.map((entry: { allowed: boolean }) => entry.allowed)).toEqual([true, false, false, false, true]);
      expect(audit.data.map((entry: { token_fingerprint: string | null }) => entry.token_fingerprint)).toEqual([
        fingerprint(CREDENTIALS_TOKEN),
        null,
        fingerprint('a-guess-that-is-long-enough'),
        fingerprint(API_TOKEN),
        fingerprint(CREDENTIALS_TOKEN),
      ]);
      for (const entry of audit.data) {
        expect(entry).toEqual({
          id: expect.any(Number),
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          client_id: id,
          caller: expect.stringMatching(LOOPBACK),
          token_fingerprint: entry.token_fingerprint,
          allowed: entry.allowed,
          reason: entry.reason,
        });
      }
      expect(JSON.stringify(audit)).not.toContain(CREDENTIALS_TOKEN);
      const revealedLine = `^\\[log\\] \\[CredentialsAudit\\] credentials of client ${id} revealed to \\S+ `;
      expect(t.logs.matching(new RegExp(`credentials of client ${id} `))).toEqual([
        expect.stringMatching(new RegExp(`${revealedLine}\\(token ${fingerprint(CREDENTIALS_TOKEN)}\\): revealed$`)),
        expect.stringMatching(/^\[warn\] .* refused to \S+ \(token [0-9a-f]{12}\): api_token$/),
        expect.stringMatching(/^\[warn\] .* refused to \S+ \(token [0-9a-f]{12}\): wrong_token$/),
        expect.stringMatching(/^\[warn\] .* refused to \S+ \(token none\): no_token$/),
        expect.stringMatching(/ revealed to \S+ \(token [0-9a-f]{12}\): revealed$/),
      ]);
    });

    it('keeps the audit behind the API token, which the credentials token does not replace anywhere else', async () => {
      const { id } = await createClient(t);
      await t.http.get(`/clients/${id}/credentials/audit`).expect(401);
      await t.http.get(`/clients/${id}/credentials/audit`).set('Authorization', bearer(CREDENTIALS_TOKEN)).expect(401);
      await t.http.get(`/clients/${id}`).set('Authorization', bearer(CREDENTIALS_TOKEN)).expect(401);
      await t.http.get('/clients').set('Authorization', bearer(CREDENTIALS_TOKEN)).expect(401);
    });

    it('answers 404 for a record that does not exist, only to the credentials token, and audits both', async () => {
      await reveal(t, 987654, 'a-guess-that-is-long-enough').expect(401);
      const missing = await reveal(t, 987654, CREDENTIALS_TOKEN).expect(404);
      expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Client 987654 does not exist' });
      expect((await auditOf(t, 987654)).data.map((entry: { reason: string }) => entry.reason)).toEqual(['not_found', 'wrong_token']);
      await t.http.get('/clients/abc/credentials').set('Authorization', bearer(CREDENTIALS_TOKEN)).expect(400);
    });

    it('reveals to an operator at the machine (clients:credentials), audited with "cli" as the caller', async () => {
      const { id, body } = await createClient(t);
      const shown = await cli(['clients:credentials', String(id)], { ...t.env, CREDENTIALS_TOKEN });
      expect(shown).toExitWith(0);
      expect(shown.stdout).toContain(`password:     ${String(body.password)}\n`);
      expect(shown.stdout).toContain(`password_app: ${String(body.password_app)}\n`);
      const json = await cli(['clients:credentials', String(id), '--json'], { ...t.env, CREDENTIALS_TOKEN });
      expect(JSON.parse(json.stdout)).toEqual(storedIn(body));

      const { CREDENTIALS_TOKEN: _unset, ...withoutToken } = t.env;
      const turnedOff = await cli(['clients:credentials', String(id)], withoutToken);
      expect(turnedOff).toExitWith(1);
      expect(turnedOff.stderr).toContain('Revealing stored credentials is turned off: the service has no CREDENTIALS_TOKEN');
      expect(turnedOff.stdout).not.toContain(String(body.password));
      expect(await cli(['clients:credentials', '987655'], { ...t.env, CREDENTIALS_TOKEN })).toExitWith(1);
      expect(await cli(['clients:credentials', 'abc'], { ...t.env, CREDENTIALS_TOKEN })).toExitWith(2);

      const audit = await auditOf(t, id);
      expect(audit.data).toEqual([
        expect.objectContaining({ caller: 'cli', token_fingerprint: null, allowed: false, reason: 'disabled' }),
        expect.objectContaining({ caller: 'cli', token_fingerprint: null, allowed: true, reason: 'revealed' }),
        expect.objectContaining({ caller: 'cli', token_fingerprint: null, allowed: true, reason: 'revealed' }),
      ]);

      const listed = await cli(['clients:credentials-audit', String(id), '--json'], t.env);
      expect(listed).toExitWith(0);
      expect(JSON.parse(listed.stdout)).toEqual(audit.data);
      const table = await cli(['clients:credentials-audit'], t.env);
      expect(table).toExitWith(0);
      expect(table.stdout).toMatch(new RegExp(`^\\S+\\s+987655\\s+cli\\s+-\\s+no\\s+not_found$`, 'm'));
      expect(table.stdout).toMatch(new RegExp(`^\\S+\\s+${id}\\s+cli\\s+-\\s+yes\\s+revealed$`, 'm'));
    });
  });

  describe('rate limit', () => {
    it('allows fewer reveals than other requests, refused ones included, and answers 429 with Retry-After', async () => {
      const t = await start({ CREDENTIALS_TOKEN, RATE_LIMIT: '100', CREDENTIALS_RATE_LIMIT: '3' });
      const { id } = await createClient(t);
      await reveal(t, id, 'a-guess-that-is-long-enough').expect(401);
      const allowed = await reveal(t, id, CREDENTIALS_TOKEN).expect(200);
      expect(allowed.headers['x-ratelimit-limit-credentials']).toBe('3');
      await reveal(t, id, CREDENTIALS_TOKEN).expect(200);

      const limited = await reveal(t, id, CREDENTIALS_TOKEN).expect(429);
      expect(limited.body).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: expect.stringMatching(/^Too many credential reveals: at most 3 per 60 s from one client; retry in \d+ s$/),
      });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.headers['cache-control']).toBe('no-store');
      await t.http.get(`/clients/${id}`).set('Authorization', bearer(API_TOKEN)).expect(200);
      // A throttled request never reached the check, so the audit has the three that did.
      expect((await auditOf(t, id)).meta.total).toBe(3);
    });

    it('records the address a trusted proxy forwarded (TRUST_PROXY), like the rate limit counts it', async () => {
      const t = await start({ CREDENTIALS_TOKEN, TRUST_PROXY: 'loopback' });
      const { id } = await createClient(t);
      await reveal(t, id, CREDENTIALS_TOKEN).set('X-Forwarded-For', '203.0.113.9').expect(200);
      expect((await auditOf(t, id)).data).toEqual([expect.objectContaining({ caller: '203.0.113.9', allowed: true })]);
    });
  });

  describe('without CREDENTIALS_TOKEN', () => {
    it('answers 404 whatever the token, and audits each attempt', async () => {
      const t = await start({});
      const { id, body } = await createClient(t);
      for (const token of [API_TOKEN, CREDENTIALS_TOKEN, undefined]) {
        const refused = await reveal(t, id, token).expect(404);
        expect(refused.body.message).toBe('Revealing stored credentials is turned off: the service has no CREDENTIALS_TOKEN');
        expect(JSON.stringify(refused.body)).not.toContain(String(body.password));
      }
      const audit = await auditOf(t, id);
      expect(audit.data.map((entry: { reason: string; allowed: boolean }) => [entry.reason, entry.allowed])).toEqual([
        ['disabled', false],
        ['disabled', false],
        ['disabled', false],
      ]);
    });
  });

  describe('APP_KEY rotation', () => {
    it('still reveals after key:rotate, and answers 409 naming the rotation for a record sealed with a key not configured', async () => {
      const before = await start({ CREDENTIALS_TOKEN });
      const { id, body } = await createClient(before);
      await stop(before);

      const newKey = generateAppKey();
      const rotated = await cli(['key:rotate'], { ...before.env, APP_KEY: newKey, APP_PREVIOUS_KEYS: TEST_APP_KEY });
      expect(rotated).toExitWith(0);
      const after = await start({ DATABASE_URL: before.env.DATABASE_URL, CREDENTIALS_TOKEN, APP_KEY: newKey }, false);
      expect((await reveal(after, id, CREDENTIALS_TOKEN).expect(200)).body).toEqual(storedIn(body));
      await stop(after);

      const lost = await start({ DATABASE_URL: before.env.DATABASE_URL, CREDENTIALS_TOKEN, APP_KEY: generateAppKey() }, false);
      const unreadable = await reveal(lost, id, CREDENTIALS_TOKEN).expect(409);
      expect(unreadable.body).toEqual({
        statusCode: 409,
        error: 'Conflict',
        message: expect.stringMatching(/^The credentials of client \d+ cannot be decrypted \(sealed with key [0-9a-f]{8}, which is not /),
      });
      expect(unreadable.body.message).toContain('APP_PREVIOUS_KEYS and run key:rotate');
      expect(JSON.stringify(unreadable.body)).not.toContain(String(body.password));
      expect((await auditOf(lost, id)).data.map((entry: { reason: string }) => entry.reason)).toEqual(['unreadable', 'revealed']);
      expect(lost.logs.matching(/\[error\]/)).toEqual([]);
    });
  });

  it('never writes a password or a token in a log line of any app or command of this file', () => {
    const text = [...logs.map((captured) => captured.text()), ...commands.map((result) => result.stderr)].join('\n');
    expect(text).toContain('credentials of client');
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
