import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_ENTRY, CliProcess } from '../support/cli';

describe('.env', () => {
  let directory: string;

  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'autoseo-dotenv-'))));
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  async function startIn(env: Record<string, string>) {
    const api = new CliProcess([], env, API_ENTRY, { cwd: directory });
    return api.exited;
  }

  it('is read from the working directory, and a variable set in the environment wins over it', async () => {
    writeFileSync(join(directory, '.env'), 'QUEUE_TRIES=0\nQUEUE_CONNECTION=carrier-pigeon\n');

    const result = await startIn({ QUEUE_TRIES: '3' });

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Configuration error: QUEUE_CONNECTION.*carrier-pigeon/m);
    expect(result.stderr).not.toContain('QUEUE_TRIES');
  });
});
