#!/usr/bin/env bash
# Installs what Dualwatch needs on a fresh Debian machine, idempotently, and builds it:
# Node dependencies (npm ci, which also applies patches/ and builds dist/), Java 17 + Maven, redis-server, PostgreSQL,
# Chromium and a CJK font (apt, as root, only where missing), and the Apache Kafka broker jars (Maven
# Central, cached in .cache/).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v java >/dev/null 2>&1 || need_apt+=(openjdk-17-jre-headless)
command -v mvn >/dev/null 2>&1 || need_apt+=(maven)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
# the casework database: tests and npm start run a server of their own from Debian's binaries
# (initdb and postgres, in /usr/lib/postgresql/<major>/bin), never the system one on 5432
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need_apt+=(postgresql)
# the dashboard's browser tests drive Debian's Chromium (a test tool's own browser download cannot work
# here); the CJK font renders the Chinese and Japanese names on its screenshots
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -d /usr/share/fonts/truetype/wqy ] || need_apt+=(fonts-wqy-microhei)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "[setup] installing ${need_apt[*]} from Debian"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "[setup] missing ${need_apt[*]}: install them (sudo apt-get install ${need_apt[*]})" >&2
    exit 1
  fi
fi

node -e 'const [a,b]=process.versions.node.split(".").map(Number); if (a<20||(a===20&&b<11)) { console.error("[setup] Node.js >= 20.11 needed, found "+process.versions.node); process.exit(1) }'

stamp=node_modules/.dualwatch-lock-hash
# the lockfile and the patches that postinstall (patch-package) applies to node_modules
want=$(cat package-lock.json patches/*.patch | sha256sum | cut -c1-64)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "[setup] npm ci (installs dependencies, applies patches/, builds dist/)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
else
  echo "[setup] dependencies up to date; building"
  npm run --silent build
fi

node dist/tools/infra/cli.js fetch
