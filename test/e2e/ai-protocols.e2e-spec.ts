import { clientBody } from '../support/clients';
import { FakeAiServer } from '../support/fake-ai-server';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

const AI_API_KEY = 'protocol-test-key';

/** Each AI_PROTOCOL end to end: a client created through the API ends processed by the fake speaking it. */
describe.each([
  { protocol: 'chat', path: '/chat', keyHeader: 'x-api-key', keyValue: AI_API_KEY },
  { protocol: 'ollama', path: '/api/generate', keyHeader: undefined, keyValue: undefined },
  { protocol: 'openai', path: '/v1/chat/completions', keyHeader: 'authorization', keyValue: `Bearer ${AI_API_KEY}` },
])('AI_PROTOCOL=$protocol', ({ protocol, path, keyHeader, keyValue }) => {
  let ai: FakeAiServer;
  let t: TestApp;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    t = await createTestApp({ env: { AI_PROTOCOL: protocol, AI_URL: ai.url(path), AI_API_KEY, AI_MODEL: 'gpt-oss:20b' } });
  });

  afterAll(async () => {
    await t?.close();
    await ai?.close();
  });

  it('processes a client through the protocol, keeping only the final text of a reasoning answer', async () => {
    ai.respondWith({ thinking: 'The user wants a neutral rewrite. Let me think about the company first.' });
    const record = (await t.http.post('/clients').send(clientBody()).expect(201)).body;
    const done = await waitFor(`client ${record.id} to be processed`, async () => {
      const current = (await t.http.get(`/clients/${record.id}`)).body;
      return current.context_status === 'processed' ? current : undefined;
    });

    expect(done.company_context).toBe(FakeAiServer.expectedTextFor(record.company_context));
    expect(done.company_context).not.toContain('Let me think');
    const [call] = ai.requests.filter((request) => request.method === 'POST');
    expect(call).toMatchObject({ path, protocol, original: record.company_context });
    if (keyHeader) expect(call.headers[keyHeader]).toBe(keyValue);
    expect(JSON.stringify(call.body)).toContain('gpt-oss:20b');
  });
});
