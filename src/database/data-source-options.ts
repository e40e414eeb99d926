import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSourceOptions } from 'typeorm';
import { Client } from '../clients/client.entity';
import { QueueState } from '../company-context/queue-state.entity';
import { CredentialsAuditEntry } from '../credentials/credentials-audit.entity';
import { DatabaseConfig } from '../config/app-config';
import { MIGRATIONS } from './migrations';

/** How long a query may wait for a connection or a lock before the request answers 503. */
const CONNECT_TIMEOUT_MS = 5_000;

export function buildDataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  const common = {
    entities: [Client, QueueState, CredentialsAuditEntry],
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    // Query logging would print parameters (client text, sealed passwords): errors are logged by the service instead.
    logging: false,
  };
  if (config.type === 'sqlite') {
    const path = config.sqlitePath ?? ':memory:';
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return {
      ...common,
      type: 'better-sqlite3',
      database: path,
      // WAL lets the API read while a worker process writes; a writer waits up to the timeout for the lock.
      enableWAL: true,
      timeout: CONNECT_TIMEOUT_MS,
    };
  }
  return {
    ...common,
    type: 'mysql',
    url: config.url.replace(/^mariadb:/, 'mysql:'),
    charset: 'utf8mb4_unicode_ci',
    // Dates are stored and read as UTC whatever the server's time zone.
    timezone: 'Z',
    connectTimeout: CONNECT_TIMEOUT_MS,
    poolSize: 10,
    extra: { enableKeepAlive: true },
  };
}
