import { CliProcess } from '../support/cli';
import { FakeAiServer } from '../support/fake-ai-server';
import { currentStack } from '../support/stack';
import { createTestApp, TestApp } from '../support/test-app';

/** A dedicated worker (`queue:work`) says at start what it will call, and warns when the model is not served. */
describe(`queue:work's start line (QUEUE_CONNECTION=${currentStack().queue})`, () => {
  let ai: FakeAiServer;
  let stores: TestApp;
  let worker: CliProcess | undefined;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    // Only to empty the stores and share their settings; the worker under test is the process below.
    stores = await createTestApp({ worker: false });
  });

  afterAll(async () => {
    await worker?.dispose();
    await stores?.close();
    await ai?.close();
  });

  it('names the endpoint, protocol, model and cap, warns that the model is not served, and keeps running', async () => {
    ai.serveModels(['llama3.2:3b']);
    const env = { ...stores.env, AI_PROTOCOL: 'ollama', AI_URL: ai.url('/api/generate'), AI_MODEL: 'gpt-oss:20b', LOG_LEVEL: 'info' };
    worker = new CliProcess(['queue:work'], env);

    await worker.waitForOutput(/AI server not ready at start/);

    // The CLI logs to stderr, keeping stdout for the command's own output.
    const startLine = `AI endpoint ${ai.url('/api/generate')}, protocol ollama, model gpt-oss:20b, max 1536 tokens per call`;
    expect(worker.stderr).toContain(startLine);
    const warnings = worker.stderr.match(/AI server not ready at start: model gpt-oss:20b is not served \(served: llama3\.2:3b\)/g);
    expect(warnings).toHaveLength(1);
    expect(ai.requests.map((request) => `${request.method} ${request.path}`)).toEqual(['GET /api/tags']);
    worker.kill('SIGTERM');
    expect(await worker.exited).toExitWith(0);
  });
});
