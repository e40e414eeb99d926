// The benchmark's own stores: MySQL database `bench`, Redis db 9, SQLite files in a tmp dir (BENCH_MYSQL_DATABASE
// and BENCH_REDIS_DB move the first two, so that two benchmarks on one machine do not flush each other's).
// Rows are written straight into `autoseo` (as POST /clients would leave them: pending, version 1),
// jobs straight into Bull with the options the service uses, so that parts 2 and 5 time the drain only.
import Bull, { Queue } from 'bull';
import Redis from 'ioredis';
import { createConnection, Connection, RowDataPacket } from 'mysql2/promise';
import { COMPANY_CONTEXT_JOB, COMPANY_CONTEXT_QUEUE } from '../../src/company-context/company-context.job';
import { companyContextJobOptions } from '../../src/company-context/drivers/redis-queue.driver';
import { companyContext } from '../../test/support/clients';

// better-sqlite3 ships no types (and @types/better-sqlite3 is not installed): the few calls used, typed here.
interface SqliteStatement {
  run(...params: unknown[]): unknown;
  get(...params: unknown[]): unknown;
}
interface SqliteDb {
  exec(sql: string): void;
  prepare(sql: string): SqliteStatement;
  transaction(fn: () => void): () => void;
  close(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (path: string, options?: { timeout?: number }) => SqliteDb;

const MYSQL_DATABASE = process.env.BENCH_MYSQL_DATABASE ?? 'bench';
if (!/^\w+$/.test(MYSQL_DATABASE)) throw new Error(`BENCH_MYSQL_DATABASE: expected a plain name, got "${MYSQL_DATABASE}"`);
export const MYSQL_URL = `mysql://root@127.0.0.1:3306/${MYSQL_DATABASE}`;
export const REDIS_URL = `redis://127.0.0.1:6379/${process.env.BENCH_REDIS_DB ?? '9'}`;

const INSERT_BATCH = 500;
const COLUMNS = [
  'client_name',
  'client_email',
  'url',
  'username',
  'password',
  'user_app',
  'password_app',
  'CompanyName',
  'Locality',
  'CountryRegion',
  'company_context',
  'company_context_original',
  'context_status',
  'context_version',
  'context_attempts',
  'context_available_at',
  'pin',
  'created_at',
  'updated_at',
];

function rowValues(index: number, now: Date | string): unknown[] {
  const text = companyContext(`Empresa ${index}`, 300);
  return [
    `Cliente ${index}`,
    `cliente${index}@example.com`,
    `https://cliente${index}.example.com`,
    `user${index}`,
    // The worker never reads passwords; a real row holds AES-GCM ciphertext of about this size.
    'v1.bench.bench.not-a-real-sealed-password-but-the-same-order-of-size',
    `app${index}`,
    'v1.bench.bench.not-a-real-sealed-password-but-the-same-order-of-size',
    `Empresa ${index} S.L.`,
    'Valencia',
    'ES',
    text,
    text,
    'pending',
    1,
    0,
    now,
    (index % 0xffffffff).toString(16).padStart(8, '0'),
    now,
    now,
  ];
}

/** What a drain left in the table: how many rows are in each state, and the span of their processed_at. */
export interface DrainState {
  processed: number;
  failed: number;
  open: number;
  /** Milliseconds between the first and the last context_processed_at. */
  spanMs: number;
}

export interface BenchDatabase {
  readonly url: string;
  readonly label: string;
  reset(): Promise<void>;
  insertPending(count: number): Promise<void>;
  drainState(): Promise<DrainState>;
  setPaused(paused: boolean): Promise<void>;
  close(): Promise<void>;
}

export class MysqlBench implements BenchDatabase {
  readonly url = MYSQL_URL;
  readonly label = 'MariaDB';

  private constructor(private readonly connection: Connection) {}

  static async open(): Promise<MysqlBench> {
    const admin = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root' });
    await admin.query(`CREATE DATABASE IF NOT EXISTS \`${MYSQL_DATABASE}\``);
    await admin.end();
    const connection = await createConnection({ host: '127.0.0.1', port: 3306, user: 'root', database: MYSQL_DATABASE, timezone: 'Z' });
    return new MysqlBench(connection);
  }

  /** Drops every table of `bench`, so that migration:run builds the schema the current code wants. */
  async dropAll(): Promise<void> {
    const [tables] = await this.connection.query<RowDataPacket[]>('SHOW TABLES');
    await this.connection.query('SET FOREIGN_KEY_CHECKS = 0');
    for (const row of tables) await this.connection.query(`DROP TABLE \`${String(Object.values(row)[0])}\``);
    await this.connection.query('SET FOREIGN_KEY_CHECKS = 1');
  }

  async reset(): Promise<void> {
    await this.connection.query('TRUNCATE TABLE autoseo');
    await this.connection.query('DELETE FROM queue_state');
  }

  async insertPending(count: number): Promise<void> {
    const now = new Date();
    for (let start = 0; start < count; start += INSERT_BATCH) {
      const rows = [];
      for (let index = start; index < Math.min(count, start + INSERT_BATCH); index++) rows.push(rowValues(index + 1, now));
      await this.connection.query(`INSERT INTO autoseo (${COLUMNS.map((name) => `\`${name}\``).join(', ')}) VALUES ?`, [rows]);
    }
  }

  async drainState(): Promise<DrainState> {
    const [rows] = await this.connection.query<RowDataPacket[]>(
      `SELECT SUM(context_status = 'processed') AS processed, SUM(context_status = 'failed') AS failed,
              SUM(context_status IN ('pending', 'processing')) AS open,
              TIMESTAMPDIFF(MICROSECOND, MIN(context_processed_at), MAX(context_processed_at)) AS span
         FROM autoseo`,
    );
    const row = rows[0];
    return {
      processed: Number(row.processed ?? 0),
      failed: Number(row.failed ?? 0),
      open: Number(row.open ?? 0),
      spanMs: Number(row.span ?? 0) / 1000,
    };
  }

  async setPaused(paused: boolean): Promise<void> {
    await this.connection.query(
      'INSERT INTO queue_state (queue, paused, updated_at) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE paused = VALUES(paused), updated_at = VALUES(updated_at)',
      [COMPANY_CONTEXT_QUEUE, paused, new Date()],
    );
  }

  async count(): Promise<number> {
    const [rows] = await this.connection.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM autoseo');
    return Number(rows[0].n);
  }

  async version(): Promise<string> {
    const [rows] = await this.connection.query<RowDataPacket[]>('SELECT VERSION() AS v');
    return String(rows[0].v);
  }

  async close(): Promise<void> {
    await this.connection.end();
  }
}

/** TypeORM's SQLite format for datetime columns: UTC, 'YYYY-MM-DD HH:MM:SS.SSS'. */
function sqliteDate(date: Date): string {
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

export class SqliteBench implements BenchDatabase {
  readonly label = 'SQLite';
  readonly url: string;
  private db?: SqliteDb;

  constructor(private readonly path: string) {
    this.url = `sqlite:${path}`;
  }

  /** The file is made by migration:run; the benchmark opens it afterwards. */
  private open(): SqliteDb {
    this.db ??= new Database(this.path, { timeout: 5_000 });
    return this.db;
  }

  async reset(): Promise<void> {
    const db = this.open();
    db.exec('DELETE FROM autoseo; DELETE FROM queue_state;');
    try {
      db.exec("DELETE FROM sqlite_sequence WHERE name = 'autoseo'");
    } catch {
      // no AUTOINCREMENT table: ids restart by themselves once the table is empty
    }
  }

  async insertPending(count: number): Promise<void> {
    const db = this.open();
    const statement = db.prepare(
      `INSERT INTO autoseo (${COLUMNS.map((name) => `"${name}"`).join(', ')}) VALUES (${COLUMNS.map(() => '?').join(', ')})`,
    );
    const now = sqliteDate(new Date());
    db.transaction(() => {
      for (let index = 1; index <= count; index++) statement.run(...rowValues(index, now));
    })();
  }

  async drainState(): Promise<DrainState> {
    const row = this.open()
      .prepare(
        `SELECT SUM(context_status = 'processed') AS processed, SUM(context_status = 'failed') AS failed,
                SUM(context_status IN ('pending', 'processing')) AS open,
                (julianday(MAX(context_processed_at)) - julianday(MIN(context_processed_at))) * 86400000.0 AS span
           FROM autoseo`,
      )
      .get() as { processed: number | null; failed: number | null; open: number | null; span: number | null };
    return {
      processed: Number(row.processed ?? 0),
      failed: Number(row.failed ?? 0),
      open: Number(row.open ?? 0),
      spanMs: Number(row.span ?? 0),
    };
  }

  async setPaused(paused: boolean): Promise<void> {
    this.open()
      .prepare(
        'INSERT INTO queue_state (queue, paused, updated_at) VALUES (?, ?, ?) ON CONFLICT(queue) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at',
      )
      .run(COMPANY_CONTEXT_QUEUE, paused ? 1 : 0, sqliteDate(new Date()));
  }

  async close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Redis

export class RedisBench {
  readonly url = REDIS_URL;
  private readonly redis = new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 2 });

  async flush(): Promise<void> {
    await this.redis.flushdb();
  }

  async version(): Promise<string> {
    const info = await this.redis.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'n/a';
  }

  /** A Bull queue on the benchmark's Redis db (the service's queue, or the bare baseline's). */
  queue(name: string): Queue {
    return new Bull(name, REDIS_URL);
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}

/** Adds the jobs POST /clients would have dispatched for clients 1..count, with the service's own job options. */
export async function addCompanyContextJobs(queue: Queue, count: number): Promise<void> {
  for (let start = 1; start <= count; start += 1000) {
    const jobs = [];
    for (let clientId = start; clientId < Math.min(count + 1, start + 1000); clientId++) {
      const data = { clientId, version: 1 };
      jobs.push({ name: COMPANY_CONTEXT_JOB, data, opts: companyContextJobOptions(data) });
    }
    await queue.addBulk(jobs);
  }
}

/** The same number of no-op jobs with the same options, on the bare baseline's queue. */
export async function addNoopJobs(queue: Queue, count: number): Promise<void> {
  for (let start = 1; start <= count; start += 1000) {
    const jobs = [];
    for (let clientId = start; clientId < Math.min(count + 1, start + 1000); clientId++) {
      const data = { clientId, version: 1 };
      jobs.push({ name: 'noop', data, opts: companyContextJobOptions(data) });
    }
    await queue.addBulk(jobs);
  }
}

export { COMPANY_CONTEXT_JOB, COMPANY_CONTEXT_QUEUE };
