import { loadConfig } from '../../src/config/app-config';
import { tokenFingerprint } from '../../src/security/bearer-token';
import { problemsOf } from '../support/configuration';

describe('CREDENTIALS_TOKEN and CREDENTIALS_RATE_LIMIT', () => {
  it('leaves reveals off by default, and limits them to 10 per window per client', () => {
    expect(loadConfig({}).security).toMatchObject({ credentialsToken: undefined, credentialsRateLimit: 10 });
    expect(loadConfig({ CREDENTIALS_TOKEN: '' }).security.credentialsToken).toBeUndefined();
    expect(loadConfig({ CREDENTIALS_TOKEN: 'c'.repeat(16), CREDENTIALS_RATE_LIMIT: '0' }).security).toMatchObject({
      credentialsToken: 'c'.repeat(16),
      credentialsRateLimit: 0,
    });
  });

  it.each([
    ['CREDENTIALS_TOKEN', 'too-short-token'],
    ['CREDENTIALS_RATE_LIMIT', '-1'],
    ['CREDENTIALS_RATE_LIMIT', 'few'],
  ])('rejects %s=%s with one line naming the variable, without the value of the token', (variable, value) => {
    const problems = problemsOf({ [variable]: value });
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^${variable}: `))]);
    if (variable === 'CREDENTIALS_TOKEN') expect(problems[0]).not.toContain(value);
  });

  it('refuses a CREDENTIALS_TOKEN equal to API_TOKEN, naming both and neither value', () => {
    const token = 'the-same-token-for-both-0123456789';
    const problems = problemsOf({ API_TOKEN: token, CREDENTIALS_TOKEN: token });
    expect(problems).toEqual([
      'CREDENTIALS_TOKEN: must differ from API_TOKEN, or everyone holding the API token could read the stored passwords',
    ]);
    expect(problemsOf({ API_TOKEN: token, CREDENTIALS_TOKEN: `${token}-other` })).toEqual([]);
  });

  it('fingerprints a token as the first 12 hex characters of its SHA-256, which the shell can check', () => {
    // printf %s 'test-credentials-token' | sha256sum | cut -c1-12
    expect(tokenFingerprint('test-credentials-token')).toBe('9979517feaed');
    expect(tokenFingerprint('test-credentials-token')).not.toBe(tokenFingerprint('test-credentials-token2'));
  });
});
