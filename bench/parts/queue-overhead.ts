// Part 2, queue overhead: jobs drained by our worker against the same work written by hand on bare Bull
// (bench/hand-worker.ts) and against a bare Bull no-op processor, in the same run, the AI answering at once.
import { fmt, loadAverage } from '../lib/common';
import { Options } from '../lib/options';
import { BareWorkerProcess, cpuMs, RssSampler, serviceEnv, startWorker } from '../lib/processes';
import { Context, log, Results } from '../lib/results';
import { APP_DIR, waitForDrain } from '../lib/service';
import { addCompanyContextJobs, addNoopJobs, COMPANY_CONTEXT_JOB, COMPANY_CONTEXT_QUEUE } from '../lib/stores';

export async function queueOverhead(options: Options, ctx: Context, results: Results): Promise<void> {
  const n = options.jobs;
  log(`part 2, queue overhead: ${n} jobs drained, the AI answering at once; ours, the same work by hand on bare Bull, a bare no-op`);
  for (let run = 1; run <= options.runs; run++) {
    for (const concurrency of options.concurrency) {
      const load = loadAverage();
      // Ours and the hand-written one back to back, so that both see the same load.
      const ours = await drainOurs(ctx, n, concurrency);
      const hand = await drainHand(ctx, n, concurrency);
      const bare = await drainBare(ctx, n, concurrency);
      const entry = results.overhead.get(concurrency) ?? [];
      entry.push({
        ours: ours.rate,
        hand: hand.rate,
        bare,
        load,
        oursCpuMs: ours.cpuMsPerJob,
        handCpuMs: hand.cpuMsPerJob,
        workerMiB: ours.workerMiB,
      });
      results.overhead.set(concurrency, entry);
      log(
        `  run ${run}, concurrency ${concurrency}: ours ${fmt(ours.rate)} jobs/s, by hand on bare Bull ${fmt(hand.rate)} jobs/s ` +
          `(${fmt(ours.rate / hand.rate, 2)}×), bare Bull no-op ${fmt(bare)} jobs/s; CPU per job ours ${fmt(ours.cpuMsPerJob, 2)} ms, ` +
          `by hand ${fmt(hand.cpuMsPerJob, 2)} ms (${fmt(hand.cpuMsPerJob / ours.cpuMsPerJob, 2)}×); our worker's peak RSS ` +
          `${fmt(((ours.workerMiB ?? NaN) * 1048576) / 1e6)} MB; load ${load}`,
      );
    }
  }
}

/**
 * A drain's rate, and the CPU (user + system) its worker process used per job from the resume to the last
 * job: the second is what the worker itself costs, whatever else shares the cores.
 */
interface Drain {
  rate: number;
  cpuMsPerJob: number;
  /** Our worker's peak RSS during the drain. */
  workerMiB?: number;
}

async function drainOurs(ctx: Context, n: number, concurrency: number): Promise<Drain> {
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
    const cpuAtStart = cpuMs(worker.pid);
    const sampler = new RssSampler([{ role: 'worker', process: worker }]).start();
    await queue.resume();
    await waitForDrain(ctx.mysql, n, n / 20 + 60);
    const cpuMsPerJob = (cpuMs(worker.pid) - cpuAtStart) / n;
    const workerMiB = sampler.stop().worker;
    const state = await ctx.mysql.drainState();
    if (state.processed !== n) throw new Error(`our worker processed ${state.processed} of ${n} (failed ${state.failed})`);
    const stats = await ctx.fake.stats();
    if (stats.requests !== n) ctx.notes.push(`queue overhead: the AI received ${stats.requests} calls for ${n} jobs`);
    return { rate: (n - 1) / (state.spanMs / 1000), cpuMsPerJob, workerMiB };
  } finally {
    await queue.close();
    await worker.stop();
  }
}

/** The same rows and jobs as drainOurs, drained by bench/hand-worker.ts; the rate is read from the table the same way. */
async function drainHand(ctx: Context, n: number, concurrency: number): Promise<Drain> {
  await ctx.resetStores();
  await ctx.fake.reset(0);
  const stores = { redisUrl: ctx.redis.url, mysqlUrl: ctx.mysql.url, aiUrl: ctx.fake.url };
  const hand = await BareWorkerProcess.hand(stores, COMPANY_CONTEXT_QUEUE, COMPANY_CONTEXT_JOB, concurrency, n);
  const queue = ctx.redis.queue(COMPANY_CONTEXT_QUEUE);
  try {
    await queue.pause();
    await ctx.mysql.insertPending(n);
    await addCompanyContextJobs(queue, n);
    const cpuAtStart = cpuMs(hand.pid);
    await queue.resume();
    await hand.result((n / 20 + 60) * 1000);
    const cpuMsPerJob = (cpuMs(hand.pid) - cpuAtStart) / n;
    await waitForDrain(ctx.mysql, n, 60);
    const state = await ctx.mysql.drainState();
    if (state.processed !== n) throw new Error(`the hand-written worker processed ${state.processed} of ${n} (failed ${state.failed})`);
    return { rate: (n - 1) / (state.spanMs / 1000), cpuMsPerJob };
  } finally {
    await queue.close();
    await hand.stop();
  }
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
