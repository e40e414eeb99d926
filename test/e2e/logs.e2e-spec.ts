import { API_ENTRY, CliProcess, runCli } from '../support/cli';
import { clientBody } from '../support/clients';
import { LogEntry } from '../support/captured-logs';
import { FakeAiServer } from '../support/fake-ai-server';
import { closedPort } from '../support/ports';
import { currentStack } from '../support/stack';
import { createTestApp, TEST_APP_KEY, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const AI_API_KEY = 'ai-key-that-must-never-be-logged-5f3a';
const API_TOKEN = 'api-token-that-must-never-be-logged-9c1e';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const requestLines = (entries: LogEntry[], requestId: string) =>
  entries.filter((entry) => entry.context === 'HTTP' && entry.requestId === requestId);

describe('Structured logs', () => {
  let ai: FakeAiServer;
  let t: TestApp;
  const auth = `Bearer ${API_TOKEN}`;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    t = await createTestApp({ env: { AI_URL: ai.url('/chat'), AI_API_KEY, API_TOKEN } });
  });

  afterAll(async () => {
    await t?.close();
    await ai?.close();
  });

  beforeEach(() => ai.reset());

  // A request's line is written as its response ends, a job's line after the write the test reads: wait for them.
  const requestLine = (requestId: string) =>
    waitFor(
      `the line of request ${requestId}`,
      () => requestLines(t.logs.entries, requestId).length > 0 && requestLines(t.logs.entries, requestId),
    );
  const loggedLine = (pattern: RegExp) => waitFor(`a line ${pattern}`, () => t.logs.entries.some((entry) => pattern.test(entry.msg ?? '')));

  const processed = (id: number) =>
    waitFor(
      `client ${id} to be processed`,
      async () => (await t.http.get(`/clients/${id}`).set('Authorization', auth)).body.context_status === 'processed',
    );

  it('writes one line per request with its id, route template, status and duration, and the job fields on every job line', async () => {
    ai.respondOnce({ status: 502 });
    const created = await t.http
      .post('/clients')
      .set('Authorization', auth)
      .set('X-Request-Id', 'create-run-1')
      .send(clientBody())
      .expect(201);
    expect(created.headers['x-request-id']).toBe('create-run-1');
    const id: number = created.body.id;
    await processed(id);
    await loggedLine(new RegExp(`^client ${id} v1: processed`));
    await t.http.get(`/clients/${id}`).set('Authorization', auth).set('X-Request-Id', 'read-run-1').expect(200);

    expect(await requestLine('create-run-1')).toEqual([
      expect.objectContaining({
        level: 'info',
        method: 'POST',
        route: '/clients',
        path: '/clients',
        status: 201,
        durationMs: expect.any(Number),
      }),
    ]);
    expect(await requestLine('read-run-1')).toEqual([
      expect.objectContaining({
        method: 'GET',
        route: '/clients/:id',
        path: `/clients/${id}`,
        status: 200,
        durationMs: expect.any(Number),
      }),
    ]);

    const jobLines = t.logs.entries.filter((entry) => entry.msg?.startsWith(`client ${id} v1:`));
    const job = { clientId: id, version: 1, jobId: `client-${id}-v1`, driver: currentStack().queue };
    for (const line of jobLines) expect(line).toMatchObject({ ...job, attempt: line.attempt === null ? null : expect.any(Number) });
    const step = (pattern: RegExp) => jobLines.filter((line) => pattern.test(line.msg!));
    // Queued while the request ran: the line carries the request's id too.
    expect(step(/dispatched as/)).toEqual([expect.objectContaining({ ...job, attempt: null, requestId: 'create-run-1' })]);
    expect(step(/processing, attempt 1 of 3/)).toEqual([expect.objectContaining({ ...job, attempt: 1 })]);
    expect(step(/attempt 1 of 3 failed: AI answered HTTP 502/)).toEqual([expect.objectContaining({ ...job, attempt: 1, level: 'warn' })]);
    expect(step(/processing, attempt 2 of 3/)).toEqual([expect.objectContaining({ ...job, attempt: 2 })]);
    expect(step(/: processed, \d+ chars/)).toEqual([expect.objectContaining({ ...job, attempt: 2, level: 'info' })]);
  });

  it.each([
    ['none', undefined],
    ['one with spaces and quotes', 'id with "spaces"'],
    ['one longer than 128 characters', 'x'.repeat(129)],
    ['one with characters outside the safe set', 'abc%0Adef'],
  ])('generates a request id when the caller sends %s, and returns it', async (_case, given) => {
    const call = t.http.get('/health/live');
    const response = await (given === undefined ? call : call.set('X-Request-Id', given)).expect(200);
    const id = response.headers['x-request-id'];
    expect(id).toMatch(UUID);
    expect(await requestLine(id)).toEqual([expect.objectContaining({ method: 'GET', route: '/health/live', status: 200 })]);
  });

  it('keeps a well-formed request id from the caller, also on refused requests', async () => {
    const given = 'Trace-01.abc_DEF:42/7+x=';
    const refused = await t.http.get('/clients').set('X-Request-Id', given).expect(401);
    expect(refused.headers['x-request-id']).toBe(given);
    const missing = await t.http.get('/no-such-route').set('X-Request-Id', `${given}-2`).expect(404);
    expect(missing.headers['x-request-id']).toBe(`${given}-2`);

    expect(await requestLine(given)).toEqual([expect.objectContaining({ route: '/clients', status: 401 })]);
    expect(await requestLine(`${given}-2`)).toEqual([expect.objectContaining({ route: null, path: '/no-such-route', status: 404 })]);
  });

  it('shows no AI key, token, APP_KEY, client password or company text in any line of a run', async () => {
    const body = clientBody();
    const newPasswords = { password: 'Changed-password-7d1f', password_app: 'Changed-app-password-2b8c' };
    ai.respondOnce({ status: 500 });
    const id: number = (await t.http.post('/clients').set('Authorization', auth).send(body).expect(201)).body.id;
    await processed(id);
    await t.http.patch(`/clients/${id}`).set('Authorization', auth).send(newPasswords).expect(200);
    // Rejected requests that carry secrets: a wrong field beside a password, a wrong token.
    await t.http
      .patch(`/clients/${id}`)
      .set('Authorization', auth)
      .send({ ...newPasswords, client_email: 'not-an-email' })
      .expect(400);
    await t.http.get('/clients').set('Authorization', `Bearer ${API_TOKEN}-wrong`).expect(401);
    const reprocessed = (await t.http.post(`/clients/${id}/context/reprocess`).set('Authorization', auth).expect(202)).body;
    await waitFor('the reprocessing to end', async () => {
      const current = (await t.http.get(`/clients/${id}`).set('Authorization', auth)).body;
      return current.context_version === reprocessed.context_version && current.context_status === 'processed';
    });
    await t.http.get('/health').set('Authorization', auth).expect(200);

    const original = String(body.company_context);
    const secrets = [AI_API_KEY, API_TOKEN, TEST_APP_KEY, String(body.password), String(body.password_app), ...Object.values(newPasswords)];
    const everyLine = t.logs.raw;
    expect(everyLine.length).toBeGreaterThan(10);
    for (const line of everyLine) {
      for (const secret of secrets) expect(line).not.toContain(secret);
      expect(line).not.toContain(original.slice(0, 60));
      expect(line).not.toContain(FakeAiServer.expectedTextFor(original).slice(0, 60));
    }
  });
});

describe('LOG_FORMAT=json in a real process', () => {
  let ai: FakeAiServer;
  let stores: TestApp;
  let api: CliProcess | undefined;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    // Only to empty the stores and share their settings; the API under test is the process below.
    stores = await createTestApp({ worker: false });
  });

  afterAll(async () => {
    await api?.dispose();
    await stores?.close();
    await ai?.close();
  });

  const jsonLines = (output: string) =>
    output
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => {
        const parsed: unknown = JSON.parse(line);
        expect(parsed).toEqual(expect.objectContaining({ level: expect.any(String), time: expect.any(String), msg: expect.any(String) }));
        return parsed as LogEntry;
      });

  it('the API writes one JSON object per line on stdout: start-up, each request, each job', async () => {
    const port = await closedPort();
    api = new CliProcess(
      [],
      { ...stores.env, AI_URL: ai.url('/chat'), PORT: String(port), LOG_FORMAT: 'json', LOG_LEVEL: 'info' },
      API_ENTRY,
    );
    await api.waitForOutput(/listening on port/);
    const base = `http://127.0.0.1:${port}`;
    const created = await fetch(`${base}/clients`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'process-run-1' },
      body: JSON.stringify(clientBody()),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    await waitFor('the job to be processed', () => api!.stdout.includes(`client ${id} v1: processed`));
    api.kill('SIGTERM');
    const result = await api.exited;

    // Nest closes the application, then lets the signal end the process as it would have.
    expect(result.code === 0 || result.signal === 'SIGTERM').toBe(true);
    expect(result.stderr).toBe('');
    const entries = jsonLines(result.stdout);
    expect(entries.filter((entry) => entry.requestId === 'process-run-1' && entry.context === 'HTTP')).toEqual([
      expect.objectContaining({ method: 'POST', route: '/clients', status: 201, durationMs: expect.any(Number) }),
    ]);
    expect(entries.filter((entry) => entry.msg?.startsWith(`client ${id} v1: processed`))).toEqual([
      expect.objectContaining({ clientId: id, version: 1, attempt: 1, jobId: `client-${id}-v1`, driver: currentStack().queue }),
    ]);
  });

  it('a command keeps its own output on stdout and writes its JSON log lines on stderr', async () => {
    const result = await runCli(['migration:run'], { ...stores.env, LOG_FORMAT: 'json' });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Nothing to migrate');
    expect(() => JSON.parse(result.stdout.split('\n')[0])).toThrow();
    expect(jsonLines(result.stderr).length).toBeGreaterThan(0);
  });
});
