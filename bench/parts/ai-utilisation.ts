// Part 3, AI utilisation: how busy the workers keep an AI that takes 500 ms a call, per worker layout.
import { clientBody } from '../../test/support/clients';
import { closedPort } from '../../test/support/ports';
import { fmt, loadAverage } from '../lib/common';
import { Options } from '../lib/options';
import { RssSampler, ServiceProcess, serviceEnv, startApi, startWorker } from '../lib/processes';
import { Context, log, Results } from '../lib/results';
import { APP_DIR, stopAll, waitForDrain } from '../lib/service';

export async function aiUtilisation(options: Options, ctx: Context, results: Results): Promise<void> {
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
      for (let index = 0; index < layout.processes; index++)
        workers.push(await startWorker(APP_DIR, layout.concurrency, env, `worker ${index + 1}`));
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
        results.memory.push({
          part: `3 AI utilisation C=${total}, run ${run}`,
          load: loadAverage(),
          apiMiB: peaks.api ?? NaN,
          workerMiB: peaks.worker ?? NaN,
        });
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
        const response = await fetch(`${base}/clients`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(clientBody()),
        });
        if (response.status !== 201) failures.push(`${response.status} ${await response.text()}`);
        else await response.arrayBuffer();
      }
    }),
  );
  if (failures.length > 0) throw new Error(`POST /clients failed ${failures.length} time(s): ${failures[0]}`);
}
