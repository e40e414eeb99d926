import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { currentStack, MYSQL_URL } from '../support/stack';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

/** MariaDB reached through a proxy the test can cut: the database "stops" under a running API and worker. */
describe(`When the database stops under a running API (QUEUE_CONNECTION=${currentStack().queue})`, () => {
  let ai: FakeAiServer;
  let proxy: TcpProxy;
  let t: TestApp;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    const target = new URL(MYSQL_URL);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 3306) });
    target.port = String(proxy.port);
    t = await createTestApp({ env: { AI_URL: ai.url('/chat'), DATABASE_URL: target.toString() } });
  });

  afterAll(async () => {
    await t?.close();
    await proxy?.close();
    await ai?.close();
  });

  const get = async (id: number) => (await t.http.get(`/clients/${id}`).expect(200)).body;

  it('answers 503 at once, is not ready, spends no attempt while it waits, and loses nothing when the database is back', async () => {
    ai.respondWith({ delayMs: 1_500 });
    const inFlight = (await t.http.post('/clients').send(clientBody()).expect(201)).body;
    await ai.waitForInFlight(1);

    await proxy.cut();

    // A bounded request: supertest fails the test if the API hangs instead of answering.
    const refused = await t.http.post('/clients').send(clientBody()).timeout(20_000);
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.stringMatching(/database/i) });
    const listed = await t.http.get('/clients').timeout(20_000);
    expect(listed.status).toBe(503);

    const ready = await t.http.get('/health/ready').timeout(20_000).expect(503);
    expect(ready.body.error.database).toMatchObject({ status: 'down' });

    // The AI answers meanwhile: the worker holds the answer and waits for the database.
    await waitFor(
      'the worker to wait for the database',
      () => t.logs.matching(new RegExp(`client ${inFlight.id} v1: the database does not answer`)).length > 0,
    );

    await proxy.restore();

    const done = await waitFor(`client ${inFlight.id} to be processed`, async () => {
      const record = (await t.http.get(`/clients/${inFlight.id}`)).body;
      return record.context_status === 'processed' ? record : undefined;
    });
    expect(done).toMatchObject({
      context_attempts: 1,
      context_error: null,
      company_context: FakeAiServer.expectedTextFor(inFlight.company_context),
    });
    expect(ai.requests.filter((request) => request.original === inFlight.company_context)).toHaveLength(1);
    // The refused POST stored nothing; the API takes new clients again.
    expect((await t.http.get('/clients').expect(200)).body.meta.total).toBe(1);
    await t.http.get('/health/ready').expect(200);
    ai.respondWith({});
    const after = (await t.http.post('/clients').send(clientBody()).expect(201)).body;
    await waitFor(`client ${after.id} to be processed`, async () => (await get(after.id)).context_status === 'processed');
  });
});
