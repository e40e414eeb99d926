import { loadConfig } from '../../src/config/app-config';
import { ConfigurationError } from '../../src/config/environment';
import { createRootLogger } from '../../src/logging/logger';

const PRODUCTION = {
  NODE_ENV: 'production',
  API_TOKEN: 'a-token-of-sixteen-chars',
  APP_KEY: 'base64:' + Buffer.alloc(32, 1).toString('base64'),
};

/** A root logger whose lines are kept in memory. */
function loggerWith(env: Record<string, string>) {
  const lines: string[] = [];
  const logger = createRootLogger(loadConfig(env), { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

describe('LOG_FORMAT', () => {
  it('is json in production and pretty elsewhere unless set', () => {
    expect(loadConfig({}).logFormat).toBe('pretty');
    expect(loadConfig({ NODE_ENV: 'test' }).logFormat).toBe('pretty');
    expect(loadConfig(PRODUCTION).logFormat).toBe('json');
    expect(loadConfig({ ...PRODUCTION, LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: '' }).logFormat).toBe('pretty');
  });

  it('rejects another value with a line naming the variable', () => {
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(ConfigurationError);
    try {
      loadConfig({ LOG_FORMAT: 'xml' });
    } catch (error) {
      expect((error as ConfigurationError).problems).toEqual([expect.stringMatching(/^LOG_FORMAT: .*json, pretty/)]);
    }
  });
});

describe('The root logger', () => {
  it('writes one JSON object per line with LOG_FORMAT=json, its fields beside the message', () => {
    const { logger, lines } = loggerWith({ LOG_FORMAT: 'json' });
    logger.info({ context: 'Test', clientId: 5 }, 'first');
    logger.warn('second\nwith a line break');
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line.endsWith('\n') && line.indexOf('\n') === line.length - 1).toBe(true);
    expect(JSON.parse(lines[0])).toMatchObject({ level: 'info', time: expect.any(String), context: 'Test', clientId: 5, msg: 'first' });
    expect(JSON.parse(lines[1])).toMatchObject({ level: 'warn', msg: 'second\nwith a line break' });
  });

  it('writes a readable line with LOG_FORMAT=pretty', () => {
    const { logger, lines } = loggerWith({ LOG_FORMAT: 'pretty' });
    logger.info({ context: 'CompanyContext', clientId: 5 }, 'client 5 v1: processed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] .*INFO.*: \[CompanyContext\] client 5 v1: processed .*"clientId":5/);
    expect(lines[0].trimEnd().split('\n')).toHaveLength(1);
  });

  it('follows LOG_LEVEL, verbose included', () => {
    const { logger, lines } = loggerWith({ LOG_FORMAT: 'json', LOG_LEVEL: 'warn' });
    logger.info('not shown');
    logger.warn('shown');
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual(['shown']);
    expect(loggerWith({ LOG_LEVEL: 'verbose' }).logger.isLevelEnabled('trace')).toBe(true);
  });

  it('redacts authorization headers, passwords and keys wherever a logged object carries them', () => {
    const { logger, lines } = loggerWith({ LOG_FORMAT: 'json' });
    const secrets = ['Bearer secret-token-1', 'password-2', 'app-password-3', 'ai-key-4', 'base64:app-key-5', 'credentials-6', 'ai-key-7'];
    logger.info({
      req: { headers: { authorization: secrets[0] } },
      body: { password: secrets[1], password_app: secrets[2] },
      AI_API_KEY: secrets[3],
      APP_KEY: secrets[4],
      CREDENTIALS_TOKEN: secrets[5],
      err: { config: { headers: { 'x-api-key': secrets[6] } } },
      company_context: 'the client text itself',
    });
    for (const secret of [...secrets, 'the client text itself']) expect(lines[0]).not.toContain(secret);
    expect(JSON.parse(lines[0])).toMatchObject({
      body: { password: '[redacted]' },
      err: { config: { headers: { 'x-api-key': '[redacted]' } } },
    });
  });

  it('keeps an error readable when it hides a field of it, and leaves the logged objects as they were', () => {
    const { logger, lines } = loggerWith({ LOG_FORMAT: 'json' });
    class AiCallError extends Error {}
    const error = Object.assign(new AiCallError('AI answered HTTP 502'), {
      config: { headers: { 'x-api-key': 'ai-key-8', accept: 'json' } },
    });
    const fields = { clients: [{ id: 1, password: 'password-9' }, { id: 2 }] };
    logger.error({ err: error, ...fields }, 'call failed');
    const line = JSON.parse(lines[0]);
    expect(line.err).toMatchObject({
      type: 'AiCallError',
      message: 'AI answered HTTP 502',
      config: { headers: { 'x-api-key': '[redacted]', accept: 'json' } },
    });
    expect(line.err.stack).toMatch(/^Error: AI answered HTTP 502\n\s+at /);
    expect(line.clients).toEqual([{ id: 1, password: '[redacted]' }, { id: 2 }]);
    // The caller's objects are not changed: the redaction works on copies.
    expect(error.config.headers['x-api-key']).toBe('ai-key-8');
    expect(fields.clients[0].password).toBe('password-9');
  });

  it('redacts the bindings of child loggers too (a grandchild keeps its parent fields), three levels down included', () => {
    const { logger, lines } = loggerWith({ LOG_FORMAT: 'json' });
    logger
      .child({ requestId: 'r-1' })
      .child({ job: { APP_KEY: 'base64:app-key-10' } })
      .info({ a: { b: { c: { password: 'p-11' } } } }, 'x');
    const line = JSON.parse(lines[0]);
    expect(line).toMatchObject({ requestId: 'r-1', job: { APP_KEY: '[redacted]' }, a: { b: { c: { password: '[redacted]' } } } });
    expect(lines[0]).not.toContain('app-key-10');
    expect(lines[0]).not.toContain('p-11');
  });
});
