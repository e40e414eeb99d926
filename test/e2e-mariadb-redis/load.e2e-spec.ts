import { CliProcess } from '../support/cli';
import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { createTestApp, TestApp } from '../support/test-app';

const RECORDS = 2_000;
const WORKERS = 2;
const CONCURRENCY = 4;

/** 2,000 clients created at once, an AI answering in 1 s, two workers of concurrency 4 (about four minutes). */
describe('Load: 2,000 records through two workers', () => {
  let ai: FakeAiServer;
  let api: TestApp;
  const workers: CliProcess[] = [];

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    api = await createTestApp({
      worker: false,
      env: { AI_URL: ai.url('/chat'), QUEUE_CONCURRENCY: String(CONCURRENCY), LOG_LEVEL: 'warn' },
    });
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.dispose()));
    await api?.close();
    await ai?.close();
  });

  it('processes every record once and never has more than 8 AI calls in flight', async () => {
    ai.respondWith({ delayMs: 1_000 });
    const originals = new Set<string>();
    // 50 requests in flight at a time until all are in.
    let next = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        while (next < RECORDS) {
          next += 1;
          const created = await api.http.post('/clients').send(clientBody()).expect(201);
          originals.add(created.body.company_context);
        }
      }),
    );
    expect(originals.size).toBe(RECORDS);

    for (let i = 0; i < WORKERS; i += 1) workers.push(new CliProcess(['queue:work', '--stop-when-empty'], api.env));
    const results = await Promise.all(workers.map((worker) => worker.exited));
    for (const result of results) expect(result).toExitWith(0);

    const [{ processed, other }] = await api.dataSource.query(
      "SELECT SUM(context_status = 'processed' AND context_attempts = 1) AS processed, SUM(context_status <> 'processed') AS other FROM autoseo",
    );
    expect(Number(processed)).toBe(RECORDS);
    expect(Number(other)).toBe(0);

    const calls = new Map<string, number>();
    for (const request of ai.requests) calls.set(request.original!, (calls.get(request.original!) ?? 0) + 1);
    expect(calls.size).toBe(RECORDS);
    expect([...calls.values()].filter((count) => count > 1)).toEqual([]);
    // The cap is QUEUE_CONCURRENCY per worker: reached, never passed.
    expect(ai.maxInFlight).toBe(WORKERS * CONCURRENCY);
  }, 900_000);
});
