import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { problemsOf } from '../support/configuration';

describe('Configuration', () => {
  it('has the defaults of the contract', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database).toMatchObject({ type: 'sqlite', sqlitePath: 'data/autoseo.sqlite', migrate: true });
    expect(config.queue).toMatchObject({
      connection: 'database',
      redisUrl: 'redis://127.0.0.1:6379',
      runWorker: true,
      tries: 3,
      backoffMs: 10_000,
      concurrency: 1,
      jobTimeoutMs: 60_000,
    });
    expect(config.ai).toMatchObject({
      url: 'http://127.0.0.1:5000/chat',
      protocol: 'chat',
      model: 'gpt-oss',
      apiKey: undefined,
      timeoutMs: 45_000,
      temperature: 0.3,
    });
    expect(config.logLevel).toBe('info');
  });

  it('reads MySQL URLs and booleans', () => {
    const config = loadConfig({ DATABASE_URL: 'mysql://u:p@db:3306/autoseo', RUN_WORKER: 'false', DB_MIGRATE: '0' });
    expect(config.database).toMatchObject({ type: 'mysql', migrate: false });
    expect(config.queue.runWorker).toBe(false);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'postgres://x/y'],
    ['QUEUE_CONNECTION', 'kafka'],
    ['REDIS_URL', 'localhost:6379'],
    ['RUN_WORKER', 'maybe'],
    ['QUEUE_TRIES', '0'],
    ['QUEUE_CONCURRENCY', '1.5'],
    ['AI_URL', 'not a url'],
    ['AI_PROTOCOL', 'grpc'],
    ['AI_TEMPERATURE', '5'],
    ['APP_KEY', 'short'],
    ['LOG_LEVEL', 'loud'],
    ['RATE_LIMIT', '-1'],
    ['RATE_LIMIT', 'many'],
    ['RATE_LIMIT_WINDOW_MS', '10'],
    ['API_TOKEN', 'too-short'],
    ['TRUST_PROXY', 'true'],
    ['TRUST_PROXY', '10'],
    ['TRUST_PROXY', '127.0.0.0/33'],
    ['TRUST_PROXY', 'loopback, proxy.example.com'],
  ])('rejects %s=%s with a line naming the variable', (variable, value) => {
    const problems = problemsOf({ [variable]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}: `));
  });

  it('limits each client to 300 requests a minute by default, and RATE_LIMIT=0 turns the limit off', () => {
    expect(loadConfig({}).security).toMatchObject({ rateLimit: 300, rateLimitWindowMs: 60_000 });
    expect(loadConfig({ RATE_LIMIT: '0', RATE_LIMIT_WINDOW_MS: '1000' }).security).toMatchObject({ rateLimit: 0, rateLimitWindowMs: 1000 });
  });

  it('trusts no proxy by default; TRUST_PROXY takes a hop count or addresses and subnets', () => {
    expect(loadConfig({}).security.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '2' }).security.trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 127.0.0.0/8,::1/128, 127.0.0.2' }).security.trustProxy).toEqual([
      'loopback',
      '127.0.0.0/8',
      '::1/128',
      '127.0.0.2',
    ]);
  });

  it('names every bad variable, one line each', () => {
    expect(problemsOf({ PORT: 'x', QUEUE_TRIES: 'y' }).map((line) => line.split(':')[0])).toEqual(['PORT', 'QUEUE_TRIES']);
  });

  it('refuses an AI timeout that is not shorter than the job timeout', () => {
    expect(problemsOf({ AI_TIMEOUT_MS: '60000', JOB_TIMEOUT_MS: '60000' })[0]).toMatch(
      /^AI_TIMEOUT_MS: must be shorter than JOB_TIMEOUT_MS/,
    );
  });

  it('requires API_TOKEN and APP_KEY in production, naming each', () => {
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual([
      'API_TOKEN: is required when NODE_ENV=production',
      'APP_KEY: is required when NODE_ENV=production',
    ]);
    const appKey = 'base64:' + Buffer.alloc(32, 1).toString('base64');
    expect(problemsOf({ NODE_ENV: 'production', APP_KEY: appKey })).toEqual(['API_TOKEN: is required when NODE_ENV=production']);
    expect(problemsOf({ NODE_ENV: 'production', API_TOKEN: 'a-token-of-32-characters-000000' })).toEqual([
      'APP_KEY: is required when NODE_ENV=production',
    ]);
    expect(problemsOf({ NODE_ENV: 'production', APP_KEY: appKey, API_TOKEN: 'a-token-of-32-characters-000000' })).toEqual([]);
  });

  it('never repeats a secret value in its message', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://user:hunter2@db', APP_KEY: 'base64:hunter2', API_TOKEN: 'hunter2' });
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).not.toContain('hunter2');
  });

  it('stops the process at start with one clear line per bad variable', () => {
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '../../src/main.ts')], {
      env: { PATH: process.env.PATH, QUEUE_CONNECTION: 'kafka', PORT: '-1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^Configuration error: PORT: /),
      expect.stringMatching(/^Configuration error: QUEUE_CONNECTION: /),
    ]);
  });
});
