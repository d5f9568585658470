# shellcheck shell=bash disable=SC2153 # the settings (KAFKA_PORT, DATA, ...) are scripts/stack/lib.sh's
# scripts/stack/prism.sh: the Prism mock of the Toss API ($STACK_PRISM_SPEC, default mock-server/toss-openapi.yaml),
# 127.0.0.1:$PRISM_PORT, from node_modules (npm ci). Needs no Debian package. Sourced by scripts/stack.sh after
# scripts/stack/lib.sh.

marker_prism() { printf '%s' "$REPO/node_modules/.bin/prism mock "; }
programs_prism() { echo node; }
ports_prism() { echo "$PRISM_PORT"; }
addr_prism() { echo "http://127.0.0.1:$PRISM_PORT"; }

check_prism() {
  local code
  code="$(http_code "http://127.0.0.1:$PRISM_PORT/")"
  if [[ -n "$code" && "$code" != 000 ]]; then printf 'HTTP answers (%s)' "$code"; return 0; fi
  printf 'no HTTP answer on %s' "$PRISM_PORT"
  return 1
}

start_prism() {
  local log prism
  log="$(logfile prism)"
  prism="$REPO/node_modules/.bin/prism"
  if [[ ! -x "$prism" ]]; then
    result prism "FAILED" "node_modules/.bin/prism not found: run npm ci first"
    return 1
  fi
  if [[ ! -f "$PRISM_SPEC" ]]; then
    result prism "FAILED" "spec not found: $PRISM_SPEC (set STACK_PRISM_SPEC to serve another file)"
    return 1
  fi
  rotate_log "$log"
  launch "$(pidfile prism)" "$log" "$REPO" \
    "$prism" mock "$PRISM_SPEC" -h 127.0.0.1 -p "$PRISM_PORT" -v warn
}

up_prism() {
  # with -v warn Prism may not print "Prism is listening": any HTTP answer counts
  up_owned prism "$PRISM_READY_TIMEOUT" "" start_prism
}
