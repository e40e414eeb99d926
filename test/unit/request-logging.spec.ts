import express from 'express';
import { AddressInfo } from 'node:net';
import { request as httpRequest, Server } from 'node:http';
import { loadConfig } from '../../src/config/app-config';
import { createRootLogger } from '../../src/logging/logger';
import { requestLogging } from '../../src/logging/request-logging';
import { waitFor } from '../support/wait-for';

interface Line {
  level: string;
  msg: string;
  requestId?: string;
  [field: string]: unknown;
}

/** The request logging alone in front of a few routes of a real HTTP server; the lines are kept. */
describe('The request line', () => {
  const lines: Line[] = [];
  let server: Server;
  let base: string;
  let hanging: () => void = () => undefined;
  const reachedHang = new Promise<void>((resolve) => (hanging = resolve));

  beforeAll(async () => {
    const root = createRootLogger(loadConfig({ LOG_FORMAT: 'json' }), { write: (line: string) => lines.push(JSON.parse(line)) });
    const app = express();
    app.use(requestLogging(root));
    app.get('/ok/:id', (request, response) => {
      request.log.info({ step: 'inside' }, 'working on it');
      response.json({ ok: true });
    });
    app.get('/unavailable', (_request, response) => {
      response.status(503).json({ message: 'down' });
    });
    // Never answers: the caller gives up first.
    app.get('/hang', () => hanging());
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const lineOf = (requestId: string, msg: RegExp) =>
    waitFor(`the line of ${requestId}`, () => lines.find((line) => line.requestId === requestId && msg.test(line.msg)));

  it('is written at info when the response ends, with the route template and the duration; lines logged during the request carry its id', async () => {
    const response = await fetch(`${base}/ok/7?search=private`, { headers: { 'X-Request-Id': 'ok-1' } });
    expect(response.headers.get('x-request-id')).toBe('ok-1');
    expect(await lineOf('ok-1', /^GET/)).toEqual({
      level: 'info',
      time: expect.any(String),
      pid: process.pid,
      hostname: expect.any(String),
      requestId: 'ok-1',
      context: 'HTTP',
      method: 'GET',
      route: '/ok/:id',
      path: '/ok/7',
      status: 200,
      durationMs: expect.any(Number),
      msg: expect.stringMatching(/^GET \/ok\/:id 200 in \d+ ms$/),
    });
    expect(await lineOf('ok-1', /working on it/)).toMatchObject({ level: 'info', step: 'inside' });
    // Exactly one request line, even though the response both finishes and closes.
    expect(lines.filter((line) => line.requestId === 'ok-1' && line.context === 'HTTP')).toHaveLength(1);
  });

  it('is written at error for a 5xx answer', async () => {
    await fetch(`${base}/unavailable`, { headers: { 'X-Request-Id': 'down-1' } });
    expect(await lineOf('down-1', /^GET/)).toMatchObject({
      level: 'error',
      status: 503,
      msg: expect.stringMatching(/^GET \/unavailable 503 in \d+ ms$/),
    });
  });

  it('says "aborted" when the caller goes away before the answer', async () => {
    const call = httpRequest(`${base}/hang`, { headers: { 'X-Request-Id': 'gone-1' } });
    call.on('error', () => undefined);
    call.end();
    await reachedHang;
    call.destroy();
    expect(await lineOf('gone-1', /^GET/)).toMatchObject({ level: 'info', aborted: true, msg: expect.stringMatching(/\(aborted\)$/) });
  });
});
