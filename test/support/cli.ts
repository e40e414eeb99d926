import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait-for';

const DIST = join(__dirname, '..', '..', 'dist');
const CLI = join(DIST, 'cli.js');
/** The compiled HTTP entry point (`npm run start:prod`). */
export const API_ENTRY = join(DIST, 'main.js');
/** The compiled worker alone (`node dist/worker.js`): Nest's shutdown hooks, no HTTP server. */
export const WORKER_ENTRY = join(DIST, 'worker.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A running `node dist/cli.js …` (or another compiled entry; built by test/run-suite.js), with its output so far. */
export class CliProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<CliResult>;
  private readonly child: ChildProcess;

  constructor(args: string[], env: Record<string, string>, entry = CLI, { cwd }: { cwd?: string } = {}) {
    // The parent's environment minus anything a developer set for the app: the test decides it all.
    const base = Object.fromEntries(Object.entries(process.env).filter(([name]) => ['PATH', 'HOME', 'TMPDIR', 'LANG'].includes(name)));
    this.child = spawn(process.execPath, [entry, ...args], {
      env: { ...base, NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd,
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code, signal) => resolve({ code, signal, stdout: this.stdout, stderr: this.stderr })),
    );
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Waits until stdout (or stderr) matches, e.g. the worker's "taking company-context jobs" line. */
  async waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    let done = false;
    void this.exited.then(() => (done = true));
    await waitFor(
      `output ${pattern} from the CLI`,
      () => {
        if (pattern.test(this.stdout + this.stderr)) return true;
        if (done) throw new Error(`the CLI exited first:\n${this.stdout}\n${this.stderr}`);
        return false;
      },
      { timeoutMs },
    );
  }

  kill(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Kills it if it still runs (for afterAll/afterEach). */
  async dispose(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

/** Runs one command to its end. */
export function runCli(args: string[], env: Record<string, string>): Promise<CliResult> {
  return new CliProcess(args, env).exited;
}
