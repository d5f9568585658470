# shellcheck shell=bash disable=SC2153 # the settings (KAFKA_PORT, DATA, ...) are scripts/stack/lib.sh's
# scripts/stack/pushgateway.sh: the Prometheus Pushgateway from Debian's `prometheus-pushgateway` package, our own
# instance on 127.0.0.1:$PUSHGATEWAY_PORT (persisted in .stack/data/pushgateway). Sourced by scripts/stack.sh
# after scripts/stack/lib.sh.

marker_pushgateway() { printf '%s' "--persistence.file=$DATA/pushgateway/metrics.db "; }
programs_pushgateway() { echo prometheus-pushgateway; }
ports_pushgateway() { echo "$PUSHGATEWAY_PORT"; }
addr_pushgateway() { echo "http://127.0.0.1:$PUSHGATEWAY_PORT"; }

# Debian packages (`setup pushgateway`); the package's system service is left alone
packages_pushgateway() { echo prometheus-pushgateway; }
system_services_pushgateway() { echo prometheus-pushgateway; }
have_packages_pushgateway() { command -v prometheus-pushgateway >/dev/null 2>&1; }

check_pushgateway() {
  local code
  code="$(http_code "http://127.0.0.1:$PUSHGATEWAY_PORT/-/ready")"
  if [[ "$code" == 200 ]]; then printf 'GET /-/ready 200'; return 0; fi
  printf 'GET /-/ready -> %s' "${code:-000}"
  return 1
}

start_pushgateway() {
  local log
  log="$(logfile pushgateway)"
  require_packages pushgateway || return 1
  mkdir -p "$DATA/pushgateway"
  rotate_log "$log"
  launch "$(pidfile pushgateway)" "$log" "$DATA/pushgateway" \
    "$(command -v prometheus-pushgateway)" --persistence.file="$DATA/pushgateway/metrics.db" \
    --web.listen-address="127.0.0.1:$PUSHGATEWAY_PORT" --web.enable-admin-api --log.level=warn
}

up_pushgateway() { up_owned pushgateway "$PUSHGATEWAY_READY_TIMEOUT" "" start_pushgateway; }
