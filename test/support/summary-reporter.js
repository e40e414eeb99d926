// Ends the run with the one line CI reads: "N passed, N failed[, N skipped]".
// A test file that could not run at all (a syntax error, a failing beforeAll) counts as one failure.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    const line = `${results.numPassedTests} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : '');
    // test/run-suite.js prints it again as the very last line, after Jest's own summary.
    if (process.env.TEST_SUMMARY_FILE) require('node:fs').writeFileSync(process.env.TEST_SUMMARY_FILE, line);
    process.stderr.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
