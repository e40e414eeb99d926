#!/usr/bin/env node
// node bench/heap-summary.js FILE.heapprofile [pattern]: what a sampled run allocated (bench/heap-sample.js),
// by function: the most allocating functions themselves, then the functions matching `pattern` (default: the
// service's own files) with everything they called.
'use strict';
const { readFileSync } = require('node:fs');

const [file, pattern = '^app/'] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/heap-summary.js FILE.heapprofile [pattern]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const own = new Map();
const inclusive = new Map();
let total = 0;

const nameOf = ({ functionName, url, lineNumber }) =>
  `${url.replace(/.*node_modules\//, '').replace(/.*\/(app|dist|src)\//, 'app/')}:${lineNumber + 1} ${functionName || '(anonymous)'}`;

// Returns the bytes under `node`; a function's inclusive figure counts each stack it is on once (recursion).
function walk(node, onStack) {
  const name = nameOf(node.callFrame);
  total += node.selfSize;
  own.set(name, (own.get(name) ?? 0) + node.selfSize);
  const first = !onStack.has(name);
  if (first) onStack.add(name);
  let bytes = node.selfSize;
  for (const child of node.children) bytes += walk(child, onStack);
  if (first) {
    onStack.delete(name);
    inclusive.set(name, (inclusive.get(name) ?? 0) + bytes);
  }
  return bytes;
}
walk(profile.head, new Set());

const mb = (bytes) => `${(bytes / 1048576).toFixed(1).padStart(7)} MB`;
const top = (map, filter, count) =>
  [...map]
    .filter(([name]) => filter(name))
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, bytes]) => `${mb(bytes)}  ${name}`);
const matching = new RegExp(pattern);
process.stdout.write(
  [
    `${mb(total)}  allocated in all (sampled)`,
    '',
    'most allocated by the function itself:',
    ...top(own, () => true, 25),
    '',
    `with what they called, functions matching ${matching}:`,
    ...top(inclusive, (name) => matching.test(name), 25),
    '',
  ].join('\n'),
);
