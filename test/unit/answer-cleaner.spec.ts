import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_ANSWER_CHARACTERS } from '../../src/ai/ai-client';
import { cleanAnswer } from '../../src/ai/answer-cleaner';
import { FakeAiServer } from '../support/fake-ai-server';

interface AnswerFixture {
  description: string;
  raw: string;
  expected?: string;
  error?: 'empty' | 'oversize';
}

const directory = join(__dirname, '..', 'fixtures', 'ai-answers');
const fixtures = readdirSync(directory)
  .filter((file) => file.endsWith('.json'))
  .sort()
  .map((file) => ({ file, ...(JSON.parse(readFileSync(join(directory, file), 'utf8')) as AnswerFixture) }));

describe('Cleaning an AI answer down to its final text', () => {
  it('has a corpus of at least 20 recorded answers', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });

  it.each(fixtures.map((fixture) => [fixture.description, fixture] as const))('%s', (_description, fixture) => {
    const cleaned = cleanAnswer(fixture.raw);
    if (fixture.error === 'empty') expect(cleaned).toBe('');
    else if (fixture.error === 'oversize') expect(Array.from(cleaned).length).toBeGreaterThan(MAX_ANSWER_CHARACTERS);
    else expect(cleaned).toBe(fixture.expected);
  });

  it('is idempotent on every cleaned answer', () => {
    for (const fixture of fixtures.filter((candidate) => candidate.expected !== undefined)) {
      expect(cleanAnswer(fixture.expected!)).toBe(fixture.expected);
    }
  });

  it("leaves the fake AI's default answer untouched, so tests can compare it exactly", () => {
    const text = FakeAiServer.expectedTextFor('Muebles Ejemplo es una empresa familiar de Valencia.');
    expect(cleanAnswer(text)).toBe(text);
  });
});
