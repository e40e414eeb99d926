// The command line of `npm run bench`: which parts run, for how long, and where the report goes.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_DIR } from './processes';

export const PARTS = ['create-latency', 'queue-overhead', 'ai-utilisation', 'memory', 'database-driver', 'explain', 'scale'] as const;
/** Parts that run only when named in --only: scale fills a table to a million rows. */
const ON_REQUEST: readonly string[] = ['scale'];
export type Part = (typeof PARTS)[number];

export const USAGE = `Usage: npm run bench -- [options]

  --only LIST          parts to run, comma separated: ${PARTS.join(', ')}
                       (memory is measured during create-latency and ai-utilisation;
                       explain times each step of the request and job paths, one at a time;
                       scale fills the MariaDB database \`perf\` to each --scale-sizes and times the daily
                       calls there; it runs only when named)
  --scale-sizes LIST   table sizes for scale, on MariaDB (default 10000,100000,1000000)
  --scale-sqlite-size N  the SQLite size for scale (default 100000; 0 leaves SQLite out)
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

export interface Options {
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
  scaleSizes: number[];
  scaleSqliteSize: number;
  build: boolean;
  resultsFile: string;
  svgFile: string;
  reportFrom?: string;
  command: string;
}

export function usageError(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

function numbers(name: string, value: string): number[] {
  const list = value.split(',').map((item) => Number(item.trim()));
  if (list.length === 0 || list.some((item) => !Number.isFinite(item) || item <= 0))
    usageError(`--${name}: expected positive numbers, got "${value}"`);
  return list;
}

export function parseOptions(): Options {
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
        'scale-sizes': { type: 'string' },
        'scale-sqlite-size': { type: 'string' },
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
  const only =
    typeof values.only === 'string'
      ? values.only.split(',').map((part) => part.trim())
      : PARTS.filter((part) => !ON_REQUEST.includes(part));
  for (const part of only) if (!PARTS.includes(part as Part)) usageError(`--only: unknown part "${part}"`);
  const lanes = (typeof values['ai-lanes'] === 'string' ? values['ai-lanes'] : '1x1,2x2').split(',').map((layout) => {
    const match = /^(\d+)x(\d+)$/.exec(layout.trim());
    if (!match) usageError(`--ai-lanes: expected PROCESSESxCONCURRENCY like 2x2, got "${layout}"`);
    return { processes: Number(match[1]), concurrency: Number(match[2]) };
  });
  const one = (name: string, fallback: number) => (typeof values[name] === 'string' ? numbers(name, values[name])[0] : fallback);
  const resultsFile =
    typeof values.results === 'string'
      ? values.results
      : quick
        ? join(BENCH_DIR, 'out', 'RESULTS.quick.md')
        : join(BENCH_DIR, 'RESULTS.md');
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
    scaleSizes: typeof values['scale-sizes'] === 'string' ? numbers('scale-sizes', values['scale-sizes']) : [10_000, 100_000, 1_000_000],
    // 0 leaves SQLite out.
    scaleSqliteSize: values['scale-sqlite-size'] === '0' ? 0 : one('scale-sqlite-size', 100_000),
    build: !values['no-build'],
    resultsFile,
    reportFrom: typeof values['report-from'] === 'string' ? values['report-from'] : undefined,
    svgFile: quick ? join(BENCH_DIR, 'out', 'latency.quick.svg') : join(BENCH_DIR, 'latency.svg'),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
  };
}
