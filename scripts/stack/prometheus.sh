# shellcheck shell=bash disable=SC2153 # the settings (KAFKA_PORT, DATA, ...) are scripts/stack/lib.sh's
# scripts/stack/prometheus.sh: Prometheus from Debian's `prometheus` package (promtool too), our own instance on
# 127.0.0.1:$PROMETHEUS_PORT: scrape and rule evaluation every 1 s, the rules of $STACK_PROMETHEUS_RULES, the
# Pushgateway, and the consumers listed in .stack/prometheus/targets/*.json. Sourced by scripts/stack.sh after
# scripts/stack/lib.sh.

marker_prometheus() { printf '%s' "--config.file=$STACK/prometheus/prometheus.yml "; }
programs_prometheus() { echo prometheus; }
ports_prometheus() { echo "$PROMETHEUS_PORT"; }
addr_prometheus() { echo "http://127.0.0.1:$PROMETHEUS_PORT"; }

# Debian packages (`setup prometheus`); the package's system service is left alone
packages_prometheus() { echo prometheus; }
system_services_prometheus() { echo prometheus; }
have_packages_prometheus() { command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; }

# Ours only when it runs with this stack's config file (another Prometheus on the port is not taken for ours).
check_prometheus() {
  local code flags
  code="$(http_code "http://127.0.0.1:$PROMETHEUS_PORT/-/ready")"
  if [[ "$code" != 200 ]]; then
    printf 'GET /-/ready -> %s' "${code:-000}"
    return 1
  fi
  flags="$(curl -s --max-time 3 "http://127.0.0.1:$PROMETHEUS_PORT/api/v1/status/flags" 2>/dev/null)"
  if [[ "$flags" != *"\"config.file\":\"$STACK/prometheus/prometheus.yml\""* ]]; then
    printf 'a Prometheus answers on %s, but not with this stack'"'"'s config file' "$PROMETHEUS_PORT"
    return 1
  fi
  printf 'GET /-/ready 200'
}

# .stack/prometheus/prometheus.yml (rewritten at each start): scrapes, every second, the Pushgateway and the
# consumers listed in .stack/prometheus/targets/*.json, and evaluates the rules of deploy/monitoring/rules.
prepare_prometheus() {
  local dir="$STACK/prometheus"
  mkdir -p "$dir/targets" "$DATA/prometheus"
  cat >"$dir/prometheus.yml.tmp" <<EOF
# written by scripts/stack.sh: the local stack's Prometheus
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $PROMETHEUS_RULES/*.yml
scrape_configs:
  - job_name: pushgateway
    honor_labels: true
    static_configs:
      - targets: ['127.0.0.1:$PUSHGATEWAY_PORT']
  - job_name: settle_consume
    file_sd_configs:
      - files: ['$dir/targets/*.json']
        refresh_interval: 1s
EOF
  mv -f "$dir/prometheus.yml.tmp" "$dir/prometheus.yml"
}

start_prometheus() {
  local log
  log="$(logfile prometheus)"
  require_packages prometheus || return 1
  prepare_prometheus
  rotate_log "$log"
  launch "$(pidfile prometheus)" "$log" "$STACK/prometheus" \
    "$(command -v prometheus)" --config.file="$STACK/prometheus/prometheus.yml" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle \
    --storage.tsdb.path="$DATA/prometheus" --storage.tsdb.retention.time=2d --log.level=warn
}

up_prometheus() { up_owned prometheus "$PROMETHEUS_READY_TIMEOUT" "" start_prometheus; }
