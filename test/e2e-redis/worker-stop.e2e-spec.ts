import { QueueWorker } from '../../src/company-context/queue-worker';
import { FakeAiServer } from '../support/fake-ai-server';
import { REDIS_URL } from '../support/stack';
import { TcpProxy } from '../support/tcp-proxy';
import { createTestApp, TestApp } from '../support/test-app';
import { waitFor } from '../support/wait-for';

/**
 * `queue:work --stop-when-empty` on an empty queue stops its worker moments after starting it. Bull
 * names the worker's blocking Redis connection without listening for the reply; closing that connection
 * before the reply came rejected a promise nobody heard, and Node ended the worker with exit 1 (one run
 * in fifty, seen in CI). Here Redis is made slow to greet the new connection, so the stop always lands
 * in that window.
 */
describe('A redis worker stopped right after it started', () => {
  let ai: FakeAiServer;
  let redis: TcpProxy;
  let api: TestApp;

  beforeAll(async () => {
    ai = await FakeAiServer.start();
    const target = new URL(REDIS_URL);
    redis = await TcpProxy.start({ host: target.hostname, port: Number(target.port) });
    api = await createTestApp({
      worker: false,
      env: { AI_URL: ai.url('/chat'), REDIS_URL: `redis://127.0.0.1:${redis.port}${target.pathname}` },
    });
  });

  afterAll(async () => {
    redis?.release();
    await api?.close();
    await redis?.close();
    await ai?.close();
  });

  // Jest fails a test in which a promise is rejected with nobody listening: without the fix, this one
  // fails with "Connection is closed." (and waits in vain for the log line).
  it('stops cleanly while its connection is still being set up, the failed command heard and logged', async () => {
    await api.http.get('/health/ready').expect(200);
    const worker = api.app.get(QueueWorker);

    redis.hold();
    await worker.start(1);
    await waitFor('the worker connection to wait for Redis', () => redis.waiting > 0);

    const stopped = worker.stop('test');
    // Stopping closes the connection under the pending name command, which fails.
    await waitFor(
      'the failed command to be logged',
      () => api.logs.matching(/naming the worker connection: Connection is closed/).length > 0,
    );
    redis.release();
    await stopped;

    expect(api.logs.matching(/\[Worker\] stopped$/)).toHaveLength(1);
    // The process goes on working with Redis.
    expect((await api.http.get('/health/ready').expect(200)).body.info.queue).toMatchObject({ status: 'up' });
  });
});
