#!/usr/bin/env bash
# The demo: the Debian packages it needs (`scripts/stack.sh setup`, MariaDB's) → the local stack's Kafka, registry,
# Prism and MariaDB up (not Prometheus nor the Pushgateway: it pushes no metrics) → migrate → create topics →
# produce a window from the Prism mock of Toss → consume into MySQL → print what landed. Run it twice: the second
# run replays the window and the rows stay the same (idempotent upsert). Leaves the stack running;
# `npm run stack:down` stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund
[ -f dist/main.js ] || npm run --silent build
export PATH="$PWD/node_modules/.bin:$PATH"

bash scripts/stack.sh setup kafka registry prism mariadb
bash scripts/stack.sh up kafka registry prism mariadb

# Prism serves mock-server/toss-openapi.yaml on 4010; the demo's pager (scripts/demo-toss-pages.mjs) in front of it
# answers the pages after the first with the spec's empty page, so the window ends as a real Toss window does
if [ -z "${TOSS_API_BASE_URL:-}" ]; then
  node scripts/demo-toss-pages.mjs 4011 http://127.0.0.1:4010 &
  pager=$!
  trap 'kill "$pager" 2>/dev/null || true' EXIT
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/4011) 2>/dev/null && break; sleep 0.1; done
  export TOSS_API_BASE_URL=http://127.0.0.1:4011
fi
export TOSS_SECRET_KEY="${TOSS_SECRET_KEY:-test_sk_demo_only}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
export SCHEMA_REGISTRY_URL="${SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081/apis/ccompat/v7}"
export MYSQL_URL="${MYSQL_URL:-mysql://settle:settle-local@127.0.0.1:3307/settle}"
export SETTLEMENT_TOPIC="${SETTLEMENT_TOPIC:-toss.settlements.v1}"
export LOG_LEVEL="${LOG_LEVEL:-warn}"
FROM=2025-02-09 TO=2025-02-10
settle() { node bin/settle.js "$@"; }

echo "==> settle db migrate";  settle db migrate
echo "==> settle kafka init";  settle kafka init
echo "==> settle produce --from $FROM --to $TO"
set +e; settle produce --from "$FROM" --to "$TO"; code=$?; set -e
if [ "$code" = 6 ]; then
  echo "==> window already published (exit 6): replaying it to show the upsert is idempotent"
  settle replay --from "$FROM" --to "$TO" --yes
elif [ "$code" != 0 ]; then
  exit "$code"
fi
# The demo reloads the whole topic each run: the upsert makes that idempotent, and it resets stored offsets
# that a MySQL database kept from an earlier local Kafka (the consumer refuses those rather than skip rows).
echo "==> settle replay --kafka --since 1970-01-01T00:00:00Z --yes"; settle replay --kafka --since 1970-01-01T00:00:00Z --yes
echo "==> settle consume --until-idle"; settle consume --until-idle --metrics-port 0
echo "==> rows in MySQL (settlements, sold_date $FROM..$TO)"
settle settlements list --from "$FROM" --to "$TO"
