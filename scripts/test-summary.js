#!/usr/bin/env node
// Prints "tests: N passed, N failed" from jest's --json output; exits 1 on any failure or no tests.
const fs = require('node:fs');
const file = process.argv[2] || '.run/jest-results.json';
let r;
try {
  r = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch (err) {
  console.log('tests: 0 passed, 1 failed');
  console.error(`no jest results in ${file}: ${err.message}`);
  process.exit(1);
}
const failedSuites = r.numFailedTestSuites + (r.numRuntimeErrorTestSuites || 0);
const failed = r.numFailedTests + (failedSuites && !r.numFailedTests ? failedSuites : 0);
const skipped = r.numPendingTests + (r.numTodoTests || 0);
console.log(`tests: ${r.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || r.numPassedTests === 0 || !r.success ? 1 : 0);
