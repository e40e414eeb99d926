// BENCH_HEAP_PROFILE_DIR=/tmp/x: loaded into every service process (node --require), it samples every
// allocation from start to exit, the objects already collected included (what a run allocates, not only
// what it keeps), and writes <pid>-<script>.heapprofile there on exit: open it in Chrome's DevTools
// (Memory) or read it with bench/heap-summary.js. Sampling costs some speed: time nothing in such a run.
'use strict';
const inspector = require('node:inspector');
const { writeFileSync } = require('node:fs');
const { basename, join } = require('node:path');

const dir = process.env.BENCH_HEAP_PROFILE_DIR;
const session = new inspector.Session();
session.connect();
session.post('HeapProfiler.startSampling', {
  samplingInterval: 4096,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
let written = false;
// An in-process session answers synchronously, so the profile is written even from the exit event. The
// service's processes stop on a signal that their shutdown raises again (no exit event): written then.
function write() {
  if (written) return;
  written = true;
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return process.stderr.write(`heap sampling: ${error.message}\n`);
    writeFileSync(join(dir, `${process.pid}-${basename(process.argv[1] ?? 'node')}.heapprofile`), JSON.stringify(result.profile));
  });
}
process.on('exit', write);
process.once('SIGTERM', write);
process.once('SIGINT', write);
