// `npm run chaos -- [--minutes M] [--seed S] [--report FILE] [--app DIR] [--history FILE]`: minutes of load on the service (the API and
// three `queue:work` processes on Redis) with faults injected on a schedule drawn from the seed, a quiet
// end where the queue drains, then the invariants of scripts/chaos/checker.ts over the whole history.
// Private MariaDB and Redis servers on free loopback ports, started and stopped by the run.
// Exits 0 when every invariant holds, 1 otherwise.
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { sleep } from '../../bench/lib/common';
import { ROOT, ServiceProcess, serviceEnv, startApi, startWorker } from '../../bench/lib/processes';
import { compileService } from '../../bench/lib/service';
import { clientBody, companyContext } from '../../test/support/clients';
import { Random } from '../../test/support/fuzz';
import { AiCall, ApiCall, ApiOperation, checkRun, FaultEvent, FinalRow, formatReport } from './checker';
import { PlannedFault, planFaults } from './schedule';
import { freePort, PrivateMariaDb, PrivateRedis } from './servers';

const CHAOS_DIR = __dirname;
const OWN_BUILD = join(CHAOS_DIR, 'out', 'app');
const WORKERS = 3;
const AI_TIMEOUT_MS = 2_000;
// How long the API and a worker may take to start: generous, as the machine may be shared (CI, `npm test`).
const START_TIMEOUT_MS = 120_000;

interface Options {
  minutes: number;
  seed: number;
  report: string;
  /** The compiled service to run; OWN_BUILD is compiled first unless --no-build. */
  app: string;
  build: boolean;
  /** Where to write the whole history and the final rows as JSON (to check again or study). */
  history?: string;
}

const describe = (fault: PlannedFault) =>
  `${(fault.at / 1000).toFixed(1)}s ${fault.lane}: ${fault.kind}` +
  (fault.durationMs ? ` for ${fault.durationMs} ms` : ` (worker ${fault.worker})`);

function parseOptions(argv: string[]): Options {
  const options: Options = {
    minutes: 3,
    seed: Math.floor(Math.random() * 2 ** 31),
    report: join(ROOT, 'docs', 'CHAOS.md'),
    app: OWN_BUILD,
    build: true,
  };
  for (let index = 0; index < argv.length; index += 1) {
    const [name, value] = [argv[index], argv[index + 1]];
    if (name === '--minutes' && Number(value) > 0) options.minutes = Number(value);
    else if (name === '--seed' && Number.isInteger(Number(value))) options.seed = Number(value);
    else if (name === '--report' && value) options.report = value;
    else if (name === '--history' && value) options.history = value;
    else if (name === '--app' && value) {
      // Another build of the service, e.g. dist/ as `npm test` built it: run as it is.
      options.app = join(ROOT, value);
      options.build = false;
    } else if (name === '--no-build') {
      options.build = false;
      continue;
    } else {
      process.stderr.write(
        'usage: npm run chaos -- [--minutes M (default 3)] [--seed S] [--report FILE (default docs/CHAOS.md)] ' +
          '[--no-build | --app DIR (a compiled service, e.g. dist)] [--history FILE (JSON)]\n',
      );
      process.exit(2);
    }
    index += 1;
  }
  return options;
}

// Times in the history are ms since the load began; set again when it begins.
let t0 = Date.now();
const now = () => Date.now() - t0;
const stamp = () => `[${(now() / 1000).toFixed(1).padStart(6)}s]`;
const log = (line: string) => process.stdout.write(`${stamp()} ${line}\n`);

function buildService(): void {
  log('building the service into scripts/chaos/out/app');
  compileService(OWN_BUILD);
}

/** The fake AI (scripts/chaos/fake-ai.ts) in its own process. */
class ChaosAi {
  private nextId = 0;
  private readonly replies = new Map<number, (reply: { ok: boolean; result?: unknown; error?: string }) => void>();

  private constructor(
    private readonly child: ReturnType<typeof fork>,
    readonly url: string,
  ) {
    child.on('message', (message: { id: number; ok: boolean; result?: unknown; error?: string }) => {
      this.replies.get(message.id)?.(message);
      this.replies.delete(message.id);
    });
  }

  static async start(): Promise<ChaosAi> {
    const child = fork(join(CHAOS_DIR, 'fake-ai.ts'), [String(AI_TIMEOUT_MS * 3), '400'], {
      cwd: ROOT,
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      child.once('message', (message: { ready: string }) => resolve(message.ready));
      child.once('exit', (code) => reject(new Error(`the fake AI exited with ${code}`)));
    });
    return new ChaosAi(child, url);
  }

  call<T>(command: string, args: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.replies.set(id, (reply) => (reply.ok ? resolve(reply.result as T) : reject(new Error(reply.error))));
      if (!this.child.connected) return reject(new Error('the fake AI has exited'));
      this.child.send({ id, command, ...args }, (error) => error && reject(error));
    });
  }

  async stop(): Promise<void> {
    await this.call('close').catch(() => undefined);
    this.child.kill('SIGTERM');
  }
}

/** The load: clients created at a steady rate; some edited, reprocessed or deleted a little later. */
class Load {
  readonly calls: ApiCall[] = [];
  private readonly pending = new Set<Promise<void>>();
  private serial = 0;

  constructor(
    private readonly base: string,
    private readonly random: Random,
  ) {}

  private async request(op: ApiOperation, method: string, path: string, body?: unknown, id?: number, original?: string): Promise<ApiCall> {
    const call: ApiCall = { op, at: now(), end: 0, status: 0, id, original };
    try {
      const response = await fetch(`${this.base}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      call.status = response.status;
      const text = await response.text();
      if (op === 'create' && response.status === 201) call.id = (JSON.parse(text) as { id: number }).id;
    } catch {
      call.status = 0;
    }
    call.end = now();
    this.calls.push(call);
    return call;
  }

  private original(label: string): string {
    this.serial += 1;
    return companyContext(`${label} ${this.serial}-${Math.floor(this.random.next() * 1e9)}`, this.random.int(150, 600));
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  /** One new client, and what may happen to it afterwards. */
  createOne(): void {
    const original = this.original('Empresa');
    const later = this.random.weighted([
      [14, 'nothing'],
      [3, 'patch'],
      [1, 'patch-twice'],
      [1, 'reprocess'],
      [1, 'delete'],
    ] as const);
    const delays = [this.random.int(0, 2_500), this.random.int(0, 2_500)];
    this.track(
      (async () => {
        const created = await this.request('create', 'POST', '/clients', clientBody({ company_context: original }), undefined, original);
        if (created.status !== 201 || created.id === undefined || later === 'nothing') return;
        const id = created.id;
        const steps = later === 'patch-twice' ? ['patch', 'patch'] : [later];
        for (const [index, step] of steps.entries()) {
          await sleep(delays[index]);
          if (step === 'patch') {
            const next = this.original('Editada');
            await this.request('patch', 'PATCH', `/clients/${id}`, { company_context: next }, id, next);
          } else if (step === 'reprocess') await this.request('reprocess', 'POST', `/clients/${id}/context/reprocess`, undefined, id);
          else await this.request('delete', 'DELETE', `/clients/${id}`, undefined, id);
        }
      })(),
    );
  }

  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const loadMs = options.minutes * 60_000;
  const plan = planFaults(options.seed, 8_000, loadMs - 10_000, WORKERS);
  log(`chaos run: seed ${options.seed}, ${options.minutes} minute(s) of load, ${plan.length} faults planned:`);
  for (const fault of plan) log(`  plan: ${describe(fault)}`);

  if (options.build) buildService();
  else if (!existsSync(join(options.app, 'main.js'))) throw new Error(`${join(options.app, 'main.js')} is missing: build it first`);

  const dir = mkdtempSync(join(tmpdir(), 'autoseo-chaos-'));
  const mariadb = new PrivateMariaDb(await freePort(), join(dir, 'mysql'));
  const redis = new PrivateRedis(await freePort(), join(dir, 'redis'));
  const workers: ServiceProcess[] = [];
  const unexpected: string[] = [];
  let api: ServiceProcess | undefined;
  let ai: ChaosAi | undefined;
  let supervising = true;
  let supervisor: Promise<void> | undefined;
  // Ctrl-C or SIGTERM: stop the children (they are ours) before leaving.
  let stopping = false;
  const interrupt = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping`);
    stopping = true;
    supervising = false;
    void Promise.all([...workers, ...(api ? [api] : [])].map((service) => service.stop(2_000)))
      .then(() => ai?.stop())
      .then(() => Promise.all([redis.stop('SIGKILL').catch(() => undefined), mariadb.stop('SIGKILL').catch(() => undefined)]))
      .finally(() => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(130);
      });
  };
  process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
  try {
    await mariadb.install();
    await redis.start();
    log(`MariaDB on 127.0.0.1:${mariadb.port}, Redis on 127.0.0.1:${redis.port} (in ${dir})`);
    ai = await ChaosAi.start();
    const chaosAiUrl = ai.url;
    const env = serviceEnv({
      DATABASE_URL: mariadb.url,
      QUEUE_CONNECTION: 'redis',
      REDIS_URL: redis.url,
      AI_URL: ai.url,
      AI_TIMEOUT_MS: String(AI_TIMEOUT_MS),
      JOB_TIMEOUT_MS: '20000',
      QUEUE_TRIES: '3',
      QUEUE_BACKOFF_MS: '500',
      QUEUE_CONCURRENCY: '2',
      QUEUE_STALLED_MS: '3000',
      RECONCILE_INTERVAL_MS: '4000',
      AI_BREAKER_THRESHOLD: '3',
      AI_COOLDOWN_MS: '1500',
    });
    const apiPort = await freePort();
    api = await startApi(options.app, apiPort, { ...env, DB_MIGRATE: 'true' }, START_TIMEOUT_MS);
    // Each worker calls the AI with `?worker=N`, so the fake AI's log names the worker of every call.
    let workerSerial = 0;
    const workerNumbers = new Map<ServiceProcess, number>();
    const newWorker = async () => {
      workerSerial += 1;
      const aiUrl = `${chaosAiUrl}?worker=${workerSerial}`;
      const worker = await startWorker(options.app, 2, { ...env, AI_URL: aiUrl }, `worker ${workerSerial}`, START_TIMEOUT_MS);
      workerNumbers.set(worker, workerSerial);
      workers.push(worker);
      return worker;
    };
    for (let index = 0; index < WORKERS; index += 1) await newWorker();
    log(`API on 127.0.0.1:${apiPort}, ${WORKERS} workers, fake AI at ${ai.url}`);

    // Workers that die on their own (not by a fault) are noted and replaced.
    const retired = new Set<ServiceProcess>();
    supervisor = (async () => {
      while (supervising) {
        for (const worker of [...workers]) {
          if (worker.exited && !retired.has(worker)) {
            retired.add(worker);
            workers.splice(workers.indexOf(worker), 1);
            const last = worker.output.text().split('\n').slice(-3).join(' | ');
            const line = `${worker.name} exited by itself (code ${worker.exitCode}) at ${(now() / 1000).toFixed(1)}s: ${last}`;
            unexpected.push(line);
            log(`UNEXPECTED ${line}`);
            await newWorker().catch((error: Error) => log(`could not start a worker: ${error.message}`));
          }
        }
        await sleep(500);
      }
    })();

    t0 = Date.now();
    log('load and faults begin');
    const faults: FaultEvent[] = [];
    const chaosAi = ai;
    // The event goes into the history even when the injection fails halfway (e.g. the replacement worker does not
    // start): the fault happened, and the checker must see it.
    const inject = async (fault: PlannedFault) => {
      const event: FaultEvent = { kind: fault.kind, start: now(), end: 0 };
      log(`FAULT ${fault.kind} begins`);
      try {
        await injectInto(fault, event);
      } finally {
        event.end = now();
        faults.push(event);
        log(`FAULT ${fault.kind} ends after ${((event.end - event.start) / 1000).toFixed(1)} s${event.detail ? ` (${event.detail})` : ''}`);
      }
    };
    const injectInto = async (fault: PlannedFault, event: FaultEvent) => {
      if (fault.kind === 'kill-worker' || fault.kind === 'term-worker') {
        const victim = workers[fault.worker % workers.length];
        if (!victim) {
          event.detail = 'no worker running';
          return;
        }
        retired.add(victim);
        event.detail = victim.name;
        event.worker = workerNumbers.get(victim);
        victim.child.kill(fault.kind === 'kill-worker' ? 'SIGKILL' : 'SIGTERM');
        const code = await victim.waitForExit(60_000);
        workers.splice(workers.indexOf(victim), 1);
        if (fault.kind === 'term-worker') event.detail += `, exit ${code}`;
        await newWorker();
      } else if (fault.kind === 'redis-restart' || fault.kind === 'redis-wipe') {
        await redis.stop(fault.kind === 'redis-wipe' ? 'SIGKILL' : 'SIGTERM');
        if (fault.kind === 'redis-wipe') redis.wipe();
        await sleep(fault.durationMs);
        await redis.start();
      } else if (fault.kind === 'db-stop') {
        await mariadb.stop('SIGKILL');
        await sleep(fault.durationMs);
        await mariadb.start();
      } else {
        await chaosAi.call('mode', { mode: fault.kind.slice(3) });
        await sleep(fault.durationMs);
        await chaosAi.call('mode', { mode: 'ok' });
      }
    };
    const lane = async (name: PlannedFault['lane']) => {
      for (const fault of plan.filter((planned) => planned.lane === name)) {
        if (fault.at > now()) await sleep(fault.at - now());
        if (stopping) return;
        await inject(fault).catch((error: Error) => {
          unexpected.push(`injecting ${fault.kind} failed: ${error.message}`);
          log(`UNEXPECTED injecting ${fault.kind} failed: ${error.message}`);
        });
      }
    };
    const lanes = Promise.all([lane('infrastructure'), lane('ai')]);

    const load = new Load(`http://127.0.0.1:${apiPort}`, new Random(options.seed + 1));
    const everyMs = 350;
    for (let next = now(); now() < loadMs && !stopping; next += everyMs) {
      load.createOne();
      await sleep(Math.max(0, next + everyMs - now()));
    }
    log('load ends; waiting for the last requests and faults');
    await load.settle();
    await lanes;
    log(`quiet: ${load.calls.length} requests sent, ${faults.length} faults injected; waiting for the queue to drain`);

    const rows = await drain(mariadb);
    const aiCalls = (await chaosAi.call<AiCall[]>('calls')).map((call) => ({
      ...call,
      at: call.at - t0,
      end: call.end === undefined ? undefined : call.end - t0,
    }));
    supervising = false;
    await supervisor;
    supervisor = undefined;

    const history = { faults, api: load.calls, ai: aiCalls };
    if (options.history) writeFileSync(options.history, JSON.stringify({ seed: options.seed, history, rows }));
    const report = checkRun(history, rows);
    const lines = [
      `# Chaos run`,
      '',
      `\`npm run chaos -- --minutes ${options.minutes} --seed ${options.seed}\` ` +
        `on ${new Date(t0).toISOString().slice(0, 16).replace('T', ' ')} UTC: ` +
        `${load.calls.filter((call) => call.op === 'create').length} creates, ${load.calls.length} requests in all, ` +
        `${aiCalls.length} AI calls, ${faults.length} faults, ${rows.length} rows at the end; ` +
        `${report.ok ? 'every invariant holds' : 'INVARIANTS FAILED'}.`,
      '',
      '## Invariants',
      '',
      ...formatReport(report),
      '',
      unexpected.length === 0
        ? 'No worker exited by itself.'
        : `Workers that exited by themselves:\n\n${unexpected.map((line) => `- ${line}`).join('\n')}`,
      '',
      '## Schedule (drawn from the seed)',
      '',
      ...plan.map((fault) => `- ${describe(fault)}`),
      '',
    ];
    process.stdout.write(`\n${lines.join('\n')}\n`);
    mkdirSync(join(options.report, '..'), { recursive: true });
    writeFileSync(options.report, lines.join('\n'));
    log(`report written to ${relative(ROOT, options.report)}`);
    process.exitCode = report.ok ? 0 : 1;
  } finally {
    supervising = false;
    await supervisor;
    await Promise.all([...workers, ...(api ? [api] : [])].map((service) => service.stop(10_000)));
    await ai?.stop();
    await redis.stop('SIGTERM').catch(() => undefined);
    await mariadb.stop('SIGTERM').catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Waits until no record is pending or processing (twice in a row), then reads every row. */
async function drain(mariadb: PrivateMariaDb): Promise<FinalRow[]> {
  const connection = await createConnection({ host: '127.0.0.1', port: mariadb.port, user: 'root', database: 'chaos' });
  try {
    const deadline = Date.now() + 180_000;
    let quietPolls = 0;
    let last = '';
    while (quietPolls < 2) {
      const [counts] = await connection.query('SELECT context_status AS status, COUNT(*) AS n FROM autoseo GROUP BY context_status');
      const byStatus = Object.fromEntries((counts as { status: string; n: number }[]).map((row) => [row.status, Number(row.n)]));
      const open = (byStatus.pending ?? 0) + (byStatus.processing ?? 0);
      const line = JSON.stringify(byStatus);
      if (line !== last) log(`records by status: ${line}`);
      last = line;
      quietPolls = open === 0 ? quietPolls + 1 : 0;
      if (Date.now() > deadline) {
        log('the queue did not drain within 180 s; checking what is there');
        break;
      }
      await sleep(1_000);
    }
    const [rows] = await connection.query('SELECT id, context_status, company_context, company_context_original FROM autoseo ORDER BY id');
    return rows as FinalRow[];
  } finally {
    await connection.end();
  }
}

// Exits explicitly: a pooled keep-alive connection or a timer of a library must not keep a finished run waiting.
main().then(
  () => process.exit(),
  (error: Error) => {
    process.stderr.write(`chaos run failed: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
