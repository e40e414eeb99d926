import { loadConfig } from '../../src/config/app-config';
import { problemsOf } from '../support/configuration';

describe('AI_MAX_TOKENS', () => {
  it('defaults to 1536 tokens per call', () => {
    expect(loadConfig({}).ai.maxTokens).toBe(1536);
  });

  it('reads a positive integer', () => {
    expect(loadConfig({ AI_MAX_TOKENS: '800' }).ai.maxTokens).toBe(800);
  });

  it.each([
    ['0', 'AI_MAX_TOKENS: AI_MAX_TOKENS must not be less than 1 (got 0)'],
    ['-5', 'AI_MAX_TOKENS: AI_MAX_TOKENS must not be less than 1 (got -5)'],
    ['1.5', 'AI_MAX_TOKENS: AI_MAX_TOKENS must be an integer number (got 1.5)'],
    ['lots', 'AI_MAX_TOKENS: AI_MAX_TOKENS must be an integer number (got "lots")'],
    ['200000', 'AI_MAX_TOKENS: AI_MAX_TOKENS must not be greater than 131072 (got 200000)'],
  ])('stops the start on %s with one line naming the variable', (value, line) => {
    expect(problemsOf({ AI_MAX_TOKENS: value })).toEqual([line]);
  });
});
