import { FakeAiServer } from '../support/fake-ai-server';
import { clientBody, companyContext } from '../support/clients';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const AI_API_KEY = 'test-ai-key-never-logged';

describe('Company context processing', () => {
  let ai: FakeAiServer;
  let t: TestApp;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    t = await createTestApp({ env: { AI_URL: ai.url('/chat'), AI_API_KEY, AI_TIMEOUT_MS: '8000' } });
  });

  afterAll(async () => {
    await t?.close();
    await ai?.close();
  });

  beforeEach(() => ai.reset());

  const create = async (overrides = {}) => (await t.http.post('/clients').send(clientBody(overrides)).expect(201)).body;
  const get = async (id: number) => (await t.http.get(`/clients/${id}`).expect(200)).body;
  const settled = (id: number, status = 'processed') =>
    waitFor(`client ${id} to be ${status}`, async () => {
      const record = await get(id);
      return record.context_status === status ? record : undefined;
    });
  const errorsAbout = (id: number) => t.logs.matching(new RegExp(`^\\[(error|warn)\\].*client ${id} `));
  const callsFor = (original: string) => ai.requests.filter((request) => JSON.stringify(request.body).includes(original.slice(0, 60)));

  it('answers POST at once while the AI is still busy for seconds', async () => {
    ai.respondWith({ delayMs: 3_000 });
    const first = await create();
    await ai.waitForInFlight(1);

    const second = await t.http.post('/clients').send(clientBody()).expect(201);

    expect(ai.inFlight).toBe(1);
    expect(second.body.context_status).toBe('pending');
    expect((await get(first.id)).context_status).toBe('processing');
    await settled(first.id);
    await settled(second.body.id);
  });

  it('ends processed with the AI text and keeps the original', async () => {
    const record = await create();
    const done = await settled(record.id);

    expect(done.company_context).toBe(FakeAiServer.expectedTextFor(record.company_context_original));
    expect(done.company_context).not.toBe(record.company_context);
    expect(done.company_context_original).toBe(record.company_context);
    expect(done).toMatchObject({ context_attempts: 1, context_error: null });
    expect(new Date(done.context_processed_at).toISOString()).toBe(done.context_processed_at);
    expect(callsFor(record.company_context)).toHaveLength(1);
  });

  it('sends the chat protocol request with the model, the original and the key', async () => {
    const record = await create();
    await settled(record.id);
    const [call] = callsFor(record.company_context);
    expect(call.path).toBe('/chat');
    expect(call.headers['x-api-key']).toBe(AI_API_KEY);
    expect(call.body).toMatchObject({ modelo: 'gpt-oss', stream: false, temperature: 0.3 });
    expect(call.body.prompt).toContain(record.company_context);
  });

  it('keeps only the final text of a reasoning-wrapped answer', async () => {
    const final = 'Muebles Ejemplo S.L. es un fabricante valenciano de muebles de madera maciza con tienda propia.';
    ai.respondWith({ text: `<think>The user wants a rewrite. Let me be factual.</think>\nAquí está el texto procesado:\n\n${final}` });
    const record = await create();
    expect((await settled(record.id)).company_context).toBe(final);
  });

  it('retries a failed attempt and then processes', async () => {
    ai.respondOnce({ status: 503 });
    const record = await create();
    const done = await settled(record.id);
    expect(done).toMatchObject({ context_attempts: 2, context_error: null });
    expect(done.company_context).toBe(FakeAiServer.expectedTextFor(record.company_context));
  });

  it('keeps the original text when the AI fails every attempt', async () => {
    ai.failWith(500);
    const record = await create();
    const failed = await settled(record.id, 'failed');

    expect(failed.context_attempts).toBe(t.config.queue.tries);
    expect(failed.company_context).toBe(record.company_context);
    expect(failed.company_context_original).toBe(record.company_context);
    expect(failed.context_error).toMatch(/HTTP 500/);
    expect(failed.context_processed_at).toBeNull();
    expect(callsFor(record.company_context)).toHaveLength(t.config.queue.tries);
    // The line follows the write that the read above saw, on another database connection: wait for it.
    const failedForGood = new RegExp(`client ${record.id} v1: failed for good after 3 attempt`);
    await waitFor('the final failure to be logged', () => t.logs.matching(failedForGood).length > 0);
    expect(t.logs.matching(failedForGood)).toHaveLength(1);
  });

  it('processes a failed record again on reprocess', async () => {
    ai.failWith(500);
    const record = await create();
    await settled(record.id, 'failed');
    ai.reset();
    await t.http.post(`/clients/${record.id}/context/reprocess`).expect(202);
    const done = await settled(record.id);
    expect(done).toMatchObject({ context_attempts: 1, context_error: null });
  });

  it('ends a PATCH during processing with the latest original processed, never a stale overwrite', async () => {
    ai.respondOnce({ delayMs: 1_500 });
    const record = await create();
    await ai.waitForInFlight(1);
    const latest = companyContext('Texto corregido', 500);

    await t.http.patch(`/clients/${record.id}`).send({ company_context: latest }).expect(200);

    const done = await settled(record.id);
    await waitFor('the stale AI call to end', () => ai.inFlight === 0);
    const final = await get(record.id);
    expect(final.company_context).toBe(FakeAiServer.expectedTextFor(latest));
    expect(final.company_context_original).toBe(latest);
    expect(done.company_context).toBe(final.company_context);
    expect(callsFor(record.company_context)).toHaveLength(1);
    expect(t.logs.matching(new RegExp(`client ${record.id} v1: result discarded`))).toHaveLength(1);
  });

  it('ends the job without error when the record is deleted during processing', async () => {
    ai.respondOnce({ delayMs: 1_000 });
    const record = await create();
    await ai.waitForInFlight(1);

    await t.http.delete(`/clients/${record.id}`).expect(204);

    await waitFor(
      'the deleted record’s job to end',
      () => t.logs.matching(new RegExp(`client ${record.id} v1: result discarded`)).length === 1,
    );
    expect(errorsAbout(record.id)).toEqual([]);
    const next = await create();
    await settled(next.id);
  });

  it('ends quietly the queued job of a record deleted before its turn', async () => {
    ai.respondOnce({ delayMs: 1_000 });
    const busy = await create();
    await ai.waitForInFlight(1);
    const doomed = await create();
    await t.http.delete(`/clients/${doomed.id}`).expect(204);

    await settled(busy.id);
    const after = await create();
    await settled(after.id);
    expect(callsFor(doomed.company_context)).toHaveLength(0);
    expect(errorsAbout(doomed.id)).toEqual([]);
  });

  it('logs each step without secrets or the text itself', async () => {
    ai.respondOnce({ status: 502 });
    const body = clientBody();
    const record = (await t.http.post('/clients').send(body).expect(201)).body;
    await settled(record.id);

    const mine = t.logs.matching(new RegExp(`client ${record.id} v1`)).join('\n');
    expect(mine).toMatch(/dispatched/);
    expect(mine).toMatch(new RegExp(`processing, attempt 1 of 3, original ${record.company_context.length} chars`));
    expect(mine).toMatch(/attempt 1 of 3 failed: AI answered HTTP 502; next try in \d+ ms/);
    expect(mine).toMatch(/processed, \d+ chars/);

    const everything = t.logs.text();
    for (const secret of [body.password, body.password_app, AI_API_KEY, t.config.security.appKey!]) {
      expect(everything).not.toContain(secret);
    }
    expect(everything).not.toContain(String(body.company_context).slice(0, 60));
    expect(everything).not.toContain(FakeAiServer.expectedTextFor(String(body.company_context)).slice(0, 60));
  });
});

describe('Company context processing with a slow AI', () => {
  let ai: FakeAiServer;
  let t: TestApp;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    t = await createTestApp({ env: { AI_URL: ai.url('/chat'), AI_TIMEOUT_MS: '500', JOB_TIMEOUT_MS: '5000' } });
  });

  afterAll(async () => {
    await t?.close();
    await ai?.close();
  });

  it('fails an attempt that outlasts AI_TIMEOUT_MS, cancels the call, and succeeds on the retry', async () => {
    ai.respondOnce({ delayMs: 3_000 });
    const record = (await t.http.post('/clients').send(clientBody()).expect(201)).body;

    const done = await waitFor('the record to be processed', async () => {
      const current = (await t.http.get(`/clients/${record.id}`)).body;
      return current.context_status === 'processed' ? current : undefined;
    });

    expect(done.context_attempts).toBe(2);
    expect(t.logs.matching(new RegExp(`client ${record.id} v1: attempt 1 of 3 failed: AI call timed out after 500 ms`))).toHaveLength(1);
    // The timed-out call was aborted, not left running.
    expect(ai.inFlight).toBe(0);
  });
});
