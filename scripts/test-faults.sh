#!/usr/bin/env bash
# npm run test:faults: the reliability suite (test/faults). It runs on a stack of its own, so it can stop and
# restart the broker and the registry without disturbing anything else: Kafka on 19092 (and 19095, a second
# listener that advertises 19094, where the suite's TCP proxy sits), the registry on 18081 with a file-backed
# store (a restart keeps its schema ids), and a private MariaDB the suite starts itself (13306, its own data
# directory). Everything lives in .stack-faults/ and is stopped on the way out.
#
#   FAULTS_PROFILE=reduced (default, CI: every scenario, fewer rows) | full (300,000 rows, 5,000-row pages)
#   FAULTS_SEED=<n>  the random kill moments (printed)     npm run test:faults -- -t 1a   (one scenario)
#   FAULTS_STACK_DIR, FAULTS_KAFKA_PORT, FAULTS_KAFKA_CONTROLLER_PORT, FAULTS_KAFKA_PROXIED_PORT, FAULTS_KAFKA_PROXY_PORT,
#   FAULTS_REGISTRY_PORT, FAULTS_REGISTRY_MANAGEMENT_PORT, FAULTS_MYSQL_PORT: a second copy of the suite beside this one
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

export STACK_DIR="${FAULTS_STACK_DIR:-$PWD/.stack-faults}"
export FAULTS_MYSQL_DIR="$STACK_DIR/mariadb" FAULTS_RESULTS_FILE="$STACK_DIR/results.jsonl"
export KAFKA_PORT="${FAULTS_KAFKA_PORT:-19092}" KAFKA_CONTROLLER_PORT="${FAULTS_KAFKA_CONTROLLER_PORT:-19093}"
export KAFKA_PROXIED_PORT="${FAULTS_KAFKA_PROXIED_PORT:-19095}" KAFKA_PROXIED_ADVERTISED_PORT="${FAULTS_KAFKA_PROXY_PORT:-19094}"
export REGISTRY_PORT="${FAULTS_REGISTRY_PORT:-18081}" REGISTRY_MANAGEMENT_PORT="${FAULTS_REGISTRY_MANAGEMENT_PORT:-19001}"
export REGISTRY_DATASOURCE_URL="jdbc:h2:file:$STACK_DIR/data/registry/h2;DB_CLOSE_ON_EXIT=FALSE"
export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
export FAULTS_KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
export FAULTS_SCHEMA_REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
export FAULTS_PROFILE="${FAULTS_PROFILE:-reduced}"
export FAULTS_SEED="${FAULTS_SEED:-$((RANDOM * 32768 + RANDOM))}"
echo "fault suite: profile $FAULTS_PROFILE, seed $FAULTS_SEED (FAULTS_SEED=$FAULTS_SEED reproduces the kill moments)"

[[ -f dist/main.js ]] || npm run --silent build
cleanup() {
  status=$?
  bash scripts/stack.sh down kafka registry >/dev/null 2>&1 || true
  exit "$status"
}
trap cleanup EXIT INT TERM
# a fresh broker and registry: no topic or schema of an earlier run. Only these two services are named: the
# stack script recognises a Prism by its checkout, not its STACK_DIR, and the shared stack's Prism is not ours.
bash scripts/stack.sh down kafka registry >/dev/null 2>&1 || true
rm -rf "$STACK_DIR/data" "$STACK_DIR/run"
# the suite starts a private mariadbd of its own (test/faults/support): its package, if missing, is installed here
bash scripts/stack.sh setup mariadb
bash scripts/stack.sh up kafka registry
vitest run --project faults "$@"
