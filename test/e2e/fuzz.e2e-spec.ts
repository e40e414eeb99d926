import { randomInt } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { Test } from 'supertest';
import { FakeAiServer } from '../support/fake-ai-server';
import { clientBody, JOB_COLUMNS } from '../support/clients';
import { describeRequest, FuzzRequest, fuzzRequest, Random } from '../support/fuzz';
import { createTestApp, TestApp } from '../support/test-app';

// The seed is fixed, so every run (CI's too) sends the same requests and a failure repeats; its number is in the
// test's title. FUZZ_SEED=<n> runs another seed, FUZZ_SEED=random a new one each run; FUZZ_REQUESTS=<n> makes it
// longer; FUZZ_TRACE=1 prints each request before it is sent.
const FIXED_SEED = 20261203;
const SEED = process.env.FUZZ_SEED === 'random' ? randomInt(2 ** 31) : Number(process.env.FUZZ_SEED ?? FIXED_SEED);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 1_200);

// What a client of the API sets, compared between what was answered and what reads back.
const USER_FIELDS = [
  'client_name',
  'client_email',
  'url',
  'username',
  'user_app',
  'CompanyName',
  'AddressLine1',
  'Locality',
  'AdminDistrict',
  'PostalCode',
  'CountryRegion',
  'company_context_original',
];

describe(`Fuzzing every route (FUZZ_SEED=${SEED})`, () => {
  let ai: FakeAiServer;
  let t: TestApp;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    t = await createTestApp({ env: { AI_URL: ai.url('/chat') } });
  });

  afterAll(async () => {
    await t?.close();
    await ai?.close();
  });

  const send = (request: FuzzRequest): Test => {
    // A request that hangs is a finding too, not a stuck suite.
    let test = t.http[request.method.toLowerCase() as 'get'](request.path).timeout(5_000);
    for (const [name, value] of Object.entries(request.headers ?? {})) test = test.set(name, value);
    // superagent would send a Buffer with a JSON type as {"type":"Buffer",...}: the identity serializer keeps its bytes.
    if (request.body !== undefined)
      test = test
        .set('Content-Type', request.contentType ?? 'application/octet-stream')
        .serialize((body) => body)
        .send(request.body);
    return test;
  };

  const storedFields = async (id: number) => {
    const row = await t.row(id);
    if (!row) return undefined;
    return Object.fromEntries(Object.entries(row).filter(([column]) => !JOB_COLUMNS.includes(column)));
  };

  /** What is wrong with one answer, if anything. */
  const problemsOf = (request: FuzzRequest, status: number, body: unknown, contentType: string | undefined): string[] => {
    const problems: string[] = [];
    // The database, the queue and the fake AI are all up, so even /health has no reason for a 503.
    if (status >= 500) problems.push(`answered ${status}`);
    if (status >= 400) {
      const error = body as { statusCode?: unknown; error?: unknown; message?: unknown };
      const messageOk =
        typeof error?.message === 'string' || (Array.isArray(error?.message) && error.message.every((line) => typeof line === 'string'));
      if (!contentType?.startsWith('application/json') || error?.statusCode !== status || typeof error?.error !== 'string' || !messageOk) {
        problems.push(`error body is not { statusCode, error, message }: ${contentType} ${JSON.stringify(body).slice(0, 200)}`);
      }
    }
    if (/"password(_app)?"\s*:/.test(JSON.stringify(body ?? null))) problems.push('a password field in the answer');
    return problems;
  };

  describe('inputs that once answered 500', () => {
    it.each([
      ['a Content-Encoding it does not know', { 'Content-Encoding': 'compress' }, '{}', 415, /Content-Encoding/],
      ['a gzip body that is not gzip', { 'Content-Encoding': 'gzip' }, '{}', 400, /Content-Encoding/],
      ['a charset other than UTF-8', { 'Content-Type': 'application/json; charset=latin1' }, '{}', 415, /UTF-8/],
      ['a charset that does not exist', { 'Content-Type': 'application/json; charset=nope' }, '{}', 415, /UTF-8/],
      [
        'JSON nested 10,000 levels deep',
        {},
        `{"client_name":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`,
        400,
        /client_name is nested more than 16 levels deep/,
      ],
      ['an array nested 30,000 levels deep', {}, `${'['.repeat(30_000)}${']'.repeat(30_000)}`, 400, /nested more than 16 levels deep/],
      [
        'an email with a lone surrogate',
        {},
        JSON.stringify(clientBody({ client_email: '\udfff\ud800@example.com' })),
        400,
        /client_email must be well-formed Unicode/,
      ],
      [
        'a name with a lone surrogate',
        {},
        JSON.stringify(clientBody({ client_name: 'Muebles \ud800' })),
        400,
        /client_name must be well-formed Unicode/,
      ],
    ])('answers %s with a 4xx that says what is wrong, and stores nothing', async (_case, headers, body, status, message) => {
      const before = await t.count();
      const response = await t.http
        .post('/clients')
        .set({ 'Content-Type': 'application/json', ...headers })
        .send(body);
      expect(response.status).toBe(status);
      expect(response.body).toMatchObject({ statusCode: status, error: expect.any(String) });
      expect(JSON.stringify(response.body.message)).toMatch(message);
      expect(await t.count()).toBe(before);
    });

    it('takes a body compressed with gzip', async () => {
      const response = await t.http
        .post('/clients')
        .set({ 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' })
        .serialize((body) => body)
        .send(gzipSync(JSON.stringify(clientBody())));
      expect(response.status).toBe(201);
    });
  });

  it(`never answers 5xx, always answers errors in JSON, and stores nothing invalid (${REQUESTS} requests)`, async () => {
    const random = new Random(SEED);
    const existingIds: number[] = [];
    for (let i = 0; i < 5; i++) existingIds.push((await t.http.post('/clients').send(clientBody()).expect(201)).body.id);
    let rows = await t.count();

    // The last version of each record the API answered with, to check that what it accepted is what it stored.
    const answered = new Map<number, Record<string, unknown>>();
    const userFields = (record: Record<string, unknown>) => JSON.stringify(USER_FIELDS.map((field) => record[field]));
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let index = 0; index < REQUESTS; index++) {
      const request = fuzzRequest(random, { existingIds });
      if (process.env.FUZZ_TRACE) process.stderr.write(`#${index} ${describeRequest(request)}\n`);
      const before = request.method === 'PATCH' && request.targetId !== undefined ? await storedFields(request.targetId) : undefined;

      let response;
      try {
        response = await send(request);
      } catch (error) {
        failures.push(`#${index} ${describeRequest(request)}: the request failed: ${(error as Error).message}`);
        continue;
      }
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const problems = problemsOf(request, response.status, response.body, response.headers['content-type']);

      // Only a created record adds a row and only a delete removes one; a rejected request changes nothing.
      // (Express routes are case-insensitive and take a trailing slash: /CLIENTS/ is /clients.)
      const created = request.method === 'POST' && /^\/clients\/?(\?|$)/i.test(request.path) && response.status === 201;
      const deleted = request.method === 'DELETE' && response.status === 204;
      if (created) existingIds.push(response.body.id);
      if (response.status < 300 && typeof response.body?.id === 'number' && 'client_name' in response.body)
        answered.set(response.body.id, response.body);
      if (deleted) {
        const id = request.targetId ?? Number(/\/clients\/+(\d+)/i.exec(request.path)?.[1]);
        if (existingIds.includes(id)) existingIds.splice(existingIds.indexOf(id), 1);
      }
      const expectedRows = rows + (created ? 1 : 0) - (deleted ? 1 : 0);
      rows = await t.count();
      if (rows !== expectedRows) problems.push(`the table went to ${rows} rows instead of ${expectedRows}`);
      if (before && response.status >= 400 && JSON.stringify(await storedFields(request.targetId!)) !== JSON.stringify(before)) {
        problems.push('a rejected PATCH changed the record');
      }

      for (const problem of problems) failures.push(`#${index} ${describeRequest(request)} -> ${response.status}: ${problem}`);
    }

    // Whatever was accepted reads back exactly as it was answered: unicode, NUL bytes and quotes included.
    for (const id of existingIds) {
      const response = await t.http.get(`/clients/${id}`);
      if (response.status !== 200) failures.push(`GET /clients/${id} of an accepted record answered ${response.status}`);
      else if (answered.has(id) && userFields(response.body) !== userFields(answered.get(id)!)) {
        failures.push(
          `record ${id} reads back as ${userFields(response.body).slice(0, 300)}, not as accepted: ${userFields(answered.get(id)!).slice(0, 300)}`,
        );
      }
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const summary = [...statuses]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ');
    if (failures.length > 0) {
      throw new Error(`FUZZ_SEED=${SEED}: ${failures.length} problems (statuses ${summary}):\n${failures.slice(0, 25).join('\n')}`);
    }
    expect(statuses.get(201)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(REQUESTS / 4);
  });
});
