// One run covers the unit tests once and the end-to-end suite on each supported stack:
// MariaDB with the redis and database drivers, SQLite with the database and sync drivers, and the short
// chaos run (stack `chaos`). TEST_STACKS=unit,sqlite-sync picks some of them.
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.json') }] };
const common = {
  rootDir: root,
  moduleFileExtensions: ['js', 'json', 'ts'],
  testEnvironment: 'node',
  transform,
  setupFilesAfterEnv: [path.join(__dirname, 'support/matchers.ts')],
};

const stacks = [
  { name: 'mariadb-redis', database: 'mysql', queue: 'redis' },
  { name: 'mariadb-database', database: 'mysql', queue: 'database' },
  { name: 'sqlite-database', database: 'sqlite', queue: 'database' },
  { name: 'sqlite-sync', database: 'sqlite', queue: 'sync' },
];
const only = process.env.TEST_STACKS ? process.env.TEST_STACKS.split(',') : null;

module.exports = {
  rootDir: root,
  testTimeout: 60_000,
  reporters: ['default', path.join(__dirname, 'support/summary-reporter.js')],
  projects: [
    ...(only && !only.includes('unit') ? [] : [{ ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.spec.ts'] }]),
    ...stacks
      .filter((stack) => !only || only.includes(stack.name))
      .map((stack) => ({
        ...common,
        displayName: stack.name,
        // test/e2e runs on every stack; the other folders hold what only exists on some.
        testMatch: [
          '<rootDir>/test/e2e/**/*.e2e-spec.ts',
          `<rootDir>/test/e2e-${stack.queue}/**/*.e2e-spec.ts`,
          `<rootDir>/test/e2e-${stack.database}/**/*.e2e-spec.ts`,
          // test/e2e-queued: what needs a queue to operate (the queue:* commands): redis and database.
          ...(stack.queue === 'sync' ? [] : ['<rootDir>/test/e2e-queued/**/*.e2e-spec.ts']),
          `<rootDir>/test/e2e-${stack.name}/**/*.e2e-spec.ts`,
        ],
        globals: { TEST_STACK: stack },
      })),
    // test/chaos: a two-minute chaos run (scripts/chaos) on MariaDB and Redis servers of its own.
    ...(only && !only.includes('chaos') ? [] : [{ ...common, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/**/*.spec.ts'] }]),
  ],
};
