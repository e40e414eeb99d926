// The short chaos run of `npm test` (issue 15): two minutes of load and faults drawn from a fixed seed, on the
// service as `npm test` built it (dist/) with MariaDB and Redis servers of the run's own, then every invariant
// of scripts/chaos/checker.ts. Its report goes to a temporary file (docs/CHAOS.md keeps the long runs).
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
/** Seed 4 draws all nine kinds of fault within two minutes. */
const SEED = 4;
const MINUTES = 2;

describe('the short chaos run', () => {
  let dir: string;
  let run: ChildProcess | undefined;
  let exited: Promise<number | null> | undefined;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'autoseo-chaos-test-'));
  });

  // A run still going (the test timed out or failed): SIGTERM makes it stop its servers and remove their folder.
  afterAll(async () => {
    if (run && run.exitCode === null && run.signalCode === null) {
      run.kill('SIGTERM');
      const timer = setTimeout(() => run?.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    `holds every invariant through ${MINUTES} minutes of faults (seed ${SEED})`,
    async () => {
      const report = join(dir, 'CHAOS.md');
      const args = ['scripts/chaos/run.ts', '--minutes', String(MINUTES), '--seed', String(SEED), '--app', 'dist', '--report', report];
      run = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      run.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      run.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const child = run;
      exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
      const code = await exited;

      const written = existsSync(report) ? readFileSync(report, 'utf8') : '';
      if (code !== 0 || !written.includes('every invariant holds')) {
        const tail = output.split('\n').slice(-60).join('\n');
        throw new Error(
          `the chaos run (${args.join(' ')}) exited ${code}.\n\n` +
            (written ? `Its report:\n\n${written}` : `It wrote no report; its last output:\n\n${tail}`),
        );
      }
      expect(written).toContain(`--minutes ${MINUTES} --seed ${SEED}`);
    },
    20 * 60_000,
  );
});
