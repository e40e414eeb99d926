import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The stack this Jest project runs on (see test/jest.config.js). */
export interface TestStack {
  name: string;
  database: 'mysql' | 'sqlite';
  queue: 'redis' | 'database' | 'sync';
}

declare const TEST_STACK: TestStack | undefined;

export const MYSQL_URL = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/test';
// A Redis database of its own, so the suite never touches a developer's queues in db 0.
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/7';

export function currentStack(): TestStack {
  if (typeof TEST_STACK === 'undefined') throw new Error('This test must run in one of the stack projects of test/jest.config.js');
  return TEST_STACK;
}

/** A SQLite file of its own for each test file, so files never see each other's rows. */
export function sqliteFile(): string {
  return join(tmpdir(), `autoseo-test-${process.pid}-${randomBytes(4).toString('hex')}.sqlite`);
}

/** The environment of the current stack. */
export function stackEnvironment(stack = currentStack()): Record<string, string> {
  return {
    DATABASE_URL: stack.database === 'mysql' ? MYSQL_URL : `sqlite:${sqliteFile()}`,
    QUEUE_CONNECTION: stack.queue,
    REDIS_URL,
  };
}
