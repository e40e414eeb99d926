// `npm run bench -- --only scale` (issue 13): the table filled to each size of --scale-sizes (default
// 10,000, 100,000 and 1,000,000) in the MariaDB database `perf`, by SQL (INSERT ... SELECT from MariaDB's
// sequence engine, never through the API), 97% processed, 2% failed, 1% pending; at each size the daily
// calls timed through the API (RUN_WORKER=false) and the CLI with QUEUE_CONNECTION=database, then the
// calls where the `redis` driver differs (/health, queue:monitor, a queue:reconcile pass) with
// QUEUE_CONNECTION=redis (Redis db 6); then the same daily calls on SQLite at --scale-sqlite-size (default
// 100,000; a file in a tmp dir, filled by one recursive INSERT). Each figure the median of --runs calls
// after one warm-up; EXPLAIN of the statements behind them on MariaDB. Writes its own section of
// bench/RESULTS.md (between the scale markers, leaving the rest of the file alone), the log-log plot
// bench/scale.svg and bench/out/scale.json.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { createConnection, Connection, RowDataPacket } from 'mysql2/promise';
import { clientBody, companyContext } from '../../test/support/clients';
import { loadAverage, machineInfo, median } from '../lib/common';
import { Options } from '../lib/options';
import { BENCH_DIR, FakeAiProcess, runCli, serviceEnv, ServiceProcess, startApi } from '../lib/processes';
import { SCALE_END, SCALE_START } from '../lib/report';
import { log } from '../lib/results';
import { APP_DIR } from '../lib/service';
import { scaleSvg, SizeSeries } from '../lib/svg';
import { encodePageCursor } from '../../src/clients/page-cursor';

// better-sqlite3 ships no types: the few calls used, typed here.
interface SqliteDb {
  exec(sql: string): void;
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Sqlite = require('better-sqlite3') as new (path: string) => SqliteDb;

export const PERF_URL = 'mysql://root@127.0.0.1:3306/perf';
/** Redis db 6: the scale part's own (the other parts use db 9). */
export const SCALE_REDIS_URL = 'redis://127.0.0.1:6379/6';
const PORT = 3913;
const CHUNK = 100_000;

interface Call {
  name: string;
  target?: string;
  /** Times one call, in ms. */
  run: () => Promise<number>;
  /** Runs before each timed call (and the warm-up), untimed. */
  before?: () => Promise<void>;
}

interface Timing {
  name: string;
  target?: string;
  runsMs: number[];
  medianMs: number;
}

interface StackResult {
  /** mariadb-database, mariadb-redis, sqlite-database */
  stack: string;
  size: number;
  fillSeconds: number;
  timings: Timing[];
  explain: { statement: string; plan: string }[];
  load: string;
}

async function timedFetch(url: string, init?: RequestInit): Promise<number> {
  const started = process.hrtime.bigint();
  const response = await fetch(url, init);
  await response.arrayBuffer();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (response.status >= 300) throw new Error(`${init?.method ?? 'GET'} ${url} answered ${response.status}`);
  return ms;
}

async function timedCli(args: string[], env: NodeJS.ProcessEnv, expect?: RegExp): Promise<number> {
  const started = process.hrtime.bigint();
  const output = await runCli(APP_DIR, args, env, 120_000);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (expect && !expect.test(output)) throw new Error(`${args.join(' ')} printed ${output}`);
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
      'search (one word, matches nothing)',
      "SELECT * FROM autoseo WHERE MATCH (client_name, client_email) AGAINST ('+zzzz*' IN BOOLEAN MODE) ORDER BY id DESC LIMIT 21",
      [],
    ],
    [
      'search (one word, one match)',
      `SELECT * FROM autoseo WHERE MATCH (client_name, client_email) AGAINST ('+cliente${middle}*' IN BOOLEAN MODE) ORDER BY id DESC LIMIT 21`,
      [],
    ],
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

const BASE = `http://127.0.0.1:${PORT}`;

/** The daily calls through the API and the CLI (either database, the `database` driver). */
function databaseDriverCalls(size: number, env: NodeJS.ProcessEnv): Call[] {
  const middle = Math.floor(size / 2);
  const deepPage = Math.floor(middle / 20);
  return [
    { name: 'GET /clients?limit=20 (first page)', target: '< 50 ms, ≤ 3× 10k', run: () => timedFetch(`${BASE}/clients?limit=20`) },
    {
      name: 'GET /clients?context_status=failed&limit=20',
      target: '< 50 ms, ≤ 3× 10k',
      run: () => timedFetch(`${BASE}/clients?context_status=failed&limit=20`),
    },
    {
      name: 'GET /clients?context_status=pending&limit=20',
      target: '< 50 ms, ≤ 3× 10k',
      run: () => timedFetch(`${BASE}/clients?context_status=pending&limit=20`),
    },
    {
      name: 'GET /clients?limit=20&cursor=… (deep page: after the middle id)',
      target: '< 50 ms',
      run: () => timedFetch(`${BASE}/clients?limit=20&cursor=${encodePageCursor(middle)}`),
    },
    {
      name: 'GET /clients?limit=20&page=<middle> (deep page by offset, for comparison)',
      run: () => timedFetch(`${BASE}/clients?limit=20&page=${deepPage}`),
    },
    { name: 'GET /clients?limit=20&total=exact (exact count asked)', run: () => timedFetch(`${BASE}/clients?limit=20&total=exact`) },
    { name: 'GET /clients/<middle id>', target: '< 50 ms, ≤ 3× 10k', run: () => timedFetch(`${BASE}/clients/${middle}`) },
    {
      name: 'POST /clients',
      target: '< 50 ms, ≤ 3× 10k',
      run: () =>
        timedFetch(`${BASE}/clients`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(clientBody()),
        }),
    },
    { name: 'GET /health (database driver)', target: '< 50 ms, ≤ 3× 10k', run: () => timedFetch(`${BASE}/health`) },
    { name: 'GET /metrics (its records count is cached 5 s: most of these scrapes reuse it)', run: () => timedFetch(`${BASE}/metrics`) },
    { name: 'GET /dashboard/api/overview (database driver)', run: () => timedFetch(`${BASE}/dashboard/api/overview`) },
    { name: 'GET /dashboard/api/timeline (24 hours)', run: () => timedFetch(`${BASE}/dashboard/api/timeline`) },
    {
      name: 'GET /dashboard/api/records?search=zzzz (matches nothing)',
      target: '< 50 ms',
      run: () => timedFetch(`${BASE}/dashboard/api/records?search=zzzz`),
    },
    {
      name: 'GET /dashboard/api/records?search=cliente<middle id> (one match)',
      target: '< 50 ms',
      run: () => timedFetch(`${BASE}/dashboard/api/records?search=cliente${middle}`),
    },
    {
      name: 'GET /dashboard/api/records?search=cliente (every record matches)',
      target: '< 50 ms',
      run: () => timedFetch(`${BASE}/dashboard/api/records?search=cliente`),
    },
    {
      // MariaDB: the newest 5,000 hold none (at 100k and 1M), so the FULLTEXT index returns all of them.
      name: 'GET /dashboard/api/records?search=cliente5 (11% of records, none of the newest: the worst case)',
      run: () => timedFetch(`${BASE}/dashboard/api/records?search=cliente5`),
    },
    {
      name: 'queue:monitor --json (database driver; a CLI process, start-up included)',
      target: '< 2 s',
      run: () => timedCli(['queue:monitor', '--json'], env, /"queue": "database"/),
    },
  ];
}

/** What differs with the `redis` driver: Bull's counts, and the reconcile pass that puts back lost jobs. */
function redisDriverCalls(open: number, env: NodeJS.ProcessEnv, redis: Redis): Call[] {
  return [
    { name: 'GET /health (redis driver)', target: '< 50 ms, ≤ 3× 10k', run: () => timedFetch(`${BASE}/health`) },
    { name: 'GET /dashboard/api/overview (redis driver)', run: () => timedFetch(`${BASE}/dashboard/api/overview`) },
    {
      name: 'queue:monitor --json (redis driver; a CLI process, start-up included)',
      target: '< 2 s',
      run: () => timedCli(['queue:monitor', '--json'], env, /"queue": "redis"/),
    },
    {
      name: `queue:reconcile, Redis emptied first: queues every open record (${open.toLocaleString('en')}, 1% of the table)`,
      target: '< 5 s at 1M',
      before: async () => void (await redis.flushdb()),
      run: () => timedCli(['queue:reconcile'], env, new RegExp(`Queued ${open} record`)),
    },
    {
      name: 'queue:reconcile, every open record already queued (finds nothing to do)',
      target: '< 5 s at 1M',
      run: () => timedCli(['queue:reconcile'], env, /Queued 0 record/),
    },
  ];
}

async function measure(label: string, calls: Call[], runs: number): Promise<Timing[]> {
  const timings: Timing[] = [];
  for (const call of calls) {
    await call.before?.();
    await call.run(); // warm-up
    const runsMs = [];
    for (let run = 0; run < runs; run++) {
      await call.before?.();
      runsMs.push(await call.run());
    }
    timings.push({ name: call.name, target: call.target, runsMs, medianMs: median(runsMs) });
    log(`  ${label}: ${call.name}: ${median(runsMs).toFixed(1)} ms`);
  }
  return timings;
}

/** The SQLite file made by migration:run, filled by one statement with the mix of fill() (ids 1..size, one record a second up to now). */
function fillSqlite(path: string, size: number): void {
  const db = new Sqlite(path);
  const text = companyContext('Empresa', 300).replace(/'/g, "''");
  const now = "strftime('%Y-%m-%d %H:%M:%f', 'now')";
  const ago = (seconds: string) => `strftime('%Y-%m-%d %H:%M:%f', 'now', '-' || (${seconds}) || ' seconds')`;
  db.exec(`
    WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < ${size})
    INSERT INTO autoseo (id, client_name, client_email, url, username, password, user_app, password_app, CompanyName, Locality,
      CountryRegion, company_context, company_context_original, context_status, context_version, context_attempts, context_error,
      context_processed_at, context_available_at, context_failed_at, pin, created_at, updated_at)
    SELECT n, 'Cliente ' || n, 'cliente' || n || '@example.com', 'https://cliente' || n || '.example.com', 'user' || n,
      'v1.perf.perf.not-a-real-sealed-password-but-the-same-order-of-size', 'app' || n,
      'v1.perf.perf.not-a-real-sealed-password-but-the-same-order-of-size', 'Empresa ' || n || ' S.L.', 'Valencia', 'ES',
      '${text}', '${text}',
      CASE WHEN n % 100 = 0 THEN 'pending' WHEN n % 100 IN (1, 2) THEN 'failed' ELSE 'processed' END,
      1, CASE WHEN n % 100 = 0 THEN 0 ELSE 3 END,
      CASE WHEN n % 100 IN (1, 2) THEN 'AI answered HTTP 500' ELSE NULL END,
      CASE WHEN n % 100 > 2 THEN ${ago(`${size} - n`)} ELSE NULL END,
      CASE WHEN n % 100 = 0 THEN ${ago('60')} ELSE NULL END,
      CASE WHEN n % 100 IN (1, 2) THEN ${ago(`${size} - n`)} ELSE NULL END,
      printf('%08x', n), ${ago(`${size} - n`)}, ${now}
    FROM seq;
    ANALYZE;`);
  db.close();
}

export async function scale(options: Options): Promise<void> {
  const admin = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
  await admin.query('CREATE DATABASE IF NOT EXISTS perf');
  await admin.end();
  const db = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: 'perf', timezone: 'Z' });
  const redis = new Redis(SCALE_REDIS_URL, { maxRetriesPerRequest: 2 });
  const fake = await FakeAiProcess.start();
  const base = { DATABASE_URL: PERF_URL, REDIS_URL: SCALE_REDIS_URL, AI_URL: fake.url };
  const databaseEnv = serviceEnv({ ...base, QUEUE_CONNECTION: 'database' });
  const redisEnv = serviceEnv({ ...base, QUEUE_CONNECTION: 'redis' });
  const results: StackResult[] = [];
  const sqliteDir = mkdtempSync(join(tmpdir(), 'autoseo-scale-'));
  let api: ServiceProcess | undefined;
  const withApi = async (env: NodeJS.ProcessEnv, work: () => Promise<Timing[]>): Promise<Timing[]> => {
    api = await startApi(APP_DIR, PORT, env);
    try {
      return await work();
    } finally {
      await api.stop(10_000);
      api = undefined;
    }
  };
  try {
    log('MariaDB database `perf`: dropping its tables and applying the migrations');
    const [tables] = await db.query<RowDataPacket[]>('SHOW TABLES');
    for (const row of tables) await db.query(`DROP TABLE \`${String(Object.values(row)[0])}\``);
    await runCli(APP_DIR, ['migration:run'], databaseEnv);
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
      const label = `MariaDB ${size}`;
      const timings = await withApi(databaseEnv, () => measure(`${label} database`, databaseDriverCalls(size, databaseEnv), options.runs));
      const explain = await explainAll(db, size);
      results.push({ stack: 'mariadb-database', size, fillSeconds, timings, explain, load: loadAverage() });
      // The POSTs above queued nothing in Redis (database driver): db 6 starts empty for the redis driver.
      await redis.flushdb();
      // The open records: the fill's 1% and the POSTs above (pending, with no job in Redis).
      const [openRows] = await db.query<RowDataPacket[]>(
        "SELECT COUNT(*) AS n FROM autoseo WHERE context_status IN ('pending', 'processing')",
      );
      const open = Number(openRows[0].n);
      const redisTimings = await withApi(redisEnv, () => measure(`${label} redis`, redisDriverCalls(open, redisEnv, redis), options.runs));
      results.push({ stack: 'mariadb-redis', size, fillSeconds, timings: redisTimings, explain: [], load: loadAverage() });
      await redis.flushdb();
    }
    if (options.scaleSqliteSize > 0) {
      const size = options.scaleSqliteSize;
      const path = join(sqliteDir, 'scale.sqlite');
      const sqliteEnv = serviceEnv({
        DATABASE_URL: `sqlite:${path}`,
        QUEUE_CONNECTION: 'database',
        REDIS_URL: SCALE_REDIS_URL,
        AI_URL: fake.url,
      });
      await runCli(APP_DIR, ['migration:run'], sqliteEnv);
      log(`filling the SQLite file to ${size} rows`);
      const started = Date.now();
      fillSqlite(path, size);
      const fillSeconds = (Date.now() - started) / 1000;
      log(`filled in ${fillSeconds.toFixed(1)} s; load ${loadAverage()}`);
      const timings = await withApi(sqliteEnv, () => measure(`SQLite ${size}`, databaseDriverCalls(size, sqliteEnv), options.runs));
      results.push({ stack: 'sqlite-database', size, fillSeconds, timings, explain: [], load: loadAverage() });
    }
  } finally {
    await api?.stop(10_000);
    await fake.stop();
    await db.end();
    redis.disconnect();
    rmSync(sqliteDir, { recursive: true, force: true });
  }
  const [version] = await versionOf();
  mkdirSync(join(BENCH_DIR, 'out'), { recursive: true });
  writeFileSync(join(BENCH_DIR, 'out', 'scale.json'), JSON.stringify(results, null, 2));
  const svgFile = join(BENCH_DIR, 'scale.svg');
  writeFileSync(svgFile, plot(results));
  const section = report(options, results, machineInfo(version, '-'));
  writeSection(options.resultsFile, section);
  process.stdout.write(`\n${section}\nWrote the scale section of ${options.resultsFile} and ${svgFile}\n`);
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

const STACK_TITLES: Record<string, string> = {
  'mariadb-database': 'MariaDB, `QUEUE_CONNECTION=database`',
  'mariadb-redis': 'MariaDB, `QUEUE_CONNECTION=redis` (the calls where the driver differs)',
  'sqlite-database': 'SQLite, `QUEUE_CONNECTION=database`',
};

const cell = (timing: Timing) => `${timing.medianMs.toFixed(1)} ms [${timing.runsMs.map((ms) => ms.toFixed(1)).join(', ')}]`;

function report(options: Options, results: StackResult[], machine: ReturnType<typeof machineInfo>): string {
  const lines = [
    '## Scale (issue 13): the calls at 10k, 100k and 1M records',
    '',
    `Measured by \`${options.command}\` on ${new Date().toISOString()}: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.ramGiB} GiB RAM, ` +
      `Node ${machine.node}, MariaDB ${machine.mariadb}; load average at the end ${loadAverage()} (after each stack and size in the tables). ` +
      'The table `autoseo` of the MariaDB database `perf` filled by SQL (97% processed, 2% failed, 1% pending, 300-character texts, one ' +
      'record a second up to now), the API compiled into bench/out/app with `RUN_WORKER=false`, one call at a time over loopback, the ' +
      'CLI as a process of its own (start-up included); `redis` driver on Redis db 6; SQLite a file in a tmp dir filled by one ' +
      `recursive INSERT with the same mix. Each figure the median of ${options.runs} calls after one warm-up (every call in brackets).`,
    '',
    '![Median latency against table size, log-log](scale.svg)',
    '',
  ];
  for (const stack of ['mariadb-database', 'mariadb-redis', 'sqlite-database']) {
    const rows = results.filter((result) => result.stack === stack);
    if (rows.length === 0) continue;
    const several = rows.length > 1;
    lines.push(
      `### ${STACK_TITLES[stack]}`,
      '',
      `| call | ${rows.map((row) => row.size.toLocaleString('en')).join(' | ')} | ${several ? `ratio ${rows[rows.length - 1].size / rows[0].size}× rows | ` : ''}target |`,
      `|---|${rows.map(() => '---|').join('')}${several ? '---|' : ''}---|`,
    );
    for (let index = 0; index < rows[0].timings.length; index++) {
      const first = rows[0].timings[index];
      const last = rows[rows.length - 1].timings[index];
      const name = first.name.replace(/\([\d,]+, 1% of the table\)/, '(1% of the table)');
      lines.push(
        `| ${name} | ${rows.map((row) => cell(row.timings[index])).join(' | ')} | ${several ? `${(last.medianMs / first.medianMs).toFixed(1)}× | ` : ''}${first.target ?? ''} |`,
      );
    }
    lines.push(
      '',
      `Filled in ${rows.map((row) => `${row.fillSeconds.toFixed(0)} s (${row.size.toLocaleString('en')})`).join(', ')}; load average after each size: ${rows.map((row) => row.load).join(' / ')}.`,
      '',
    );
  }
  for (const result of results.filter((entry) => entry.explain.length > 0)) {
    lines.push(`EXPLAIN at ${result.size.toLocaleString('en')} rows (MariaDB):`, '', '| statement | plan |', '|---|---|');
    for (const { statement, plan } of result.explain) lines.push(`| ${statement} | ${plan.replace(/\|/g, '\\|')} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

const PLOTTED: { stack: string; call: RegExp; label: string; color: string; dashed?: boolean }[] = [
  { stack: 'mariadb-database', call: /first page/, label: 'GET /clients first page', color: '#1f77b4' },
  { stack: 'mariadb-database', call: /status=failed/, label: 'GET /clients?context_status=failed', color: '#aec7e8' },
  { stack: 'mariadb-database', call: /cursor=/, label: 'GET /clients deep page by cursor', color: '#2ca02c' },
  { stack: 'mariadb-database', call: /page=<middle>/, label: 'GET /clients deep page by offset', color: '#d62728', dashed: true },
  { stack: 'mariadb-database', call: /total=exact/, label: 'GET /clients?total=exact', color: '#ff9896', dashed: true },
  { stack: 'mariadb-database', call: /^GET \/clients\/<middle/, label: 'GET /clients/:id', color: '#9467bd' },
  { stack: 'mariadb-database', call: /^POST/, label: 'POST /clients', color: '#8c564b' },
  { stack: 'mariadb-database', call: /^GET \/health/, label: 'GET /health (database driver)', color: '#e377c2' },
  { stack: 'mariadb-redis', call: /^GET \/health/, label: 'GET /health (redis driver)', color: '#e377c2', dashed: true },
  { stack: 'mariadb-database', call: /timeline/, label: 'GET dashboard timeline', color: '#7f7f7f' },
  { stack: 'mariadb-database', call: /search=zzzz/, label: 'dashboard search, no match', color: '#bcbd22' },
  { stack: 'mariadb-database', call: /one match/, label: 'dashboard search, one match', color: '#dbdb8d' },
  { stack: 'mariadb-database', call: /every record matches/, label: 'dashboard search, every record', color: '#bcbd22', dashed: true },
  { stack: 'mariadb-database', call: /cliente5/, label: 'dashboard search, 11%, none newest', color: '#c49c94', dashed: true },
  { stack: 'mariadb-database', call: /^queue:monitor/, label: 'queue:monitor (database driver)', color: '#17becf' },
  { stack: 'mariadb-redis', call: /^queue:monitor/, label: 'queue:monitor (redis driver)', color: '#17becf', dashed: true },
  { stack: 'mariadb-redis', call: /Redis emptied/, label: 'queue:reconcile, queues 1% of rows', color: '#ff7f0e' },
  { stack: 'mariadb-redis', call: /already queued/, label: 'queue:reconcile, nothing to do', color: '#ffbb78', dashed: true },
  { stack: 'sqlite-database', call: /first page/, label: 'SQLite: GET /clients first page (dot)', color: '#000000' },
  { stack: 'sqlite-database', call: /search=zzzz/, label: 'SQLite: dashboard search, no match (dot)', color: '#555555' },
];

export function plot(results: StackResult[]): string {
  const series: SizeSeries[] = PLOTTED.map(({ stack, call, label, color, dashed }) => ({
    label,
    color,
    dashed,
    points: results
      .filter((result) => result.stack === stack)
      .flatMap((result) =>
        result.timings.filter((timing) => call.test(timing.name)).map((timing) => ({ size: result.size, ms: timing.medianMs })),
      ),
  }));
  return scaleSvg(
    'Median latency against table size (issue 13)',
    `MariaDB ${[...new Set(results.map((result) => result.size))].map((size) => size.toLocaleString('en')).join(', ')} records; flat = costs the same at any size`,
    series,
  );
}
