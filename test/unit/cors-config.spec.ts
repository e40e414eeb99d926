import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/app-config';
import { problemsOf } from '../support/configuration';

const API_TOKEN = 'a-token-of-32-characters-000000';

describe('CORS_ORIGINS', () => {
  it('is off by default: an empty list', () => {
    expect(loadConfig({}).security.corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: ' ' }).security.corsOrigins).toEqual([]);
  });

  it('reads a comma-separated list of origins, spaces and a trailing comma ignored', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://admin.example.com, http://127.0.0.1:8080,http://[::1]:5173,', API_TOKEN });
    expect(config.security.corsOrigins).toEqual(['https://admin.example.com', 'http://127.0.0.1:8080', 'http://[::1]:5173']);
  });

  it('accepts "*" (any origin) only without API_TOKEN, for local development', () => {
    expect(loadConfig({ CORS_ORIGINS: '*' }).security.corsOrigins).toEqual(['*']);
    expect(problemsOf({ CORS_ORIGINS: '*', API_TOKEN })).toEqual([
      'CORS_ORIGINS: must list the front ends\' origins, not "*", while API_TOKEN is set',
    ]);
    expect(problemsOf({ CORS_ORIGINS: 'https://admin.example.com,*' })).toEqual([
      'CORS_ORIGINS: "*" (any origin) cannot be combined with other origins',
    ]);
  });

  it.each([
    ['a bare host name', 'admin.example.com', /"admin\.example\.com" is not an origin \(scheme:\/\/host\[:port\]/],
    ['a path', 'https://admin.example.com/app', /write "https:\/\/admin\.example\.com"$/],
    ['a trailing slash', 'https://admin.example.com/', /write "https:\/\/admin\.example\.com"$/],
    ['the default port', 'https://admin.example.com:443', /write "https:\/\/admin\.example\.com"$/],
    ['capital letters in the host', 'https://Admin.example.com', /write "https:\/\/admin\.example\.com"$/],
    ['another scheme', 'ftp://files.example.com', /"ftp:\/\/files\.example\.com" is not an http or https origin$/],
    ['the "null" origin', 'null', /^CORS_ORIGINS: "null" is not an origin/],
  ])('stops the start on %s, in one line naming the variable and telling what to write', (_case, entry, message) => {
    const problems = problemsOf({ CORS_ORIGINS: `https://ok.example.com,${entry}` });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^CORS_ORIGINS: /);
    expect(problems[0]).toMatch(message);
  });

  it('stops the process at start with one line naming CORS_ORIGINS', () => {
    const result = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '../../src/main.ts')], {
      env: { PATH: process.env.PATH, CORS_ORIGINS: '*', API_TOKEN },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^Configuration error: CORS_ORIGINS: .*API_TOKEN/)]);
    expect(result.stderr).not.toContain(API_TOKEN);
  });
});
