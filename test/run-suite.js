#!/usr/bin/env node
// `npm test`: the whole suite, serially (the stacks share one MariaDB database and one Redis).
// Extra arguments go to Jest, e.g. `npm test -- test/clients.e2e-spec.ts` or TEST_STACKS=sqlite-sync npm test.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

// The CLI tests run the compiled entry points (node dist/cli.js), as the deploy files do: build them first.
const built = spawnSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build-if-stale.js')], { stdio: 'inherit' });
if (built.status !== 0) process.exit(built.status ?? 1);

const jest = require.resolve('jest/bin/jest');
const args = [jest, '--config', path.join(__dirname, 'jest.config.js'), '--runInBand', ...process.argv.slice(2)];
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
