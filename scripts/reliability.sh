#!/usr/bin/env bash
# The reliability suite at full size (issue 10): every fault and abuse scenario in test/reliability,
# one at a time, each against a broker, Redis and app processes of its own; then docs/reliability.md
# is rewritten from the figures they recorded. `npm test` runs the same scenarios at CI size.
# Extra arguments go to jest (e.g. a path to run one scenario).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
rm -rf .run/reliability
mkdir -p .run
set +e
DW_RELIABILITY_SIZE=full npx jest --ci --json --outputFile=.run/jest-reliability-results.json --selectProjects system --runInBand test/reliability "$@"
rc=$?
set -e
node dist/tools/docs/reliability-report.js || rc=1
node scripts/test-summary.js .run/jest-reliability-results.json || rc=1
exit $rc
