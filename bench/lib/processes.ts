// Child processes of the benchmark: the service (API, workers) built into bench/out/app, the fake AI and
// the bare Bull worker, each in its own process, and a sampler of their resident memory.
import { ChildProcess, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, waitFor } from './common';

export const ROOT = join(__dirname, '..', '..');
export const BENCH_DIR = join(ROOT, 'bench');
const TS_NODE = ['-r', 'ts-node/register/transpile-only'];

/** One APP_KEY for the whole benchmark, so that the service never writes data/app.key. */
export const APP_KEY = `base64:${randomBytes(32).toString('base64')}`;

/** Keeps the last lines a process wrote, for error messages; never blocks its pipes. */
class Tail {
  private lines: string[] = [];
  private partial = '';
  private readonly waiters: { pattern: RegExp; resolve: () => void }[] = [];

  push(chunk: Buffer): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) {
      this.lines.push(line);
      for (const waiter of [...this.waiters]) {
        if (waiter.pattern.test(line)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
    }
    if (this.lines.length > 40) this.lines = this.lines.slice(-40);
  }

  until(pattern: RegExp): Promise<void> {
    if (this.lines.some((line) => pattern.test(line))) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ pattern, resolve }));
  }

  text(): string {
    return [...this.lines, this.partial].filter(Boolean).slice(-15).join('\n');
  }
}

export class ServiceProcess {
  readonly output = new Tail();
  exited = false;
  exitCode: number | null = null;
  private readonly exit: Promise<void>;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.exit = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exited = true;
        this.exitCode = code;
        resolve();
      }),
    );
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Resolves when a line matches, rejects when the process exits first or the time runs out. */
  async waitForLine(pattern: RegExp, timeoutMs = 30_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.output.until(pattern),
        this.exit.then(() => {
          throw new Error(`${this.name} exited (code ${this.exitCode}) before printing ${pattern}:\n${this.output.text()}`);
        }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms:\n${this.output.text()}`)),
            timeoutMs,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`. Only this process, by its pid. */
  async stop(graceMs = 5_000): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGTERM');
    const ended = await Promise.race([this.exit.then(() => true), sleep(graceMs).then(() => false)]);
    if (!ended && !this.exited) {
      this.child.kill('SIGKILL');
      await this.exit;
    }
  }

  async waitForExit(timeoutMs: number): Promise<number | null> {
    const ended = await Promise.race([this.exit.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!ended) throw new Error(`${this.name} did not exit within ${timeoutMs} ms:\n${this.output.text()}`);
    return this.exitCode;
  }
}

export interface ServiceEnv {
  DATABASE_URL: string;
  QUEUE_CONNECTION: 'redis' | 'database';
  REDIS_URL: string;
  AI_URL: string;
  [name: string]: string;
}

export function serviceEnv(overrides: ServiceEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    APP_KEY,
    // BENCH_LOG_LEVEL=info measures with a log line per request (JSON, as in production); warn leaves them out.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    LOG_FORMAT: 'json',
    RATE_LIMIT: '0',
    DB_MIGRATE: 'false',
    AI_TIMEOUT_MS: '45000',
    JOB_TIMEOUT_MS: '60000',
    QUEUE_CONCURRENCY: '1',
    ...overrides,
  };
  return env;
}

/** The npm scripts that run the API and a worker in production, with their node flags. */
const PRODUCTION_SCRIPTS = { api: 'start:prod', worker: 'work:prod' } as const;

/**
 * The node flags the deployment files run the API or a worker with (the heap flags), read where they are
 * written once: package.json's start:prod and work:prod, `node <flags> dist/...` (test/unit/deployment-files.spec.ts
 * holds Dockerfile, compose, supervisor and systemd to them). BENCH_SERVICE_NODE_ARGS replaces them for both, e.g.
 * with nothing to measure a build as it ran before them: `BENCH_SERVICE_NODE_ARGS= npm run bench ...`.
 */
export function serviceNodeArgs(role: keyof typeof PRODUCTION_SCRIPTS): string[] {
  if (process.env.BENCH_SERVICE_NODE_ARGS !== undefined) return process.env.BENCH_SERVICE_NODE_ARGS.split(' ').filter(Boolean);
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  const command = scripts[PRODUCTION_SCRIPTS[role]] ?? '';
  const flags = /^node((?: --[\w-]+=\d+)*) dist\//.exec(command);
  if (!flags) throw new Error(`package.json ${PRODUCTION_SCRIPTS[role]} is not "node [--flag=N ...] dist/...": ${command}`);
  return flags[1].split(' ').filter(Boolean);
}

/**
 * Starts a service process; `nodeArgs` are node's own flags (the API and the workers get serviceNodeArgs(role),
 * as in production; one-shot commands none, as in the deployment files).
 */
export function startNode(
  name: string,
  appDir: string,
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  nodeArgs: string[] = [],
): ServiceProcess {
  // BENCH_PROFILE_DIR=/tmp/x: every service process writes a V8 CPU profile there when it exits (to find out why).
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
  // BENCH_HEAP_PROFILE_DIR=/tmp/y: and a sampled profile of everything it allocated (bench/heap-sample.js).
  const heapProfileDir = process.env.BENCH_HEAP_PROFILE_DIR;
  if (heapProfileDir) profile.push('--require', join(BENCH_DIR, 'heap-sample.js'));
  // BENCH_NODE_ARGS="--trace-gc": extra node flags for the service processes (after nodeArgs: they win); BENCH_LOG_DIR: keep their whole output there.
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, ...profile, ...extra, join(appDir, script), ...args], {
    cwd: ROOT,
    env: heapProfileDir ? { ...env, BENCH_HEAP_PROFILE_DIR: heapProfileDir } : env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service = new ServiceProcess(name, child);
  if (process.env.BENCH_LOG_DIR) {
    const file = createWriteStream(join(process.env.BENCH_LOG_DIR, `${name.replace(/\W+/g, '-')}-${child.pid}.log`));
    child.stdout?.pipe(file);
    child.stderr?.pipe(file);
  }
  return service;
}

export async function startApi(appDir: string, port: number, env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<ServiceProcess> {
  const api = startNode('api', appDir, 'main.js', [], { ...env, PORT: String(port), RUN_WORKER: 'false' }, serviceNodeArgs('api'));
  await waitFor(
    `the API on port ${port}`,
    async () => {
      if (api.exited) throw new Error(`the API exited (code ${api.exitCode}):\n${api.output.text()}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health/live`);
        return response.status === 200;
      } catch {
        return false;
      }
    },
    timeoutMs,
    100,
  );
  return api;
}

export async function startWorker(
  appDir: string,
  concurrency: number,
  env: NodeJS.ProcessEnv,
  name = 'worker',
  timeoutMs = 30_000,
): Promise<ServiceProcess> {
  const worker = startNode(name, appDir, 'cli.js', ['queue:work', '--concurrency', String(concurrency)], env, serviceNodeArgs('worker'));
  // One that does not start in time is stopped, not left running unwatched.
  await worker.waitForLine(/Worker started/, timeoutMs).catch(async (error: Error) => {
    await worker.stop(2_000);
    throw error;
  });
  return worker;
}

/** Runs a CLI command of the service to the end; throws on a non-zero exit. */
export async function runCli(appDir: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<string> {
  const command = startNode(`cli ${args.join(' ')}`, appDir, 'cli.js', args, env);
  const code = await command.waitForExit(timeoutMs);
  if (code !== 0) throw new Error(`${command.name} exited ${code}:\n${command.output.text()}`);
  return command.output.text();
}

// ---------------------------------------------------------------------------------------------
// Memory

/** Milliseconds of CPU (user + system) a process has used so far, from /proc/<pid>/stat (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The fields after the command name, which may hold spaces: state is field 3, utime 14, stime 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

function rssKiB(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Reads VmRSS of the given processes every `everyMs`; keeps the peak per role (api, worker). */
export class RssSampler {
  private readonly peaks = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly processes: { role: string; process: ServiceProcess }[]) {}

  start(everyMs = 200): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    return this;
  }

  stop(): Record<string, number> {
    clearInterval(this.timer);
    this.sample();
    return Object.fromEntries([...this.peaks].map(([role, kib]) => [role, kib / 1024]));
  }

  private sample(): void {
    for (const { role, process } of this.processes) {
      if (process.exited) continue;
      const kib = rssKiB(process.pid);
      if (kib !== null) this.peaks.set(role, Math.max(this.peaks.get(role) ?? 0, kib));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The fake AI, in a process of its own (bench/fake-ai-proc.ts), driven over IPC.

export interface FakeAiStats {
  requests: number;
  inFlight: number;
  maxInFlight: number;
  /** Arrival times of the calls (ms since the epoch, fractional), in order. */
  received: number[];
  answered: number;
  errors: number;
}

type Reply = { id: number; ok: boolean; result?: unknown; error?: string };

export class FakeAiProcess {
  private nextId = 0;
  private readonly replies = new Map<number, (reply: Reply) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    child.on('message', (message: Reply) => {
      const resolve = this.replies.get(message.id);
      this.replies.delete(message.id);
      resolve?.(message);
    });
  }

  static async start(): Promise<FakeAiProcess> {
    const child = fork(join(BENCH_DIR, 'fake-ai-proc.ts'), [], {
      cwd: ROOT,
      execArgv: TS_NODE,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (message: { ready: string }) => resolve(message.ready));
      child.once('exit', (code) => reject(new Error(`the fake AI exited with ${code}`)));
    });
    return new FakeAiProcess(child, url);
  }

  private call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.replies.set(id, (reply) => (reply.ok ? resolve(reply.result as T) : reject(new Error(reply.error))));
      this.child.send({ id, command, ...args });
    });
  }

  /** Forgets recorded calls and sets the answer delay of every later call. */
  reset(delayMs: number): Promise<void> {
    return this.call('reset', { delayMs });
  }

  stats(): Promise<FakeAiStats> {
    return this.call('stats');
  }

  async stop(): Promise<void> {
    await this.call('close').catch(() => undefined);
    this.child.kill('SIGTERM');
  }
}

// ---------------------------------------------------------------------------------------------
// The baselines on bare Bull: bench/bare-worker.ts (a no-op processor on a queue of its own) and
// bench/hand-worker.ts (our job's work written by hand, on the service's queue and table).

export interface BareResult {
  completed: number;
  firstAt: number;
  lastAt: number;
}

export class BareWorkerProcess {
  private constructor(
    private readonly child: ChildProcess,
    private readonly done: Promise<BareResult>,
  ) {}

  static start(redisUrl: string, queueName: string, concurrency: number, expected: number): Promise<BareWorkerProcess> {
    return BareWorkerProcess.fork('bare-worker.ts', [redisUrl, queueName, String(concurrency), String(expected)]);
  }

  static hand(
    stores: { redisUrl: string; mysqlUrl: string; aiUrl: string },
    queueName: string,
    jobName: string,
    concurrency: number,
    expected: number,
  ): Promise<BareWorkerProcess> {
    const { redisUrl, mysqlUrl, aiUrl } = stores;
    return BareWorkerProcess.fork('hand-worker.ts', [redisUrl, queueName, jobName, String(concurrency), String(expected), mysqlUrl, aiUrl]);
  }

  private static async fork(script: string, args: string[]): Promise<BareWorkerProcess> {
    const child = fork(join(BENCH_DIR, script), args, {
      cwd: ROOT,
      execArgv: TS_NODE,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let resolveDone: (result: BareResult) => void = () => undefined;
    let rejectDone: (error: Error) => void = () => undefined;
    const done = new Promise<BareResult>((resolve, reject) => ((resolveDone = resolve), (rejectDone = reject)));
    await new Promise<void>((resolve, reject) => {
      child.on('message', (message: { ready?: true; done?: BareResult }) => {
        if (message.ready) resolve();
        if (message.done) resolveDone(message.done);
      });
      child.once('exit', (code) => {
        const error = new Error(`${script} exited with ${code}`);
        reject(error);
        rejectDone(error);
      });
    });
    return new BareWorkerProcess(child, done);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  result(timeoutMs: number): Promise<BareResult> {
    return Promise.race([
      this.done,
      sleep(timeoutMs).then(() => Promise.reject(new Error(`the bare worker did not finish within ${timeoutMs} ms`))),
    ]);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.send({ command: 'close' });
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    if (!(await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]))) this.child.kill('SIGKILL');
  }
}
