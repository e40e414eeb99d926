// `npx ts-node --transpile-only scripts/chaos/recheck.ts HISTORY.json`: the checker again over the history a
// run kept with `--history` (after a change to the checker). Prints the invariants; exits 1 when one fails.
import { readFileSync } from 'node:fs';
import { checkRun, FinalRow, formatReport, History } from './checker';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: ts-node scripts/chaos/recheck.ts HISTORY.json (written by npm run chaos -- --history FILE)\n');
  process.exit(2);
}
const { seed, history, rows } = JSON.parse(readFileSync(file, 'utf8')) as { seed: number; history: History; rows: FinalRow[] };
const report = checkRun(history, rows);
process.stdout.write(`seed ${seed}: ${report.ok ? 'every invariant holds' : 'INVARIANTS FAILED'}\n\n${formatReport(report).join('\n')}\n`);
process.exitCode = report.ok ? 0 : 1;
