#!/usr/bin/env bash
# The test command (README, CI): install, static checks, unit tests, then the real stack for integration and
# end-to-end tests (its Debian packages installed first, when missing, by `scripts/stack.sh setup`). The stack is
# stopped on the way out, also when a test fails; only what we started stops.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "npm ci (installs Node 24 from the registry's node package, builds dist/ via prepare)"
npm ci --no-audit --no-fund

export PATH="$PWD/node_modules/.bin:$PATH"
step "node $(node --version)"

step "format, lint, typecheck, dependency rules"
npm run --silent format:check
npm run --silent lint
npm run --silent typecheck
npm run --silent depcheck

step "deploy files: yamllint on deploy/, dockerfilelint and dockerfile-utils on the Dockerfile (no engine here)"
bash scripts/lint-deploy.sh

step "production install: the packed project with production dependencies only runs settle"
bash scripts/check-production-install.sh

step "unit tests"
npm run --silent test:unit

started_stack=0
cleanup() {
  status=$?
  if [ "$started_stack" = 1 ]; then
    step "stopping the local stack"
    bash scripts/stack.sh down || true
  fi
  exit "$status"
}
trap cleanup EXIT INT TERM

# the Debian packages of every service (MariaDB, Prometheus, the Pushgateway; promtool for the monitoring tests, and
# mariadbd for the fault suite's private MariaDB): installed when missing, nothing to do otherwise
step "the local stack's Debian packages"
bash scripts/stack.sh setup

if bash scripts/stack.sh status >/dev/null 2>&1; then
  step "the local stack is already running: using it and leaving it running"
else
  step "starting the local stack"
  started_stack=1
  bash scripts/stack.sh up
fi

export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
export SCHEMA_REGISTRY_URL="${SCHEMA_REGISTRY_URL:-http://127.0.0.1:8081/apis/ccompat/v7}"
export MYSQL_URL="${MYSQL_URL:-mysql://settle:settle-local@127.0.0.1:3307/settle}"
export PRISM_URL="${PRISM_URL:-http://127.0.0.1:4010}"

step "integration tests (real Kafka, registry, MariaDB, Prism)"
npm run --silent test:integration

step "end-to-end tests (the built settle binary)"
npm run --silent test:e2e

# The fault suite runs on a stack of its own (other ports, a private MariaDB): the shared stack is not needed
# any more, so stop it first if this run started it (two cores: one broker at a time).
if [ "$started_stack" = 1 ]; then
  step "stopping the local stack (the fault suite starts its own)"
  bash scripts/stack.sh down || true
  started_stack=0
fi
step "fault suite, ${FAULTS_PROFILE:-reduced} profile (broker, registry, MariaDB, network and Toss faults; see README)"
npm run --silent test:faults

step "all tests passed"
