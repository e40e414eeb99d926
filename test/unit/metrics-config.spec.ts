import { loadConfig } from '../../src/config/app-config';
import { problemsOf } from '../support/configuration';

describe('Metrics configuration (METRICS_PORT, METRICS_HOST)', () => {
  it('has no worker listener by default, and binds it to loopback when a port is set', () => {
    expect(loadConfig({}).metrics).toEqual({ port: undefined, host: '127.0.0.1' });
    expect(loadConfig({ METRICS_PORT: '' }).metrics.port).toBeUndefined();
    expect(loadConfig({ METRICS_PORT: '9464' }).metrics).toEqual({ port: 9464, host: '127.0.0.1' });
  });

  it('takes an address or a host name for METRICS_HOST', () => {
    for (const host of ['0.0.0.0', '127.0.0.2', '::', '::1', 'metrics.internal', 'localhost']) {
      expect(loadConfig({ METRICS_PORT: '9464', METRICS_HOST: host }).metrics.host).toBe(host);
    }
  });

  it.each([
    ['METRICS_PORT', '0', 'METRICS_PORT: METRICS_PORT must not be less than 1 (got 0)'],
    ['METRICS_PORT', '65536', 'METRICS_PORT: METRICS_PORT must not be greater than 65535 (got 65536)'],
    ['METRICS_PORT', 'metrics', 'METRICS_PORT: METRICS_PORT must be an integer number (got "metrics")'],
    ['METRICS_PORT', '94.64', 'METRICS_PORT: METRICS_PORT must be an integer number (got 94.64)'],
    [
      'METRICS_HOST',
      'http://0.0.0.0',
      'METRICS_HOST: METRICS_HOST must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name (got "http://0.0.0.0")',
    ],
    [
      'METRICS_HOST',
      'two words',
      'METRICS_HOST: METRICS_HOST must be an IP address (127.0.0.1, 0.0.0.0, ::) or a host name (got "two words")',
    ],
  ])('refuses %s=%s with a message naming the variable', (name, value, message) => {
    expect(problemsOf({ [name]: value })).toEqual([message]);
  });
});
