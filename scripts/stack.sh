#!/usr/bin/env bash
# The local stack the project's integration and end-to-end tests (and a developer) need, without Docker:
#   kafka     Apache Kafka (KRaft, one combined broker+controller) from Maven Central   127.0.0.1:9092 (+9093)
#   registry  Apicurio Registry 3.3.x (Confluent API at /apis/ccompat/v7), in-memory     127.0.0.1:8081 (+9001)
#   prism     Prism mock of the Toss API (mock-server/toss-openapi.yaml)                 127.0.0.1:4010
#   mariadb   MariaDB (Debian's `mariadb-server` package), our own `mariadbd`              127.0.0.1:3307
#             with stack/mariadb/settle.cnf, its data in .stack/data/mariadb; user `settle` (password
#             STACK_MYSQL_PASSWORD) and database `settle`: mysql://settle:settle-local@127.0.0.1:3307/settle.
#             root only over its private socket .stack/mariadb/mariadbd.sock (no password). `up` migrates it.
#   prometheus   Prometheus from Debian's `prometheus` package (promtool too), our own   127.0.0.1:9090
#                instance: scrape and rule evaluation every 1 s, the rules of deploy/monitoring/rules, the
#                Pushgateway, and the consumers listed in .stack/prometheus/targets/*.json (file_sd: tests
#                write a file there and remove it)
#   pushgateway  Prometheus Pushgateway from Debian's `prometheus-pushgateway` package   127.0.0.1:9091
#
# Usage: bash scripts/stack.sh setup [SERVICE ...]   (installs the Debian packages the named services, all by
#                                             default, need and are missing: mariadb-server and mariadb-client,
#                                             prometheus, prometheus-pushgateway; nothing else. Needs root or sudo)
#        bash scripts/stack.sh up|down|status|restart [kafka|registry|prism|mariadb|prometheus|pushgateway ...]
#                                            (no names = all services; `up` starts only what it is asked for)
#        bash scripts/stack.sh clean [SERVICE ...]   (down, then delete .stack/data, or only the named services'
#                                             data, e.g. `clean mariadb`; downloads are kept)
#        bash scripts/stack.sh logs SERVICE   (tail -f of a service's log)
#
# `setup` is the only command that changes the machine: apt-get install (with apt-get update when needed), a
# /usr/sbin/policy-rc.d answering "action forbidden" while it installs (when the machine has none), so the
# packages' system services are not started, and a system service the install brought that started anyway is
# stopped and disabled; a system service that was there before (e.g. the machine's own MariaDB on 3306) is never
# started, stopped or reconfigured. `up` never installs: a service whose packages are missing FAILS with the
# command that fixes it (e.g. `bash scripts/stack.sh setup mariadb`). scripts/demo.sh and scripts/test.sh run
# `setup` before `up`.
#
# Everything `up` downloads, runs and writes lives in <repo>/.stack (git-ignored): libs/ and the registry
# distribution (copied from ~/.m2), data/, logs/, pids/. `down` stops only the processes this stack started
# (recorded in .stack/pids; identified by their command line, which names this checkout's .stack).
#
# The code: scripts/stack/lib.sh (settings, helpers, `setup`'s installer, the generic up/wait/down machinery, the
# commands) and one file per service, scripts/stack/<service>.sh (its check, packages, prepare, start and up).
#
# Environment (all optional):
#   KAFKA_PORT=9092 KAFKA_CONTROLLER_PORT=9093 REGISTRY_PORT=8081 REGISTRY_MANAGEMENT_PORT=9001
#   PRISM_PORT=4010 MYSQL_PORT=3307 PROMETHEUS_PORT=9090 PUSHGATEWAY_PORT=9091
#   STACK_MYSQL_DATABASE=settle STACK_MYSQL_PASSWORD=settle-local   the application's database and the password
#                                      of user `settle` (set again at every `up`; a new one applies to a running server)
#   STACK_MARIADB_BUFFER_POOL=<size>   innodb_buffer_pool_size, e.g. 2G (default: settle.cnf's 1G); given on the
#                                      command line, so it wins over the file; takes effect at the next start.
#                                      settle.cnf asks for huge pages (large_pages); they are used only when the
#                                      kernel has them reserved, which the stack never does by itself (as root:
#                                      sysctl -w vm.nr_hugepages=2200 for a 4G pool, before the start); `up` says
#                                      which the pool got
#   STACK_PRISM_SPEC=<path>            spec Prism serves (default mock-server/toss-openapi.yaml)
#   STACK_REGISTRY_VERSIONS="3.3.3 3.3.2"   Apicurio versions tried in order
#   KAFKA_JAVA_HOME / REGISTRY_JAVA_HOME    JDKs (Kafka needs 17+, the registry 21+; detected otherwise)
#   KAFKA_HEAP_OPTS="-Xms512m -Xmx1g"  REGISTRY_HEAP_OPTS="-Xmx512m"
#   KAFKA_READY_TIMEOUT=90 REGISTRY_READY_TIMEOUT=120 PRISM_READY_TIMEOUT=60 MARIADB_READY_TIMEOUT=60 (seconds)
#   PROMETHEUS_READY_TIMEOUT=60 PUSHGATEWAY_READY_TIMEOUT=30 STACK_STOP_TIMEOUT=30 (SIGTERM, then SIGKILL after it)
#   STACK_PROMETHEUS_RULES=<repo>/deploy/monitoring/rules   rule files (*.yml) the stack's Prometheus loads
#   STACK_DIR=<repo>/.stack
#   KAFKA_PROXIED_PORT / KAFKA_PROXIED_ADVERTISED_PORT  a second listener advertised at another address (the
#                                      fault suite puts a TCP proxy there); unset = no second listener
#   REGISTRY_DATASOURCE_URL            JDBC URL of the registry's storage (default: in-memory H2; the fault suite
#                                      uses jdbc:h2:file:… so a restarted registry keeps its schemas and ids)
set -uo pipefail

# the settings, helpers and commands, then one file per service of ALL_SERVICES (each defines check_S, up_S, ...:
# see lib.sh)
# shellcheck source=scripts/stack/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/stack/lib.sh"
# shellcheck source=scripts/stack/kafka.sh
source "$REPO/scripts/stack/kafka.sh"
# shellcheck source=scripts/stack/registry.sh
source "$REPO/scripts/stack/registry.sh"
# shellcheck source=scripts/stack/prism.sh
source "$REPO/scripts/stack/prism.sh"
# shellcheck source=scripts/stack/mariadb.sh
source "$REPO/scripts/stack/mariadb.sh"
# shellcheck source=scripts/stack/prometheus.sh
source "$REPO/scripts/stack/prometheus.sh"
# shellcheck source=scripts/stack/pushgateway.sh
source "$REPO/scripts/stack/pushgateway.sh"

usage() {
  # the comment block at the top of this file
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"
}

main() {
  local cmd="${1:-}"
  shift || true
  REQUESTED=("$@")
  select_services
  case "$cmd" in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    restart)
      cmd_down
      exec 9>&-
      cmd_up
      ;;
    setup) cmd_setup ;;
    clean) cmd_clean ;;
    logs) cmd_logs ;;
    -h | --help | help) usage ;;
    *)
      usage
      exit 2
      ;;
  esac
}

main "$@"
