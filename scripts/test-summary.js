#!/usr/bin/env node
// Prints "tests: N passed, N failed" from one or more jest --json outputs (summed); exits 1 on any
// failure, a missing file, or no tests at all.
const fs = require('node:fs');
const files = process.argv.slice(2).length ? process.argv.slice(2) : ['.run/jest-results.json'];
let passed = 0;
let failed = 0;
let skipped = 0;
let ok = true;
for (const file of files) {
  let r;
  try {
    r = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    console.error(`no jest results in ${file}: ${err.message}`);
    failed += 1;
    ok = false;
    continue;
  }
  const failedSuites = r.numFailedTestSuites + (r.numRuntimeErrorTestSuites || 0);
  passed += r.numPassedTests;
  failed += r.numFailedTests + (failedSuites && !r.numFailedTests ? failedSuites : 0);
  skipped += r.numPendingTests + (r.numTodoTests || 0);
  if (!r.success) ok = false;
}
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 || !ok ? 1 : 0);
