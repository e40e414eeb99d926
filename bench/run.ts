// `npm run bench`: the five parts of issue 5, against MariaDB (database `bench`), Redis (db 9), SQLite
// (a tmp dir) and the test fake of the AI in a process of its own. Prints the figures, writes
// bench/RESULTS.md and bench/latency.svg. `npm run bench -- --help` for the options.
// Each part lives in bench/parts/, the report in bench/lib/report.ts.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAverage, machineInfo, oneMinuteLoad, waitForLowLoad } from './lib/common';
import { parseOptions, usageError } from './lib/options';
import { BENCH_DIR, FakeAiProcess, runCli, serviceEnv, serviceNodeArgs } from './lib/processes';
import { writeReport } from './lib/report';
import { Context, loadResults, log, Results, saveResults } from './lib/results';
import { APP_DIR, buildService } from './lib/service';
import { MysqlBench, RedisBench } from './lib/stores';
import { aiUtilisation } from './parts/ai-utilisation';
import { createLatency } from './parts/create-latency';
import { databaseDriver } from './parts/database-driver';
import { explain } from './parts/explain';
import { queueOverhead } from './parts/queue-overhead';
import { scale } from './parts/scale';

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
        saved.results.memory = saved.results.memory
          .filter((run) => !run.part.startsWith('1 '))
          .concat(more.results.memory.filter((run) => run.part.startsWith('1 ')));
        saved.options.durationS = more.options.durationS;
        saved.results.profile.push(
          `Part 1 comes from a separate run of \`${more.options.command}\` on ${more.results.machine.date} (load at its start ${more.results.loadAtStart}).`,
        );
      }
      for (const field of ['overhead', 'utilisation', 'driver'] as const)
        if (more.results[field].size > 0) saved.results[field] = more.results[field] as never;
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
  if (options.parts.has('scale')) {
    // Its own database and its own section of RESULTS.md: the other parts' report is left as it is.
    await scale(options);
    options.parts.delete('scale');
    if (options.parts.size === 0) return;
  }

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
    machine: {
      ...machineInfo(await mysql.version(), await redis.version()),
      serviceNodeArgs: `API ${serviceNodeArgs('api').join(' ') || '(none)'}, workers ${serviceNodeArgs('worker').join(' ') || '(none)'}`,
    },
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
    log(`MySQL database \`${mysql.url.split('/').pop()}\`: dropping its tables and applying the migrations`);
    await mysql.dropAll();
    await redis.flush();
    const env = serviceEnv({ DATABASE_URL: mysql.url, QUEUE_CONNECTION: 'redis', REDIS_URL: redis.url, AI_URL: fake.url });
    await runCli(APP_DIR, ['migration:run'], env);

    if (!options.quick) await waitForLowLoad(options.maxLoad, 5 * 60_000, log);
    results.loadAtStart = loadAverage();
    if (oneMinuteLoad() >= options.maxLoad)
      results.profile.push(
        `The load average was ${results.loadAtStart} at the start (above ${options.maxLoad}): other work shared the CPUs.`,
      );
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
  process.stdout.write(
    `\n${summary.join('\n')}\n\nWrote ${options.resultsFile}${results.latency.size > 0 ? ` and ${options.svgFile}` : ''}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    process.stderr.write(`bench: ${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
