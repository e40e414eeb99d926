import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const LINE_WRITER = join(__dirname, '../../src/logging/line-writer.ts');

/**
 * Runs `script` in a node process of its own with `writer`, a batched LineWriter on stdout. Each script
 * ends the process within its first tick, long before the writer's own flush (50 ms) would come round.
 */
function run(script: string) {
  const code = `const { LineWriter } = require(${JSON.stringify(LINE_WRITER)});
const writer = new LineWriter(1, { batch: true });
${script}
setTimeout(() => writer.write('too late\\n'), 10000);`;
  return spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', code], {
    env: { PATH: process.env.PATH },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('LineWriter (the batched log lines of the API and the workers)', () => {
  it('writes every line of a process stopped by SIGTERM, the lines of its shutdown included', () => {
    // As Nest's shutdown hooks do: a listener that logs, then raises the signal again unheard.
    const result = run(`
writer.write('before the signal\\n');
const shutdown = () => {
  process.off('SIGTERM', shutdown);
  writer.write('stopping\\n');
  writer.write('stopped\\n');
  process.kill(process.pid, 'SIGTERM');
};
process.on('SIGTERM', shutdown);
process.kill(process.pid, 'SIGTERM');`);
    expect(result.signal).toBe('SIGTERM');
    expect(result.stdout).toBe('before the signal\nstopping\nstopped\n');
  });

  it('leaves a stop signal its default effect when nothing else listens (start-up)', () => {
    const result = run(`
writer.write('starting\\n');
process.kill(process.pid, 'SIGINT');`);
    expect(result.signal).toBe('SIGINT');
    expect(result.stdout).toBe('starting\n');
  });

  it('writes the waiting lines when the process exits', () => {
    const result = run(`
writer.write('one\\n');
writer.write('two\\n');
process.exit(3);`);
    expect(result.status).toBe(3);
    expect(result.stdout).toBe('one\ntwo\n');
  });
});
