#!/usr/bin/env bash
# Starts the whole system on this machine with demo traffic: a Kafka broker, a Redis server and a
# PostgreSQL server of its own (free ports), the reference data loaded into Redis, the risk-engine, the
# notifier, the projector (alerts into PostgreSQL casework), the api and dashboard, and a demo producer
# that prints every alert. Each app runs under scripts/supervise.sh, which starts it again when it dies and
# says so. Ctrl-C (or SIGTERM to this script) stops everything it started, restarted apps included, by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mkdir -p .run
STATE=.run/dev-infra.json
PIDS=()
cleanup() {
  trap - INT TERM EXIT
  # keep stopping even when stdout is gone (e.g. `npm start | tee log`: Ctrl-C ends tee first), so
  # what it says goes to stderr
  trap '' PIPE
  set +e
  echo "[start] stopping" >&2
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  node dist/tools/infra/cli.js stop --state "$STATE" >&2
}
trap 'cleanup; exit 130' INT
trap 'cleanup; exit 143' TERM
trap cleanup EXIT

node dist/tools/infra/cli.js start --state "$STATE" | tee .run/dev-infra.env
eval "export $(grep -E '^(KAFKA_BROKERS|REDIS_URL|DATABASE_URL)=' .run/dev-infra.env | tr '\n' ' ')"
ENGINE_PORT=${ENGINE_PORT:-3001}
NOTIFIER_PORT=${NOTIFIER_PORT:-3002}
API_PORT=${API_PORT:-3000}
PROJECTOR_PORT=${PROJECTOR_PORT:-3003}
WEBHOOK_PORT=${WEBHOOK_PORT:-3102}

# secrets for this run only, never written to the repository
umask 077
[ -f .run/notifier-secret-key ] || node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64"))' > .run/notifier-secret-key
export DEMO_WEBHOOK_SECRET="whsec_$(node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("base64"))')"
# one admin API key for the dashboard, for this run only; the api keeps only its SHA-256
DEMO_API_KEY="dw_$(node -e 'process.stdout.write(require("crypto").randomBytes(18).toString("base64url"))')"
DEMO_API_KEY_HASH=$(node -e 'process.stdout.write(require("crypto").createHash("sha256").update(process.argv[1]).digest("hex"))' "$DEMO_API_KEY")
cat > .run/demo-subscriptions.json <<JSON
[{ "id": "demo-webhook", "name": "Demo compliance webhook (review and worse)",
   "filter": { "verdicts": ["review", "license_required", "prohibited"] },
   "target": { "type": "webhook", "url": "http://127.0.0.1:$WEBHOOK_PORT/hook", "secrets": ["$DEMO_WEBHOOK_SECRET"] } }]
JSON

wait_ready() { # name port pid log
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$2/ready" >/dev/null 2>&1 && return 0
    kill -0 "$3" 2>/dev/null || { echo "[start] $1 exited; see $4"; tail -20 "$4"; exit 1; }
    sleep 1
  done
  echo "[start] $1 not ready after 60 s; see $4"; exit 1
}

node bin/dualwatch.js refdata load
: > .run/risk-engine.log
: > .run/notifier.log
: > .run/api.log
: > .run/projector.log
MALLOC_ARENA_MAX=2 HTTP_PORT=$ENGINE_PORT bash scripts/supervise.sh risk-engine .run/risk-engine.log -- node dist/apps/risk-engine/src/main.js &
PIDS+=($!); wait_ready risk-engine "$ENGINE_PORT" "${PIDS[-1]}" .run/risk-engine.log
bash scripts/supervise.sh webhook-receiver - -- node dist/tools/demo/webhook-receiver.js --port "$WEBHOOK_PORT" &
PIDS+=($!)
HTTP_PORT=$NOTIFIER_PORT NOTIFIER_SECRET_KEY="$(cat .run/notifier-secret-key)" \
  NOTIFIER_SUBSCRIPTIONS_FILE=.run/demo-subscriptions.json NOTIFIER_TARGET_ALLOW_LIST=127.0.0.1 \
  NOTIFIER_DASHBOARD_BASE_URL="http://127.0.0.1:$API_PORT/dashboard" \
  bash scripts/supervise.sh notifier .run/notifier.log -- node dist/apps/notifier/src/main.js &
PIDS+=($!); wait_ready notifier "$NOTIFIER_PORT" "${PIDS[-1]}" .run/notifier.log
HTTP_PORT=$PROJECTOR_PORT bash scripts/supervise.sh projector .run/projector.log -- node dist/apps/projector/src/main.js &
PIDS+=($!); wait_ready projector "$PROJECTOR_PORT" "${PIDS[-1]}" .run/projector.log
HTTP_PORT=$API_PORT API_KEYS="demo:admin:$DEMO_API_KEY_HASH" NOTIFIER_SECRET_KEY="$(cat .run/notifier-secret-key)" \
  NOTIFIER_TARGET_ALLOW_LIST=127.0.0.1 bash scripts/supervise.sh api .run/api.log -- node dist/apps/api/src/main.js &
PIDS+=($!); wait_ready api "$API_PORT" "${PIDS[-1]}" .run/api.log

cat <<INFO

Dualwatch is running.
  Dashboard:    http://127.0.0.1:$API_PORT/dashboard   API key (admin, this run only): $DEMO_API_KEY
  API docs:     http://127.0.0.1:$API_PORT/docs
  Kafka:        $KAFKA_BROKERS   (topics: orders.v1 in; risk.assessments.v1, risk.alerts.v1, orders.dlq.v1 out)
  Redis:        $REDIS_URL
  PostgreSQL:   $DATABASE_URL   (casework: cases, triage, audit trail; psql "$DATABASE_URL")
  projector:    http://127.0.0.1:$PROJECTOR_PORT/ready   http://127.0.0.1:$PROJECTOR_PORT/metrics   log: .run/projector.log
  risk-engine:  http://127.0.0.1:$ENGINE_PORT/ready   http://127.0.0.1:$ENGINE_PORT/metrics   log: .run/risk-engine.log
  notifier:     http://127.0.0.1:$NOTIFIER_PORT/ready   http://127.0.0.1:$NOTIFIER_PORT/metrics   log: .run/notifier.log
  webhooks:     signed deliveries to http://127.0.0.1:$WEBHOOK_PORT/hook print below as [webhook] lines
  Score a file: npx dualwatch score --input libs/contracts/schemas/examples/prohibited-dysprosium-to-atla.json --format table
Alerts from the demo traffic print below ([ALERT] lines), with the webhook deliveries. Ctrl-C stops everything.

INFO
# in the background, waited for: bash runs the INT/TERM trap only between commands, so a foreground
# demo would keep the whole system up after a SIGTERM to this script
node dist/tools/demo/demo.js --rate "${DEMO_RATE:-5}" &
PIDS+=($!)
wait "${PIDS[-1]}"
