// Part 1, create latency: POST /clients at steady rates while the AI takes 30 s a call, beside GET /health/live,
// and the API's closed-loop capacity. Memory is sampled while it runs.
import autocannon from 'autocannon';
import { Agent, request as httpRequest } from 'node:http';
import { clientBody } from '../../test/support/clients';
import { closedPort } from '../../test/support/ports';
import { fmt, loadAverage, quantile } from '../lib/common';
import { Options } from '../lib/options';
import { RssSampler, serviceEnv, startApi, startWorker } from '../lib/processes';
import { Context, LatencyRun, log, Results } from '../lib/results';
import { APP_DIR, stopAll } from '../lib/service';

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
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));
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
      const headers: Record<string, string | number> =
        payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) };
      const sentAt = performance.now();
      const req = httpRequest(
        { agent, host: url.hostname, port: url.port, method: payload === undefined ? 'GET' : 'POST', path, headers },
        (res) => {
          res.resume();
          res.on('end', () => {
            const ms = performance.now() - sentAt;
            if (res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300) latencies.push(ms);
            else non2xx += 1;
            done();
          });
        },
      );
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

export async function createLatency(options: Options, ctx: Context, results: Results): Promise<void> {
  log(
    `part 1, create latency: POST /clients at ${options.rates.join(' and ')}/s for ${options.durationS} s each, the AI taking 30 s a call`,
  );
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
      results.memory.push({
        part: `1 create latency, run ${run}`,
        load: loadAverage(),
        apiMiB: peaks.api ?? NaN,
        workerMiB: peaks.worker ?? NaN,
      });
      const capacitySampler = new RssSampler([{ role: 'api', process: api }]).start();
      const capacity = await postCapacity(base, options.quick ? 3 : 10);
      const capacityPeak = capacitySampler.stop().api ?? NaN;
      const capacityRate = capacity.latencies.length / capacity.durationS;
      results.capacity.push({
        rate: capacityRate,
        p50: quantile(capacity.latencies, 0.5),
        p99: quantile(capacity.latencies, 0.99),
        load: loadAverage(),
        apiMiB: capacityPeak,
      });
      log(
        `  run ${run}, capacity (closed loop, 10 connections): ${fmt(capacityRate)} POST/s, p50 ${fmt(quantile(capacity.latencies, 0.5), 2)} ms, p99 ${fmt(quantile(capacity.latencies, 0.99), 2)} ms`,
      );
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
