// `npm run bench`: the five parts of issue 5, against MariaDB (database `bench`), Redis (db 9), SQLite
// (a tmp dir) and the test fake of the AI in a process of its own. Prints the figures, writes
// bench/RESULTS.md and bench/latency.svg. `npm run bench -- --help` for the options.
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Agent, request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { clientBody } from '../test/support/clients';
import { closedPort } from '../test/support/ports';
import { fmt, loadAverage, machineInfo, MachineInfo, median, oneMinuteLoad, quantile, sleep, waitFor, waitForLowLoad } from './lib/common';
import {
  BareWorkerProcess,
  BENCH_DIR,
  FakeAiProcess,
  ROOT,
  RssSampler,
  runCli,
  ServiceProcess,
  serviceEnv,
  startApi,
  startWorker,
} from './lib/processes';
import { addCompanyContextJobs, addNoopJobs, BenchDatabase, COMPANY_CONTEXT_QUEUE, MysqlBench, RedisBench, SqliteBench } from './lib/stores';
import { latencySvg, LatencySeries } from './lib/svg';

const PARTS = ['create-latency', 'queue-overhead', 'ai-utilisation', 'memory', 'database-driver', 'explain'] as const;
type Part = (typeof PARTS)[number];

const USAGE = `Usage: npm run bench -- [options]

  --only LIST          parts to run, comma separated: ${PARTS.join(', ')}
                       (memory is measured during create-latency and ai-utilisation;
                       explain times each step of the request and job paths, one at a time)
  --quick              a smoke run: 1 run, 5 s per rate, 1,000 jobs, 5 s of AI work
  --runs N             runs per figure (default 3; the median is reported)
  --duration S         seconds per rate in create-latency (default 30)
  --rates LIST         request rates for create-latency (default 100,300)
  --jobs N             jobs drained in queue-overhead and database-driver (default 10000)
  --concurrency LIST   worker concurrency for queue-overhead (default 1,8)
  --driver-concurrency LIST  worker concurrency for database-driver (default 8)
  --ai-lanes LIST      worker layouts for ai-utilisation, processes x concurrency (default 1x1,2x2)
  --ai-seconds S       seconds of AI work per ai-utilisation run (default 20)
  --max-load L         wait (up to 5 min) for the 1-minute load average to fall below L before starting (default 1.5)
  --no-build           use the service already built in bench/out/app
  --report-from FILE   write RESULTS.md again from the figures a run saved (bench/out/results.json), running nothing
  --results FILE       where to write the results (default bench/RESULTS.md; --quick writes bench/out/RESULTS.quick.md)`;

interface Options {
  parts: Set<Part>;
  quick: boolean;
  runs: number;
  durationS: number;
  rates: number[];
  jobs: number;
  concurrency: number[];
  driverConcurrency: number[];
  aiLanes: { processes: number; concurrency: number }[];
  aiSeconds: number;
  maxLoad: number;
  build: boolean;
  resultsFile: string;
  svgFile: string;
  reportFrom?: string;
  command: string;
}

function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function numbers(name: string, value: string): number[] {
  const list = value.split(',').map((item) => Number(item.trim()));
  if (list.length === 0 || list.some((item) => !Number.isFinite(item) || item <= 0)) usageError(`--${name}: expected positive numbers, got "${value}"`);
  return list;
}

function parseOptions(): Options {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        only: { type: 'string' },
        quick: { type: 'boolean' },
        runs: { type: 'string' },
        duration: { type: 'string' },
        rates: { type: 'string' },
        jobs: { type: 'string' },
        concurrency: { type: 'string' },
        'driver-concurrency': { type: 'string' },
        'ai-lanes': { type: 'string' },
        'ai-seconds': { type: 'string' },
        'max-load': { type: 'string' },
        'no-build': { type: 'boolean' },
        results: { type: 'string' },
        'report-from': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    usageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = Boolean(values.quick);
  const only = typeof values.only === 'string' ? values.only.split(',').map((part) => part.trim()) : [...PARTS];
  for (const part of only) if (!PARTS.includes(part as Part)) usageError(`--only: unknown part "${part}"`);
  const lanes = (typeof values['ai-lanes'] === 'string' ? values['ai-lanes'] : '1x1,2x2').split(',').map((layout) => {
    const match = /^(\d+)x(\d+)$/.exec(layout.trim());
    if (!match) usageError(`--ai-lanes: expected PROCESSESxCONCURRENCY like 2x2, got "${layout}"`);
    return { processes: Number(match[1]), concurrency: Number(match[2]) };
  });
  const one = (name: string, fallback: number) => (typeof values[name] === 'string' ? numbers(name, values[name] as string)[0] : fallback);
  const resultsFile = typeof values.results === 'string' ? values.results : quick ? join(BENCH_DIR, 'out', 'RESULTS.quick.md') : join(BENCH_DIR, 'RESULTS.md');
  return {
    parts: new Set(only as Part[]),
    quick,
    runs: one('runs', quick ? 1 : 3),
    durationS: one('duration', quick ? 5 : 30),
    rates: typeof values.rates === 'string' ? numbers('rates', values.rates) : [100, 300],
    jobs: one('jobs', quick ? 1000 : 10_000),
    concurrency: typeof values.concurrency === 'string' ? numbers('concurrency', values.concurrency) : [1, 8],
    driverConcurrency: typeof values['driver-concurrency'] === 'string' ? numbers('driver-concurrency', values['driver-concurrency']) : [8],
    aiLanes: lanes,
    aiSeconds: one('ai-seconds', quick ? 5 : 20),
    maxLoad: one('max-load', 1.5),
    build: !values['no-build'],
    resultsFile,
    reportFrom: typeof values['report-from'] === 'string' ? values['report-from'] : undefined,
    svgFile: quick ? join(BENCH_DIR, 'out', 'latency.quick.svg') : join(BENCH_DIR, 'latency.svg'),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  };
}

const log = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

// ---------------------------------------------------------------------------------------------
// The service under test: compiled from src/ into bench/out/app, so that other builds of dist/ during
// the run cannot pull the files from under the processes.

// BENCH_APP_DIR (with --no-build) runs another build of the service, e.g. a patched copy to try a fix.
const APP_DIR = process.env.BENCH_APP_DIR ?? join(BENCH_DIR, 'out', 'app');

function buildService(): void {
  log('building the service into bench/out/app (tsc -p tsconfig.build.json)');
  mkdirSync(join(BENCH_DIR, 'out'), { recursive: true });
  try {
    execFileSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', APP_DIR, '--tsBuildInfoFile', join(BENCH_DIR, 'out', 'app.tsbuildinfo'), '--sourceMap', 'false'],
      { cwd: ROOT, stdio: 'inherit' },
    );
  } catch {
    if (!existsSync(join(APP_DIR, 'main.js'))) throw new Error('the service did not build');
    log('warning: tsc reported errors (files being edited?); running what it emitted');
  }
  const prompts = join(ROOT, 'src', 'ai', 'prompt');
  mkdirSync(join(APP_DIR, 'ai', 'prompt'), { recursive: true });
  for (const file of readdirSync(prompts).filter((name) => name.endsWith('.txt'))) cpSync(join(prompts, file), join(APP_DIR, 'ai', 'prompt', file));
}

// ---------------------------------------------------------------------------------------------
// Results

interface LatencyRun {
  load: string;
  postP50: number;
  postP99: number;
  liveP50: number;
  liveP99: number;
  posts: number;
  achievedRate: number;
  non2xx: number;
  errors: number;
}

interface MemoryRun {
  part: string;
  load: string;
  apiMiB: number;
  workerMiB: number;
}

interface Results {
  machine: MachineInfo;
  latency: Map<number, { runs: LatencyRun[]; post: number[]; live: number[] }>;
  latencyNotes: string[];
  capacity: { rate: number; p50: number; p99: number; load: string; apiMiB?: number }[];
  overhead: Map<number, { ours: number; bare: number; load: string }[]>;
  overheadNotes: string[];
  utilisation: Map<string, { total: number; runs: { rate: number; limit: number; maxInFlight: number; calls: number; load: string }[] }>;
  memory: MemoryRun[];
  driver: Map<string, { rate: number; load: string }[]>;
  profile: string[];
  explain: { step: string; n: number; p50: number; mean: number }[];
  explainLoad?: string;
  started: Date;
  loadAtStart: string;
}

// ---------------------------------------------------------------------------------------------
// Part 1: create latency

interface LoadResult {
  latencies: number[];
  non2xx: number;
  errors: number;
  sent: number;
  durationS: number;
}

function runLoad(options: autocannon.Options): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let non2xx = 0;
    let errors = 0;
    const started = performance.now();
    const instance = autocannon({ ...options }, (error) => {
      if (error) return reject(error);
      resolve({ latencies, non2xx, errors, sent: latencies.length + non2xx, durationS: (performance.now() - started) / 1000 });
    });
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
      else non2xx += 1;
    });
    instance.on('reqError', () => (errors += 1));
  });
}

/**
 * Open-loop load at a steady rate, paced with Node's own timers: request i is sent at start + i / rate,
 * whatever the answers before it did (autocannon's rate limit sends each connection's quota for the second
 * in one burst at the start of the second, which measures queueing in the burst rather than the service).
 * Latency runs from writing the request to the end of the response.
 */
function pacedLoad(base: string, path: string, rate: number, durationS: number, body?: () => string): Promise<LoadResult> {
  const url = new URL(base);
  const agent = new Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(rate * durationS);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let scheduled = 0;
  let finished = 0;
  const started = performance.now();
  return new Promise((resolve) => {
    const done = () => {
      finished += 1;
      if (finished === total) {
        agent.destroy();
        resolve({ latencies, non2xx, errors, sent: total, durationS: (performance.now() - started) / 1000 });
      }
    };
    const fire = () => {
      const payload = body?.();
      const headers: Record<string, string | number> = payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
      const sentAt = performance.now();
      const req = httpRequest({ agent, host: url.hostname, port: url.port, method: payload === undefined ? 'GET' : 'POST', path, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          const ms = performance.now() - sentAt;
          if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) latencies.push(ms);
          else non2xx += 1;
          done();
        });
      });
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors += 1;
        done();
      });
      req.end(payload);
    };
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
      while (scheduled < due) {
        scheduled += 1;
        fire();
      }
      if (scheduled < total) setTimeout(tick, 1);
    };
    tick();
  });
}

function postLoad(base: string, rate: number, durationS: number): Promise<LoadResult> {
  return pacedLoad(base, '/clients', rate, durationS, () => JSON.stringify(clientBody()));
}

function liveLoad(base: string, durationS: number): Promise<LoadResult> {
  return pacedLoad(base, '/health/live', 20, durationS);
}

/** Closed loop (autocannon, 10 connections, each sending as soon as its last answer came): how many POSTs/s the API takes at most. */
function postCapacity(base: string, durationS: number): Promise<LoadResult> {
  return runLoad({
    url: base,
    connections: 10,
    duration: durationS,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/clients',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => ({ ...request, body: JSON.stringify(clientBody()) }),
      },
    ],
  });
}

async function createLatency(options: Options, ctx: Context, results: Results): Promise<void> {
  log(`part 1, create latency: POST /clients at ${options.rates.join(' and ')}/s for ${options.durationS} s each, the AI taking 30 s a call`);
  for (let run = 1; run <= options.runs; run++) {
    await ctx.resetStores();
    await ctx.fake.reset(30_000);
    const port = await closedPort();
    const env = serviceEnv({ DATABASE_URL: ctx.mysql.url, QUEUE_CONNECTION: 'redis', REDIS_URL: ctx.redis.url, AI_URL: ctx.fake.url });
    const api = await startApi(APP_DIR, port, env);
    const worker = await startWorker(APP_DIR, 1, env);
    const sampler = new RssSampler([
      { role: 'api', process: api },
      { role: 'worker', process: worker },
    ]).start();
    const base = `http://127.0.0.1:${port}`;
    try {
      log(`  run ${run}: warming up (${options.quick ? 2 : 5} s at 100/s)`);
      await Promise.all([postLoad(base, 100, options.quick ? 2 : 5), liveLoad(base, options.quick ? 2 : 5)]);
      for (const rate of options.rates) {
        const load = loadAverage();
        const [post, live] = await Promise.all([postLoad(base, rate, options.durationS), liveLoad(base, options.durationS)]);
        const entry = results.latency.get(rate) ?? { runs: [], post: [], live: [] };
        const figures: LatencyRun = {
          load,
          postP50: quantile(post.latencies, 0.5),
          postP99: quantile(post.latencies, 0.99),
          liveP50: quantile(live.latencies, 0.5),
          liveP99: quantile(live.latencies, 0.99),
          posts: post.latencies.length,
          achievedRate: post.sent / post.durationS,
          non2xx: post.non2xx + live.non2xx,
          errors: post.errors + live.errors,
        };
        entry.runs.push(figures);
        for (const value of post.latencies) entry.post.push(value);
        for (const value of live.latencies) entry.live.push(value);
        results.latency.set(rate, entry);
        log(
          `  run ${run}, ${rate}/s: POST p50 ${fmt(figures.postP50, 2)} ms, p99 ${fmt(figures.postP99, 2)} ms (${figures.posts} created, ${fmt(figures.achievedRate)}/s); ` +
            `live p50 ${fmt(figures.liveP50, 2)} ms, p99 ${fmt(figures.liveP99, 2)} ms; non-2xx ${figures.non2xx}, errors ${figures.errors}; load ${load}`,
        );
      }
      // Memory is judged at the asked rates; the capacity probe below goes past them, its peak is noted apart.
      const peaks = sampler.stop();
      results.memory.push({ part: `1 create latency, run ${run}`, load: loadAverage(), apiMiB: peaks.api ?? NaN, workerMiB: peaks.worker ?? NaN });
      const capacitySampler = new RssSampler([{ role: 'api', process: api }]).start();
      const capacity = await postCapacity(base, options.quick ? 3 : 10);
      const capacityPeak = capacitySampler.stop().api ?? NaN;
      const capacityRate = capacity.latencies.length / capacity.durationS;
      results.capacity.push({ rate: capacityRate, p50: quantile(capacity.latencies, 0.5), p99: quantile(capacity.latencies, 0.99), load: loadAverage(), apiMiB: capacityPeak });
      log(`  run ${run}, capacity (closed loop, 10 connections): ${fmt(capacityRate)} POST/s, p50 ${fmt(quantile(capacity.latencies, 0.5), 2)} ms, p99 ${fmt(quantile(capacity.latencies, 0.99), 2)} ms`);
      const stats = await ctx.fake.stats();
      results.latencyNotes.push(
        `run ${run}: ${await ctx.mysql.count()} rows created; the AI received ${stats.requests} call(s), ${stats.inFlight} still in flight (max ${stats.maxInFlight}) at the end`,
      );
    } finally {
      sampler.stop();
      await stopAll([worker, api], 2_000);
    }
  }
}

async function stopAll(processes: ServiceProcess[], graceMs = 10_000): Promise<void> {
  await Promise.all(processes.map((process) => process.stop(graceMs)));
}

// ---------------------------------------------------------------------------------------------
// Part 2: queue overhead

async function queueOverhead(options: Options, ctx: Context, results: Results): Promise<void> {
  const n = options.jobs;
  log(`part 2, queue overhead: ${n} jobs drained, the AI answering at once; ours versus a bare Bull no-op processor`);
  for (let run = 1; run <= options.runs; run++) {
    for (const concurrency of options.concurrency) {
      const load = loadAverage();
      const ours = await drainOurs(ctx, n, concurrency);
      const bare = await drainBare(ctx, n, concurrency);
      const entry = results.overhead.get(concurrency) ?? [];
      entry.push({ ours, bare, load });
      results.overhead.set(concurrency, entry);
      log(`  run ${run}, concurrency ${concurrency}: ours ${fmt(ours)} jobs/s, bare Bull ${fmt(bare)} jobs/s (${fmt(ours / bare, 2)}×); load ${load}`);
    }
  }
}

async function drainOurs(ctx: Context, n: number, concurrency: number): Promise<number> {
  await ctx.resetStores();
  await ctx.fake.reset(0);
  const env = serviceEnv({
    DATABASE_URL: ctx.mysql.url,
    QUEUE_CONNECTION: 'redis',
    REDIS_URL: ctx.redis.url,
    AI_URL: ctx.fake.url,
    // The periodic reconcile pass would not come round within a drain anyway; the one at start finds nothing.
    RECONCILE_INTERVAL_MS: '0',
  });
  const worker = await startWorker(APP_DIR, concurrency, env);
  const queue = ctx.redis.queue(COMPANY_CONTEXT_QUEUE);
  try {
    // Every job is in the queue before the first runs: the rate is the drain's alone.
    await queue.pause();
    await ctx.mysql.insertPending(n);
    await addCompanyContextJobs(queue, n);
    await queue.resume();
    await waitForDrain(ctx.mysql, n, n / 20 + 60);
    const state = await ctx.mysql.drainState();
    if (state.processed !== n) throw new Error(`our worker processed ${state.processed} of ${n} (failed ${state.failed})`);
    const stats = await ctx.fake.stats();
    if (stats.requests !== n) ctx.notes.push(`queue overhead: the AI received ${stats.requests} calls for ${n} jobs`);
    return (n - 1) / (state.spanMs / 1000);
  } finally {
    await queue.close();
    await worker.stop();
  }
}

async function waitForDrain(db: BenchDatabase, n: number, timeoutS: number): Promise<void> {
  await waitFor(
    `${n} records processed`,
    async () => {
      const state = await db.drainState();
      return state.processed + state.failed >= n;
    },
    timeoutS * 1000,
    500,
  );
}

async function drainBare(ctx: Context, n: number, concurrency: number): Promise<number> {
  await ctx.redis.flush();
  const name = 'bench-noop';
  const bare = await BareWorkerProcess.start(ctx.redis.url, name, concurrency, n);
  const queue = ctx.redis.queue(name);
  try {
    await queue.pause();
    await addNoopJobs(queue, n);
    await queue.resume();
    const result = await bare.result((n / 20 + 60) * 1000);
    return (n - 1) / ((result.lastAt - result.firstAt) / 1000);
  } finally {
    await queue.close();
    await bare.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Part 3: AI utilisation

async function aiUtilisation(options: Options, ctx: Context, results: Results): Promise<void> {
  const aiMs = 500;
  log(`part 3, AI utilisation: the AI taking ${aiMs} ms a call, about ${options.aiSeconds} s of work per run`);
  for (let run = 1; run <= options.runs; run++) {
    for (const layout of options.aiLanes) {
      const total = layout.processes * layout.concurrency;
      const limit = total / (aiMs / 1000);
      const calls = Math.round(limit * options.aiSeconds);
      await ctx.resetStores();
      await ctx.fake.reset(aiMs);
      const port = await closedPort();
      const env = serviceEnv({ DATABASE_URL: ctx.mysql.url, QUEUE_CONNECTION: 'redis', REDIS_URL: ctx.redis.url, AI_URL: ctx.fake.url });
      const api = await startApi(APP_DIR, port, env);
      const workers: ServiceProcess[] = [];
      for (let index = 0; index < layout.processes; index++) workers.push(await startWorker(APP_DIR, layout.concurrency, env, `worker ${index + 1}`));
      const sampler = new RssSampler([{ role: 'api', process: api }, ...workers.map((process) => ({ role: 'worker', process }))]).start();
      const load = loadAverage();
      try {
        // Clients created through the API, as users would, faster than the AI can take them.
        await createClients(`http://127.0.0.1:${port}`, calls, 10);
        await waitForDrain(ctx.mysql, calls, options.aiSeconds * 3 + 30);
        const stats = await ctx.fake.stats();
        const received = [...stats.received].sort((a, b) => a - b);
        const rate = (received.length - total) / ((received[received.length - 1] - received[0]) / 1000);
        const label = `${layout.processes}x${layout.concurrency}`;
        const entry = results.utilisation.get(label) ?? { total, runs: [] };
        entry.runs.push({ rate, limit, maxInFlight: stats.maxInFlight, calls: stats.requests, load });
        results.utilisation.set(label, entry);
        log(
          `  run ${run}, C=${total} (${layout.processes} worker(s) × ${layout.concurrency}): ${fmt(rate, 2)} calls/s of ${fmt(limit, 2)} (${fmt(rate / limit, 3)}), ` +
            `max in flight ${stats.maxInFlight}, ${stats.requests} calls for ${calls} clients; load ${load}`,
        );
      } finally {
        const peaks = sampler.stop();
        results.memory.push({ part: `3 AI utilisation C=${total}, run ${run}`, load: loadAverage(), apiMiB: peaks.api ?? NaN, workerMiB: peaks.worker ?? NaN });
        await stopAll([...workers, api]);
      }
    }
  }
}

async function createClients(base: string, count: number, parallel: number): Promise<void> {
  let next = 0;
  const failures: string[] = [];
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        next += 1;
        const response = await fetch(`${base}/clients`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(clientBody()) });
        if (response.status !== 201) failures.push(`${response.status} ${await response.text()}`);
        else await response.arrayBuffer();
      }
    }),
  );
  if (failures.length > 0) throw new Error(`POST /clients failed ${failures.length} time(s): ${failures[0]}`);
}

// ---------------------------------------------------------------------------------------------
// Part 5: the database driver

async function databaseDriver(options: Options, ctx: Context, results: Results): Promise<void> {
  const n = options.jobs;
  log(`part 5, the database driver: ${n} jobs drained on MariaDB and on SQLite, the AI answering at once`);
  const sqliteDir = mkdtempSync(join(tmpdir(), 'autoseo-bench-'));
  const sqlite = new SqliteBench(join(sqliteDir, 'bench.sqlite'));
  try {
    await runCli(APP_DIR, ['migration:run'], serviceEnv({ DATABASE_URL: sqlite.url, QUEUE_CONNECTION: 'database', REDIS_URL: ctx.redis.url, AI_URL: ctx.fake.url }));
    for (let run = 1; run <= options.runs; run++) {
      for (const db of [ctx.mysql, sqlite] as BenchDatabase[]) {
        for (const concurrency of options.driverConcurrency) {
          const load = loadAverage();
          await db.reset();
          await ctx.redis.flush();
          await ctx.fake.reset(0);
          await db.setPaused(true);
          const worker = await startWorker(
            APP_DIR,
            concurrency,
            serviceEnv({ DATABASE_URL: db.url, QUEUE_CONNECTION: 'database', REDIS_URL: ctx.redis.url, AI_URL: ctx.fake.url }),
          );
          try {
            await db.insertPending(n);
            await db.setPaused(false);
            await waitForDrain(db, n, n / 10 + 60);
            const state = await db.drainState();
            if (state.processed !== n) throw new Error(`${db.label}: processed ${state.processed} of ${n} (failed ${state.failed})`);
            const rate = (n - 1) / (state.spanMs / 1000);
            const key = `${db.label}|${concurrency}`;
            results.driver.set(key, [...(results.driver.get(key) ?? []), { rate, load }]);
            log(`  run ${run}, ${db.label}, concurrency ${concurrency}: ${fmt(rate)} jobs/s; load ${load}`);
          } finally {
            await worker.stop();
          }
        }
      }
    }
  } finally {
    await sqlite.close();
    rmSync(sqliteDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Where the time goes (bench/explain.ts in a child process)

async function explain(options: Options, ctx: Context, results: Results): Promise<void> {
  log('where the time goes: each step of the request and job paths, one at a time (bench/explain.ts)');
  await ctx.resetStores();
  await ctx.fake.reset(0);
  const env = {
    ...serviceEnv({ DATABASE_URL: ctx.mysql.url, QUEUE_CONNECTION: 'redis', REDIS_URL: ctx.redis.url, AI_URL: ctx.fake.url }),
    RUN_WORKER: 'false',
    BENCH_APP_DIR: APP_DIR,
    BENCH_EXPLAIN_N: options.quick ? '100' : '300',
  };
  const output = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(BENCH_DIR, 'explain.ts')], { cwd: ROOT, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const line = output.trim().split('\n').pop() ?? '[]';
  results.explain = JSON.parse(line);
  results.explainLoad = loadAverage();
  for (const step of results.explain) log(`  ${step.step}: p50 ${fmt(step.p50, 3)} ms, mean ${fmt(step.mean, 3)} ms`);
}

// ---------------------------------------------------------------------------------------------
// Report

const pass = (ok: boolean) => (ok ? '**pass**' : '**MISS**');

function report(options: Options, results: Results): { markdown: string; summary: string[] } {
  const m = results.machine;
  const lines: string[] = [];
  const summary: string[] = [];
  lines.push('# Benchmark results (issue 5)', '');
  lines.push(`Generated by \`${options.command}\` (bench/run.ts) on ${m.date}; ${options.runs} run(s) per figure, the median shown, each run's value in brackets.`);
  if (options.quick) lines.push('', '> **Smoke run (--quick)**: short durations, one run; not the figures to judge by.');
  lines.push('', '## Machine', '');
  lines.push('| | |', '|---|---|');
  lines.push(`| CPUs (nproc) | ${m.nproc} |`, `| CPU model | ${m.cpuModel} |`, `| RAM | ${m.ramGiB} GiB |`, `| kernel | ${m.kernel} |`);
  lines.push(`| Node | ${m.node} |`, `| MariaDB | ${m.mariadb} |`, `| Redis | ${m.redis} |`);
  lines.push(`| load average (1, 5, 15 min) at start | ${results.loadAtStart} |`, `| load average at the end | ${loadAverage()} |`);
  lines.push('');
  lines.push(
    'Everything runs on this one machine over loopback: the service (compiled from `src/` into `bench/out/app`), ' +
      'the fake AI (test/support/fake-ai-server.ts, in a process of its own), the load generators (a paced `node:http` client for the fixed ' +
      'rates and autocannon for the closed-loop capacity, both in the benchmark process), MariaDB and Redis. Service settings: `LOG_LEVEL=warn`, `RATE_LIMIT=0`, `NODE_ENV=development`, ' +
      'no `API_TOKEN`, `AI_TIMEOUT_MS=45000`, `JOB_TIMEOUT_MS=60000`, the API with `RUN_WORKER=false` and dedicated ' +
      '`queue:work` processes. Load averages are noted per run: other test suites share the 2 cores at times.',
  );

  // Summary table
  lines.push('', '## Figures and targets', '');
  lines.push('| figure | result (median) | target | |', '|---|---|---|---|');
  const row = (figure: string, value: string, target: string, ok: boolean | null) => {
    lines.push(`| ${figure} | ${value} | ${target} | ${ok === null ? '' : pass(ok)} |`);
    summary.push(`${figure}: ${value}${target ? ` (target ${target}: ${ok === null ? '-' : ok ? 'pass' : 'MISS'})` : ''}`);
  };
  const runsOf = (values: number[], digits = 1) => `[${values.map((value) => fmt(value, digits)).join(', ')}]`;
  for (const [rate, entry] of [...results.latency].sort((a, b) => a[0] - b[0])) {
    const postP50 = median(entry.runs.map((run) => run.postP50));
    const postP99 = median(entry.runs.map((run) => run.postP99));
    const liveP50 = median(entry.runs.map((run) => run.liveP50));
    const liveP99 = median(entry.runs.map((run) => run.liveP99));
    row(`1. POST /clients p50 at ${rate}/s`, `${fmt(postP50, 2)} ms ${runsOf(entry.runs.map((run) => run.postP50), 2)}`, `≤ 4 × live p50 = ${fmt(4 * liveP50, 2)} ms`, postP50 <= 4 * liveP50);
    row(`1. POST /clients p99 at ${rate}/s`, `${fmt(postP99, 2)} ms ${runsOf(entry.runs.map((run) => run.postP99), 2)}`, rate === 300 ? '< 25 ms' : '', rate === 300 ? postP99 < 25 : null);
    row(`1. GET /health/live p50 / p99 beside it`, `${fmt(liveP50, 2)} / ${fmt(liveP99, 2)} ms`, '', null);
    row(`1. POST rate achieved at ${rate}/s`, `${fmt(median(entry.runs.map((run) => run.achievedRate)))}/s, non-2xx ${entry.runs.reduce((sum, run) => sum + run.non2xx, 0)}, errors ${entry.runs.reduce((sum, run) => sum + run.errors, 0)}`, '', null);
  }
  if ((results.capacity ?? []).length > 0) {
    row(
      '1. POST /clients capacity (closed loop, 10 connections)',
      `${fmt(median(results.capacity.map((run) => run.rate)))}/s ${runsOf(results.capacity.map((run) => run.rate))}, p50 ${fmt(median(results.capacity.map((run) => run.p50)), 2)} ms`,
      '',
      null,
    );
  }
  for (const [concurrency, runs] of [...results.overhead].sort((a, b) => a[0] - b[0])) {
    const ours = median(runs.map((run) => run.ours));
    const bare = median(runs.map((run) => run.bare));
    const ratio = median(runs.map((run) => run.ours / run.bare));
    row(`2. our jobs/s, concurrency ${concurrency}`, `${fmt(ours)} ${runsOf(runs.map((run) => run.ours))}`, '≥ 500/s', ours >= 500);
    row(`2. bare Bull no-op jobs/s, concurrency ${concurrency}`, `${fmt(bare)} ${runsOf(runs.map((run) => run.bare))}`, '', null);
    row(`2. ours / bare, concurrency ${concurrency}`, `${fmt(ratio, 2)} ${runsOf(runs.map((run) => run.ours / run.bare), 2)}`, '≥ 0.5', ratio >= 0.5);
  }
  for (const [label, entry] of results.utilisation) {
    const ratio = median(entry.runs.map((run) => run.rate / run.limit));
    const maxInFlight = Math.max(...entry.runs.map((run) => run.maxInFlight));
    row(
      `3. AI calls/s, C=${entry.total} (${label.replace('x', ' worker(s) × ')})`,
      `${fmt(median(entry.runs.map((run) => run.rate)), 2)} of ${fmt(entry.runs[0].limit, 2)}/s = ${fmt(ratio, 3)} ${runsOf(entry.runs.map((run) => run.rate / run.limit), 3)}`,
      '≥ 0.95 of C / 0.5 s',
      ratio >= 0.95,
    );
    row(`3. most AI calls in flight, C=${entry.total}`, `${maxInFlight} ${runsOf(entry.runs.map((run) => run.maxInFlight), 0)}`, `≤ ${entry.total}`, maxInFlight <= entry.total);
  }
  for (const [scope, prefix] of [
    ['during 1', '1 '],
    ['during 3', '3 '],
  ] as const) {
    const runs = results.memory.filter((run) => run.part.startsWith(prefix));
    if (runs.length === 0) continue;
    const api = Math.max(...runs.map((run) => run.apiMiB));
    const worker = Math.max(...runs.map((run) => run.workerMiB));
    const mb = (mib: number) => (mib * 2 ** 20) / 1e6;
    row(`4. peak RSS of the API ${scope}`, `${fmt(mb(api))} MB = ${fmt(api)} MiB (highest of ${runs.length} runs)`, '< 200 MB', mb(api) < 200);
    row(`4. peak RSS of a worker ${scope}`, `${fmt(mb(worker))} MB = ${fmt(worker)} MiB (highest of ${runs.length} runs)`, '< 200 MB', mb(worker) < 200);
  }
  for (const [key, runs] of results.driver) {
    const [label, concurrency] = key.split('|');
    row(`5. database driver on ${label}, concurrency ${concurrency}`, `${fmt(median(runs.map((run) => run.rate)))} jobs/s ${runsOf(runs.map((run) => run.rate))}`, 'none', null);
  }

  // Details per part
  if (results.latency.size > 0) {
    lines.push('', '## 1. Create latency', '');
    lines.push(
      `POST /clients (a valid body, a new client each time) at a steady rate, open loop, paced with Node's timers (request i sent at start + i / rate over keep-alive connections), for ${options.durationS} s per rate after a warm-up, ` +
        'while GET /health/live runs beside it at 20 req/s, paced the same way, on the same server. (autocannon\'s own rate limit was not used: it sends each connection\'s quota for a second in one burst, which times the burst.) ' +
        'Then the capacity: autocannon closed loop, 10 connections, 10 s. The AI (fake) takes 30 s per call and one worker ' +
        '(concurrency 1) is calling it, so the API has jobs queued behind a busy AI the whole time. Latency runs from writing the request to reading the whole response, ' +
        'full resolution, 2xx only. Queue: Redis (Bull); database: MariaDB.',
      '',
    );
    lines.push('| rate | run | load avg | POST p50 | POST p99 | live p50 | live p99 | created | achieved/s | non-2xx | errors |', '|---|---|---|---|---|---|---|---|---|---|---|');
    for (const [rate, entry] of [...results.latency].sort((a, b) => a[0] - b[0])) {
      entry.runs.forEach((run, index) =>
        lines.push(
          `| ${rate}/s | ${index + 1} | ${run.load} | ${fmt(run.postP50, 2)} | ${fmt(run.postP99, 2)} | ${fmt(run.liveP50, 2)} | ${fmt(run.liveP99, 2)} | ${run.posts} | ${fmt(run.achievedRate)} | ${run.non2xx} | ${run.errors} |`,
        ),
      );
    }
    if ((results.capacity ?? []).length > 0) {
      lines.push('', 'Capacity (autocannon closed loop, 10 connections, after the fixed rates, same server):', '');
      lines.push('| run | load avg | POST/s | p50 ms | p99 ms | API peak RSS MiB |', '|---|---|---|---|---|---|');
      results.capacity.forEach((run, index) => lines.push(`| ${index + 1} | ${run.load} | ${fmt(run.rate)} | ${fmt(run.p50, 2)} | ${fmt(run.p99, 2)} | ${fmt(run.apiMiB ?? NaN)} |`));
    }
    lines.push('', ...results.latencyNotes.map((note) => `- ${note}`));
    lines.push('', `![latency distributions](${options.quick ? 'out/latency.quick.svg' : 'latency.svg'})`, '', 'All runs pooled per series; latency on a log scale.');
  }
  if (results.overhead.size > 0) {
    lines.push('', '## 2. Queue overhead', '');
    lines.push(
      `${options.jobs} pending records inserted into \`autoseo\` and ${options.jobs} jobs added to the \`company-context\` Bull queue with the service's own ` +
        'job options (`companyContextJobOptions`: id `client-<id>-v1`, 3 attempts, removeOnComplete) while the queue is globally paused; then resumed, ' +
        'and one `queue:work --concurrency N` process drains them against the fake AI answering at once (a real HTTP call each). The rate is ' +
        '(N − 1) / (last `context_processed_at` − first). The baseline: a bare Bull processor doing nothing, in its own process, with the same ' +
        'concurrency, on queue `bench-noop` in the same Redis db, the same number of jobs with the same options, timed from its first to its last ' +
        '`completed` event. Per job ours does: Bull fetch + lock, UPDATE claim + SELECT (readClaim), the AI call (POST to the fake, JSON), ' +
        'UPDATE complete, Bull move-to-completed; plus one stdout line per job from `queue:work`.',
      '',
    );
    lines.push('| concurrency | run | load avg | ours jobs/s | bare jobs/s | ratio |', '|---|---|---|---|---|---|');
    for (const [concurrency, runs] of [...results.overhead].sort((a, b) => a[0] - b[0])) {
      runs.forEach((run, index) => lines.push(`| ${concurrency} | ${index + 1} | ${run.load} | ${fmt(run.ours)} | ${fmt(run.bare)} | ${fmt(run.ours / run.bare, 2)} |`));
    }
    if (results.overheadNotes.length > 0) lines.push('', ...results.overheadNotes.map((note) => `- ${note}`));
  }
  if (results.utilisation.size > 0) {
    lines.push('', '## 3. AI utilisation', '');
    lines.push(
      `The fake AI answers after 500 ms. Clients are created through POST /clients (10 in parallel, much faster than the AI), so the API ` +
        `enqueues; C = worker processes × concurrency. ${options.aiSeconds} s of AI work per run (2·C·${options.aiSeconds} calls). Calls/s achieved = ` +
        '(calls − C) / (arrival of the last call − arrival of the first), from the fake\'s own clock; the limit is C / 0.5 s. The fake counts calls in flight.',
      '',
    );
    lines.push('| layout | run | load avg | calls | calls/s | limit | ratio | max in flight |', '|---|---|---|---|---|---|---|---|');
    for (const [label, entry] of results.utilisation) {
      entry.runs.forEach((run, index) =>
        lines.push(`| ${label} (C=${entry.total}) | ${index + 1} | ${run.load} | ${run.calls} | ${fmt(run.rate, 2)} | ${fmt(run.limit, 2)} | ${fmt(run.rate / run.limit, 3)} | ${run.maxInFlight} |`),
      );
    }
  }
  if (results.memory.length > 0) {
    lines.push('', '## 4. Memory', '');
    lines.push('Peak VmRSS (from /proc/<pid>/status, sampled every 200 ms) of the API process and of the worker process(es), during each run of parts 1 and 3.', '');
    lines.push('| during | load avg after | API peak MiB | worker peak MiB |', '|---|---|---|---|');
    for (const run of results.memory) lines.push(`| ${run.part} | ${run.load} | ${fmt(run.apiMiB)} | ${fmt(run.workerMiB)} |`);
  }
  if (results.driver.size > 0) {
    lines.push('', '## 5. The database driver', '');
    lines.push(
      `\`QUEUE_CONNECTION=database\`: ${options.jobs} pending records inserted while the queue is paused (the \`queue_state\` row), then resumed; one ` +
        '`queue:work --concurrency N` process claims them straight from the table (MariaDB: `SELECT … FOR UPDATE SKIP LOCKED` in a transaction, ' +
        'then UPDATE; SQLite: SELECT then a guarded UPDATE) and calls the fake AI answering at once. Rate = (N − 1) / (last − first `context_processed_at`). ' +
        'No target: compare with the Redis rows of part 2 to see when to move to Redis.',
      '',
    );
    lines.push('| database | concurrency | run | load avg | jobs/s |', '|---|---|---|---|---|');
    for (const [key, runs] of results.driver) {
      const [label, concurrency] = key.split('|');
      runs.forEach((run, index) => lines.push(`| ${label} | ${concurrency} | ${index + 1} | ${run.load} | ${fmt(run.rate)} |`));
    }
  }
  if (results.explain.length > 0) {
    lines.push('', '## Where the time goes', '');
    lines.push(
      `Each step timed ${results.explain[0].n} times one after the other (no concurrency) inside the service (bench/explain.ts, MariaDB + Redis, ` +
        `the fake AI answering at once); load average ${results.explainLoad}.`,
      '',
    );
    lines.push('| step | p50 ms | mean ms |', '|---|---|---|');
    for (const step of results.explain) lines.push(`| ${step.step.replace(/^ +/, '↳ ')} | ${fmt(step.p50, 3)} | ${fmt(step.mean, 3)} |`);
  }
  if (results.profile.length > 0) lines.push('', '## Notes', '', ...results.profile.map((note) => `- ${note}`));
  // The reading of the figures (why a target is missed, what to change) is written by hand in bench/ANALYSIS.md.
  const analysis = join(BENCH_DIR, 'ANALYSIS.md');
  if (existsSync(analysis)) lines.push('', readFileSync(analysis, 'utf8').trim());
  return { markdown: `${lines.join('\n')}\n`, summary };
}

// ---------------------------------------------------------------------------------------------

interface Context {
  mysql: MysqlBench;
  redis: RedisBench;
  fake: FakeAiProcess;
  notes: string[];
  resetStores(): Promise<void>;
}

const MAP_FIELDS = ['latency', 'overhead', 'utilisation', 'driver'] as const;

function saveResults(file: string, options: Options, results: Results): void {
  const plain: Record<string, unknown> = { ...results };
  for (const field of MAP_FIELDS) plain[field] = [...results[field]];
  const { parts, ...rest } = options;
  writeFileSync(file, JSON.stringify({ options: { ...rest, parts: [...parts] }, results: plain }));
}

function loadResults(file: string): { options: Options; results: Results } {
  const saved = JSON.parse(readFileSync(file, 'utf8'));
  const results = saved.results;
  for (const field of MAP_FIELDS) results[field] = new Map(results[field]);
  return { options: { ...saved.options, parts: new Set(saved.options.parts) }, results };
}

function writeReport(options: Options, results: Results): string[] {
  const { markdown, summary } = report(options, results);
  mkdirSync(join(BENCH_DIR, 'out'), { recursive: true });
  writeFileSync(options.resultsFile, markdown);
  if (results.latency.size > 0) {
    const series: LatencySeries[] = [];
    const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];
    [...results.latency].sort((a, b) => a[0] - b[0]).forEach(([rate, entry], index) => {
      series.push({ label: `POST /clients at ${rate}/s`, samples: entry.post, color: colors[index % colors.length] });
      series.push({ label: `GET /health/live beside ${rate}/s`, samples: entry.live, color: colors[index % colors.length], dashed: true });
    });
    writeFileSync(
      options.svgFile,
      latencySvg('Create latency while the AI takes 30 s a call', `${results.machine.nproc} CPUs, ${results.machine.cpuModel}; ${options.runs} run(s) of ${options.durationS} s pooled; ${results.machine.date.slice(0, 10)}`, series),
    );
  }
  return summary;
}

async function main(): Promise<void> {
  const options = parseOptions();
  if (options.reportFrom) {
    const files = options.reportFrom.split(',');
    const saved = loadResults(files[0]);
    // Later files replace the parts they measured (e.g. create-latency measured again on its own).
    for (const file of files.slice(1)) {
      const more = loadResults(file);
      if (more.results.latency.size > 0) {
        saved.results.latency = more.results.latency;
        saved.results.latencyNotes = more.results.latencyNotes;
        saved.results.capacity = more.results.capacity;
        saved.results.memory = saved.results.memory.filter((run) => !run.part.startsWith('1 ')).concat(more.results.memory.filter((run) => run.part.startsWith('1 ')));
        saved.options.durationS = more.options.durationS;
        saved.results.profile.push(`Part 1 comes from a separate run of \`${more.options.command}\` on ${more.results.machine.date} (load at its start ${more.results.loadAtStart}).`);
      }
      for (const field of ['overhead', 'utilisation', 'driver'] as const) if (more.results[field].size > 0) saved.results[field] = more.results[field] as never;
      if (more.results.explain.length > 0) saved.results.explain = more.results.explain;
    }
    const summary = writeReport({ ...saved.options, resultsFile: options.resultsFile, svgFile: options.svgFile }, saved.results);
    process.stdout.write(`${summary.join('\n')}\n\nWrote ${options.resultsFile} from ${options.reportFrom}\n`);
    return;
  }
  if (options.parts.has('memory')) {
    options.parts.add('create-latency');
    options.parts.add('ai-utilisation');
  }
  if (options.build) buildService();
  else if (!existsSync(join(APP_DIR, 'main.js'))) usageError('--no-build: bench/out/app/main.js is missing; run once without --no-build');

  const mysql = await MysqlBench.open();
  const redis = new RedisBench();
  const fake = await FakeAiProcess.start();
  const notes: string[] = [];
  const ctx: Context = {
    mysql,
    redis,
    fake,
    notes,
    async resetStores() {
      await mysql.reset();
      await redis.flush();
    },
  };
  const results: Results = {
    machine: machineInfo(await mysql.version(), await redis.version()),
    latency: new Map(),
    latencyNotes: [],
    capacity: [],
    overhead: new Map(),
    overheadNotes: notes,
    utilisation: new Map(),
    memory: [],
    driver: new Map(),
    profile: [],
    explain: [],
    started: new Date(),
    loadAtStart: '',
  };
  try {
    log('MySQL database `bench`: dropping its tables and applying the migrations');
    await mysql.dropAll();
    await redis.flush();
    const env = serviceEnv({ DATABASE_URL: mysql.url, QUEUE_CONNECTION: 'redis', REDIS_URL: redis.url, AI_URL: fake.url });
    await runCli(APP_DIR, ['migration:run'], env);

    if (!options.quick) await waitForLowLoad(options.maxLoad, 5 * 60_000, log);
    results.loadAtStart = loadAverage();
    if (oneMinuteLoad() >= options.maxLoad) results.profile.push(`The load average was ${results.loadAtStart} at the start (above ${options.maxLoad}): other work shared the CPUs.`);
    log(`load average ${results.loadAtStart}; parts: ${[...options.parts].join(', ')}`);

    if (options.parts.has('create-latency')) await createLatency(options, ctx, results);
    if (options.parts.has('queue-overhead')) await queueOverhead(options, ctx, results);
    if (options.parts.has('ai-utilisation')) await aiUtilisation(options, ctx, results);
    if (options.parts.has('database-driver')) await databaseDriver(options, ctx, results);
    if (options.parts.has('explain')) await explain(options, ctx, results);
  } finally {
    await fake.stop();
    await redis.flush().catch(() => undefined);
    await redis.close();
    await mysql.close();
  }

  mkdirSync(join(BENCH_DIR, 'out'), { recursive: true });
  saveResults(join(BENCH_DIR, 'out', options.quick ? 'results.quick.json' : 'results.json'), options, results);
  const summary = writeReport(options, results);
  process.stdout.write(`\n${summary.join('\n')}\n\nWrote ${options.resultsFile}${results.latency.size > 0 ? ` and ${options.svgFile}` : ''}\n`);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
