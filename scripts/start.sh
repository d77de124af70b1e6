#!/usr/bin/env bash
# Starts the whole system on this machine with demo traffic: a Kafka broker and a Redis server of its
# own (free ports), the reference data loaded into Redis, the risk-engine, and a demo producer that
# prints every alert. Ctrl-C stops everything this script started, by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p .run
STATE=.run/dev-infra.json
ENGINE_PID=""
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "[start] stopping"
  [ -n "$ENGINE_PID" ] && kill -TERM "$ENGINE_PID" 2>/dev/null && wait "$ENGINE_PID" 2>/dev/null || true
  node dist/tools/infra/cli.js stop --state "$STATE" || true
}
trap cleanup INT TERM EXIT

node dist/tools/infra/cli.js start --state "$STATE" | tee .run/dev-infra.env
eval "export $(grep -E '^(KAFKA_BROKERS|REDIS_URL)=' .run/dev-infra.env | tr '\n' ' ')"
export HTTP_PORT=${HTTP_PORT:-3001}

node bin/dualwatch.js refdata load
node dist/apps/risk-engine/src/main.js > .run/risk-engine.log 2>&1 &
ENGINE_PID=$!
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$HTTP_PORT/ready" >/dev/null 2>&1 && break
  kill -0 "$ENGINE_PID" 2>/dev/null || { echo "[start] the risk-engine exited; see .run/risk-engine.log"; tail -20 .run/risk-engine.log; exit 1; }
  sleep 1
done

cat <<INFO

Dualwatch is running.
  Kafka:        $KAFKA_BROKERS   (topics: orders.v1 in; risk.assessments.v1, risk.alerts.v1, orders.dlq.v1 out)
  Redis:        $REDIS_URL
  risk-engine:  http://127.0.0.1:$HTTP_PORT/ready   http://127.0.0.1:$HTTP_PORT/metrics   log: .run/risk-engine.log
  Score a file: npx dualwatch score --input libs/contracts/schemas/examples/prohibited-dysprosium-to-atla.json --format table
Alerts from the demo traffic print below. Ctrl-C stops everything.

INFO
node dist/tools/demo/demo.js --rate "${DEMO_RATE:-5}"
