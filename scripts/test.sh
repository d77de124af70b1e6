#!/usr/bin/env bash
# Runs every test: type-check, lint, then jest's unit and integration projects. The integration project
# starts its own Kafka broker and Redis server on free ports and stops them (by pid) when it ends, so
# this runs beside a dev system or another test run. Extra arguments go to jest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p .run
echo "[test] type-check"
npx tsc -p tsconfig.json --noEmit
echo "[test] lint"
npx eslint --max-warnings 0 .
echo "[test] jest (unit + integration)"
set +e
npx jest --ci --json --outputFile=.run/jest-results.json "$@"
rc=$?
set -e
node scripts/test-summary.js .run/jest-results.json || rc=1
exit $rc
