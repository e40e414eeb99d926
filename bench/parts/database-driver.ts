// Part 5, the database driver: jobs drained with QUEUE_CONNECTION=database on MariaDB and on SQLite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fmt, loadAverage } from '../lib/common';
import { Options } from '../lib/options';
import { runCli, serviceEnv, startWorker } from '../lib/processes';
import { Context, log, Results } from '../lib/results';
import { APP_DIR, waitForDrain } from '../lib/service';
import { BenchDatabase, SqliteBench } from '../lib/stores';

export async function databaseDriver(options: Options, ctx: Context, results: Results): Promise<void> {
  const n = options.jobs;
  log(`part 5, the database driver: ${n} jobs drained on MariaDB and on SQLite, the AI answering at once`);
  const sqliteDir = mkdtempSync(join(tmpdir(), 'autoseo-bench-'));
  const sqlite = new SqliteBench(join(sqliteDir, 'bench.sqlite'));
  try {
    await runCli(
      APP_DIR,
      ['migration:run'],
      serviceEnv({ DATABASE_URL: sqlite.url, QUEUE_CONNECTION: 'database', REDIS_URL: ctx.redis.url, AI_URL: ctx.fake.url }),
    );
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
