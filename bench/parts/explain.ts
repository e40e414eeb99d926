// Where the time goes: each step of the request and job paths timed one at a time, by bench/explain.ts in a child process.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fmt, loadAverage } from '../lib/common';
import { Options } from '../lib/options';
import { BENCH_DIR, ROOT, serviceEnv } from '../lib/processes';
import { Context, log, Results } from '../lib/results';
import { APP_DIR } from '../lib/service';

export async function explain(options: Options, ctx: Context, results: Results): Promise<void> {
  log('where the time goes: each step of the request and job paths, one at a time (bench/explain.ts)');
  await ctx.resetStores();
  await ctx.fake.reset(0);
  const env = {
    ...serviceEnv({ DATABASE_URL: ctx.mysql.url, QUEUE_CONNECTION: 'redis', REDIS_URL: ctx.redis.url, AI_URL: ctx.fake.url }),
    RUN_WORKER: 'false',
    BENCH_APP_DIR: APP_DIR,
    BENCH_EXPLAIN_N: options.quick ? '100' : '300',
  };
  const output = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(BENCH_DIR, 'explain.ts')], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = output.trim().split('\n').pop() ?? '[]';
  results.explain = JSON.parse(line);
  results.explainLoad = loadAverage();
  for (const step of results.explain) log(`  ${step.step}: p50 ${fmt(step.p50, 3)} ms, mean ${fmt(step.mean, 3)} ms`);
}
