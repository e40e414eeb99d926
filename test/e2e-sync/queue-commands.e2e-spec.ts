import { runCli } from '../support/cli';
import { createTestApp, TestApp } from '../support/test-app';

describe('Queue commands (QUEUE_CONNECTION=sync)', () => {
  let api: TestApp;

  beforeAll(async () => {
    api = await createTestApp({ worker: false });
  });

  afterAll(async () => {
    await api?.close();
  });

  it.each([
    ['queue:work'],
    ['queue:monitor'],
    ['queue:failed', '--json'],
    ['queue:retry', 'all'],
    ['queue:forget', 'client-1-v1'],
    ['queue:flush'],
    ['queue:clear', '--force'],
    ['queue:pause'],
    ['queue:resume'],
    ['queue:reconcile'],
  ])('%s says plainly that sync has no queue, and exits 2', async (...args) => {
    const result = await runCli(args, api.env);
    expect(result).toExitWith(2);
    expect(result.stderr).toContain('QUEUE_CONNECTION=sync has no queue');
  });

  it('migration:run works on any driver', async () => {
    const result = await runCli(['migration:run'], api.env);
    expect(result).toMatchObject({ code: 0, stdout: expect.stringContaining('Nothing to migrate') });
  });

  // Help needs no queue: commander answers it before any command runs.
  it.each([
    'queue:work',
    'queue:monitor',
    'queue:failed',
    'queue:retry',
    'queue:forget',
    'queue:flush',
    'queue:clear',
    'queue:pause',
    'queue:resume',
    'queue:reconcile',
    'migration:run',
  ])('%s --help explains the command and exits 0', async (command) => {
    const result = await runCli([command, '--help'], api.env);
    expect(result).toExitWith(0);
    expect(result.stdout).toContain(`Usage: autoseo ${command}`);
  });
});
