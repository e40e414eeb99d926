import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const DOCS = join(__dirname, '..', '..', 'docs', 'prometheus');
/** Debian's prometheus package; .ci/run installs it when it is missing. */
const PROMTOOL = '/usr/bin/promtool';

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync(PROMTOOL, args, { cwd: DOCS, encoding: 'utf8' });
  if (result.error) throw new Error(`${PROMTOOL} did not run (${result.error.message}): install Debian's prometheus package`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The shipped alert rules, as Prometheus's own tool reads and evaluates them. */
describe('Prometheus alert rules (docs/prometheus)', () => {
  it('are valid rules for promtool', () => {
    const checked = promtool('check', 'rules', 'alerts.yml');
    expect(checked.output).toContain('SUCCESS: 6 rules found');
    expect(checked.status).toBe(0);
  });

  it('fire on the series each one is about (queue backing up, AI down, …) and not on their look-alikes', () => {
    const tested = promtool('test', 'rules', 'alerts.test.yml');
    expect(tested.output).toContain('SUCCESS');
    expect(tested.status).toBe(0);
  });
});
