// `npm run bench -- --only scale` (issue 13): the table filled to each size of --scale-sizes (default
// 10,000 and 1,000,000) in the MariaDB database `perf`, by SQL (INSERT ... SELECT from MariaDB's sequence
// engine, never through the API), 97% processed, 2% failed, 1% pending; then each daily call timed
// through the API (QUEUE_CONNECTION=database, RUN_WORKER=false) and the CLI, the median of --runs calls
// after one warm-up, and EXPLAIN of the statements behind them. Writes its own section of bench/RESULTS.md
// (between the scale markers, leaving the rest of the file alone) and bench/out/scale.json.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createConnection, Connection, RowDataPacket } from 'mysql2/promise';
import { clientBody, companyContext } from '../../test/support/clients';
import { loadAverage, machineInfo, median } from '../lib/common';
import { Options } from '../lib/options';
import { BENCH_DIR, FakeAiProcess, runCli, serviceEnv, ServiceProcess, startApi } from '../lib/processes';
import { log } from '../lib/results';
import { APP_DIR } from '../lib/service';
import { encodePageCursor } from '../../src/clients/page-cursor';

export const PERF_URL = 'mysql://root@127.0.0.1:3306/perf';
const PORT = 3913;
const CHUNK = 100_000;
export const SCALE_START = '<!-- scale:start -->';
export const SCALE_END = '<!-- scale:end -->';

interface Call {
  name: string;
  target?: string;
  /** Times one call, in ms. */
  run: () => Promise<number>;
}

interface SizeResult {
  size: number;
  fillSeconds: number;
  timings: { name: string; target?: string; runsMs: number[]; medianMs: number }[];
  explain: { statement: string; plan: string }[];
}

async function timedFetch(url: string, init?: RequestInit): Promise<number> {
  const started = process.hrtime.bigint();
  const response = await fetch(url, init);
  await response.arrayBuffer();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (response.status >= 300) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}`);
  return ms;
}

/**
 * Adds rows id from+1..to in chunks; the status follows the id (1% pending, 2% failed, the rest processed),
 * one record a second up to now, processed or failed when created (so the last 24 hours hold 86,400 of them).
 */
async function fill(db: Connection, from: number, to: number): Promise<void> {
  const text = companyContext('Empresa', 300).replace(/'/g, "''");
  for (let start = from + 1; start <= to; start += CHUNK) {
    const end = Math.min(to, start + CHUNK - 1);
    await db.query(`
      INSERT INTO autoseo (id, client_name, client_email, url, username, password, user_app, password_app, CompanyName, Locality,
        CountryRegion, company_context, company_context_original, context_status, context_version, context_attempts, context_error,
        context_processed_at, context_available_at, context_failed_at, pin, created_at, updated_at)
      SELECT seq, CONCAT('Cliente ', seq), CONCAT('cliente', seq, '@example.com'), CONCAT('https://cliente', seq, '.example.com'),
        CONCAT('user', seq), 'v1.perf.perf.not-a-real-sealed-password-but-the-same-order-of-size', CONCAT('app', seq),
        'v1.perf.perf.not-a-real-sealed-password-but-the-same-order-of-size', CONCAT('Empresa ', seq, ' S.L.'), 'Valencia', 'ES',
        '${text}', '${text}',
        CASE WHEN seq % 100 = 0 THEN 'pending' WHEN seq % 100 IN (1, 2) THEN 'failed' ELSE 'processed' END,
        1, CASE WHEN seq % 100 = 0 THEN 0 ELSE 3 END,
        CASE WHEN seq % 100 IN (1, 2) THEN 'AI answered HTTP 500' ELSE NULL END,
        CASE WHEN seq % 100 > 2 THEN NOW(3) - INTERVAL (${to} - seq) SECOND ELSE NULL END,
        CASE WHEN seq % 100 = 0 THEN NOW(3) - INTERVAL 1 MINUTE ELSE NULL END,
        CASE WHEN seq % 100 IN (1, 2) THEN NOW(3) - INTERVAL (${to} - seq) SECOND ELSE NULL END,
        LPAD(HEX(seq % 4294967295), 8, '0'), NOW(3) - INTERVAL (${to} - seq) SECOND, NOW(3)
      FROM seq_${start}_to_${end}`);
  }
}

async function explainRows(db: Connection, sql: string, params: unknown[] = []): Promise<string> {
  const [rows] = await db.query<RowDataPacket[]>(`EXPLAIN ${sql}`, params);
  return rows
    .map((row) => `${row.table}: type=${row.type}, key=${row.key ?? '-'}, rows=${row.rows}, ${row.Extra ?? ''}`.trim())
    .join(' / ');
}

/** The statements behind the calls, as the service issues them (see ClientsService.list, RecordQueueStore.counts). */
async function explainAll(db: Connection, size: number): Promise<{ statement: string; plan: string }[]> {
  const now = new Date();
  const middle = Math.floor(size / 2);
  const statements: [string, string, unknown[]][] = [
    ['list first page', 'SELECT * FROM autoseo ORDER BY id DESC LIMIT 21', []],
    ['list, status filter', "SELECT * FROM autoseo WHERE context_status = 'failed' ORDER BY id DESC LIMIT 21", []],
    ['list, cursor deep page', 'SELECT * FROM autoseo WHERE id < ? ORDER BY id DESC LIMIT 21', [middle]],
    ['meta.total capped', 'SELECT COUNT(*) FROM (SELECT id FROM autoseo LIMIT 10001) capped', []],
    [
      'meta.total capped, status filter',
      "SELECT COUNT(*) FROM (SELECT id FROM autoseo WHERE context_status = 'failed' LIMIT 10001) capped",
      [],
    ],
    ['queue count: pending', "SELECT COUNT(*) FROM autoseo WHERE context_status = 'pending'", []],
    ['queue count: delayed', "SELECT COUNT(*) FROM autoseo WHERE context_status = 'pending' AND context_available_at > ?", [now]],
    ['queue count: active', "SELECT COUNT(*) FROM autoseo WHERE context_status = 'processing'", []],
    ['queue count: failed', "SELECT COUNT(*) FROM autoseo WHERE context_status = 'failed' AND context_failed_at IS NOT NULL", []],
    [
      'oldest waiting',
      "SELECT MIN(context_available_at) FROM autoseo WHERE context_status = 'pending' AND context_available_at <= ?",
      [now],
    ],
  ];
  const plans = [];
  for (const [statement, sql, params] of statements) plans.push({ statement, plan: await explainRows(db, sql, params) });
  return plans;
}

async function measure(size: number, runs: number, env: NodeJS.ProcessEnv): Promise<SizeResult['timings']> {
  const base = `http://127.0.0.1:${PORT}`;
  const middle = Math.floor(size / 2);
  const deepPage = Math.floor(middle / 20);
  const calls: Call[] = [
    { name: 'GET /clients?limit=20 (first page)', target: '< 50 ms, ≤ 3× 10k', run: () => timedFetch(`${base}/clients?limit=20`) },
    {
      name: 'GET /clients?context_status=failed&limit=20',
      target: '< 50 ms, ≤ 3× 10k',
      run: () => timedFetch(`${base}/clients?context_status=failed&limit=20`),
    },
    {
      name: 'GET /clients?context_status=pending&limit=20',
      target: '< 50 ms, ≤ 3× 10k',
      run: () => timedFetch(`${base}/clients?context_status=pending&limit=20`),
    },
    {
      name: `GET /clients?limit=20&cursor=… (deep page: after id ${middle})`,
      target: '< 50 ms',
      run: () => timedFetch(`${base}/clients?limit=20&cursor=${encodePageCursor(middle)}`),
    },
    {
      name: `GET /clients?limit=20&page=${deepPage} (deep page by offset, for comparison)`,
      run: () => timedFetch(`${base}/clients?limit=20&page=${deepPage}`),
    },
    { name: 'GET /clients?limit=20&total=exact (exact count asked)', run: () => timedFetch(`${base}/clients?limit=20&total=exact`) },
    { name: `GET /clients/${middle}`, target: '< 50 ms, ≤ 3× 10k', run: () => timedFetch(`${base}/clients/${middle}`) },
    {
      name: 'POST /clients',
      target: '< 50 ms, ≤ 3× 10k',
      run: () =>
        timedFetch(`${base}/clients`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(clientBody()),
        }),
    },
    { name: 'GET /health (database driver)', target: '< 50 ms, ≤ 3× 10k', run: () => timedFetch(`${base}/health`) },
    { name: 'GET /metrics (its records count is cached 5 s: most of these scrapes reuse it)', run: () => timedFetch(`${base}/metrics`) },
    { name: 'GET /dashboard/api/timeline (24 hours)', run: () => timedFetch(`${base}/dashboard/api/timeline`) },
    { name: 'GET /dashboard/api/records?search=<matches nothing>', run: () => timedFetch(`${base}/dashboard/api/records?search=zzzz`) },
    {
      name: 'queue:monitor --json (a CLI process, start-up included)',
      target: '< 2 s',
      run: async () => {
        const started = process.hrtime.bigint();
        await runCli(APP_DIR, ['queue:monitor', '--json'], env);
        return Number(process.hrtime.bigint() - started) / 1e6;
      },
    },
  ];
  const timings = [];
  for (const call of calls) {
    await call.run(); // warm-up
    const runsMs = [];
    for (let run = 0; run < runs; run++) runsMs.push(await call.run());
    timings.push({ name: call.name, target: call.target, runsMs, medianMs: median(runsMs) });
    log(`  ${size}: ${call.name}: ${median(runsMs).toFixed(1)} ms`);
  }
  return timings;
}

export async function scale(options: Options): Promise<void> {
  const admin = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  await admin.query('CREATE DATABASE IF NOT EXISTS perf');
  await admin.end();
  const db = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'perf', timezone: 'Z' });
  const fake = await FakeAiProcess.start();
  const env = serviceEnv({ DATABASE_URL: PERF_URL, QUEUE_CONNECTION: 'database', REDIS_URL: 'redis://127.0.0.1:6379/9', AI_URL: fake.url });
  const results: SizeResult[] = [];
  let api: ServiceProcess | undefined;
  try {
    log('MariaDB database `perf`: dropping its tables and applying the migrations');
    const [tables] = await db.query<RowDataPacket[]>('SHOW TABLES');
    for (const row of tables) await db.query(`DROP TABLE \`${String(Object.values(row)[0])}\``);
    await runCli(APP_DIR, ['migration:run'], env);
    let filled = 0;
    for (const size of [...options.scaleSizes].sort((a, b) => a - b)) {
      log(`filling autoseo to ${size} rows`);
      const started = Date.now();
      // The POSTs of the previous size added rows above `filled`: they go, so ids stay 1..size.
      await db.query('DELETE FROM autoseo WHERE id > ?', [filled]);
      await fill(db, filled, size);
      await db.query(`ALTER TABLE autoseo AUTO_INCREMENT = ${size + 1}`);
      await db.query('ANALYZE TABLE autoseo');
      filled = size;
      const fillSeconds = (Date.now() - started) / 1000;
      log(`filled in ${fillSeconds.toFixed(1)} s; load ${loadAverage()}`);
      api = await startApi(APP_DIR, PORT, env);
      const timings = await measure(size, options.runs, env);
      await api.stop(10_000);
      api = undefined;
      results.push({ size, fillSeconds, timings, explain: await explainAll(db, size) });
    }
  } finally {
    await api?.stop(10_000);
    await fake.stop();
    await db.end();
  }
  const [version] = await versionOf();
  const section = report(options, results, machineInfo(version, '-'));
  mkdirSync(join(BENCH_DIR, 'out'), { recursive: true });
  writeFileSync(join(BENCH_DIR, 'out', 'scale.json'), JSON.stringify(results, null, 2));
  writeSection(options.resultsFile, section);
  process.stdout.write(`\n${section}\nWrote the scale section of ${options.resultsFile}\n`);
}

async function versionOf(): Promise<[string]> {
  const db = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  const [rows] = await db.query<RowDataPacket[]>('SELECT VERSION() AS v');
  await db.end();
  return [String(rows[0].v)];
}

/** Replaces the scale section of the results file (or appends it), leaving the rest alone. */
export function writeSection(file: string, section: string): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = current.indexOf(SCALE_START);
  const end = current.indexOf(SCALE_END);
  const block = `${SCALE_START}\n${section}${SCALE_END}\n`;
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + block + current.slice(end + SCALE_END.length + 1)
      : `${current.trimEnd()}\n\n${block}`;
  writeFileSync(file, next);
}

function report(options: Options, results: SizeResult[], machine: ReturnType<typeof machineInfo>): string {
  const sizes = results.map((result) => result.size);
  const lines = [
    '## Scale (issue 13): the calls at 10k and 1M records',
    '',
    `Measured by \`${options.command}\` on ${new Date().toISOString()}: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.ramGiB} GiB RAM, ` +
      `Node ${machine.node}, MariaDB ${machine.mariadb}; load average at the end ${loadAverage()}. The table \`autoseo\` of the database ` +
      '`perf` filled by SQL (97% processed, 2% failed, 1% pending, 300-character texts), the API compiled into bench/out/app with ' +
      `\`QUEUE_CONNECTION=database\`, \`RUN_WORKER=false\`, one call at a time over loopback; each figure the median of ${options.runs} calls after one warm-up ` +
      '(every call in brackets).',
    '',
    `| call | ${sizes.map((size) => size.toLocaleString('en')).join(' | ')} | ${sizes.length > 1 ? 'ratio | ' : ''}target |`,
    `|---|${sizes.map(() => '---|').join('')}${sizes.length > 1 ? '---|' : ''}---|`,
  ];
  for (let index = 0; index < results[0].timings.length; index++) {
    const cells = results.map((result) => {
      const timing = result.timings[index];
      return `${timing.medianMs.toFixed(1)} ms [${timing.runsMs.map((ms) => ms.toFixed(1)).join(', ')}]`;
    });
    const first = results[0].timings[index].medianMs;
    const last = results[results.length - 1].timings[index].medianMs;
    const name = results[0].timings[index].name.replace(/after id \d+/, 'after the middle id').replace(/page=\d+/, 'page=<middle>');
    lines.push(
      `| ${name} | ${cells.join(' | ')} | ${sizes.length > 1 ? `${(last / first).toFixed(1)}× | ` : ''}${results[0].timings[index].target ?? ''} |`,
    );
  }
  lines.push(
    '',
    `Filling took ${results.map((result) => `${result.fillSeconds.toFixed(0)} s to ${result.size.toLocaleString('en')}`).join(', ')}.`,
    '',
  );
  for (const result of results) {
    lines.push(`EXPLAIN at ${result.size.toLocaleString('en')} rows:`, '', '| statement | plan |', '|---|---|');
    for (const { statement, plan } of result.explain) lines.push(`| ${statement} | ${plan.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
