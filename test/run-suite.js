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
const summaryFile = path.join(require('node:os').tmpdir(), `autoseo-test-summary-${process.pid}.txt`);
const result = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, TEST_SUMMARY_FILE: summaryFile } });

// The run ends with one line, "N passed, N failed[, N skipped]"; a Jest that died before reporting is a failure.
const fs = require('node:fs');
const summary = fs.existsSync(summaryFile) ? fs.readFileSync(summaryFile, 'utf8').trim() : null;
fs.rmSync(summaryFile, { force: true });
if (!summary) process.stdout.write('\nJest ended without a summary (it crashed or was killed).\n');
process.stdout.write(`\n${summary ?? '0 passed, 1 failed'}\n`);
process.exit(result.status === 0 && summary ? 0 : result.status || 1);
