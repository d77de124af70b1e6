#!/usr/bin/env bash
# supervise.sh NAME LOG -- COMMAND [ARGS...]
# Runs COMMAND (output appended to LOG; "-" = this script's own stdout and stderr, not reopened, so
# lines written to a shared file are not overwritten) and starts it again when it dies, saying so on stderr with its
# exit code, after a back-off that doubles from 1 s to 30 s (reset once it has run for a minute).
# SIGTERM or SIGINT to this script stops the command that runs now (TERM, then KILL after 20 s),
# restarted or not, and ends the supervision. Used by scripts/start.sh for each app.
set -uo pipefail
name=$1 log=$2
shift 2
[ "${1:-}" = "--" ] && shift
child=
stopping=
stop() {
  stopping=1
  if [ -n "$child" ] && kill -0 "$child" 2>/dev/null; then
    kill -TERM "$child" 2>/dev/null
    for _ in $(seq 1 200); do kill -0 "$child" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$child" 2>/dev/null || true
  fi
}
trap stop TERM INT
backoff=1
while :; do
  started=$SECONDS
  if [ "$log" = "-" ]; then "$@" & else "$@" >> "$log" 2>&1 & fi
  child=$!
  # wait returns early when a signal is trapped: wait again until the child is really gone
  code=
  while kill -0 "$child" 2>/dev/null; do
    wait "$child"
    code=$?
  done
  if [ -z "$code" ]; then
    wait "$child" 2>/dev/null
    code=$?
  fi
  [ -n "$stopping" ] && break
  [ $((SECONDS - started)) -ge 60 ] && backoff=1
  echo "[start] $name exited (code $code); restarting it in ${backoff} s (log: $log)" >&2
  sleep "$backoff" & wait $! || true
  [ -n "$stopping" ] && break
  backoff=$((backoff * 2 > 30 ? 30 : backoff * 2))
  echo "[start] $name restarted" >&2
done
