#!/usr/bin/env bash
# Runs every test: type-check, lint, jest's unit and integration projects, then the `system` project
# (reliability scenarios at CI size and the benchmark's quick mode) one file at a time. Every jest
# project starts its own Kafka broker and Redis servers on free ports and stops them (by pid) when it
# ends, so this runs beside a dev system or another test run. Extra arguments go to both jest runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p .run
rm -f .run/jest-results.json .run/jest-system-results.json
echo "[test] type-check"
npx tsc -p tsconfig.json --noEmit
npx tsc -p apps/api/public/tsconfig.json # the dashboard's browser scripts (// @ts-check, JSDoc types)
echo "[test] lint"
npx eslint --max-warnings 0 .
echo "[test] format"
npx prettier --check . --log-level warn
set +e
echo "[test] jest (unit + integration)"
npx jest --ci --json --outputFile=.run/jest-results.json --passWithNoTests --selectProjects unit integration "$@"
echo "[test] jest (system: reliability scenarios, benchmark quick mode; one at a time)"
npx jest --ci --json --outputFile=.run/jest-system-results.json --passWithNoTests --selectProjects system --runInBand "$@"
set -e
node scripts/test-summary.js .run/jest-results.json .run/jest-system-results.json
