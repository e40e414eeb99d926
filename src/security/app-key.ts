import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';

const PREFIX = 'base64:';

export function decodeAppKey(value: string): Buffer {
  return Buffer.from(value.slice(PREFIX.length), 'base64');
}

export function generateAppKey(): string {
  return PREFIX + randomBytes(32).toString('base64');
}

/**
 * APP_KEY when set; outside production, a key kept in the data directory (created on first start),
 * so a developer never has to make one. Production refuses to start without APP_KEY (see environment.ts).
 */
export function resolveAppKey(config: AppConfig): Buffer {
  if (config.security.appKey) return decodeAppKey(config.security.appKey);
  if (config.isProduction) throw new Error('APP_KEY: is required when NODE_ENV=production');
  const file = join(config.security.dataDirectory, 'app.key');
  if (!existsSync(file)) {
    mkdirSync(config.security.dataDirectory, { recursive: true });
    // 'wx' fails if another process created the file meanwhile; then we read theirs.
    try {
      writeFileSync(file, generateAppKey() + '\n', { mode: 0o600, flag: 'wx' });
      new Logger('Security').warn(`APP_KEY is not set: generated one in ${file} (set APP_KEY in production)`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return decodeAppKey(readFileSync(file, 'utf8').trim());
}
