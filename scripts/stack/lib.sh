# shellcheck shell=bash disable=SC2034 # the settings are used by the service files
# scripts/stack/lib.sh: what the services of the local stack share, sourced by scripts/stack.sh (whose header
# documents the commands and the environment): the settings, the helpers, the Debian packages of `setup`, the
# generic up/wait/down machinery and the commands. Each service is a file beside this one, scripts/stack/<name>.sh,
# that defines for its name S:
#   marker_S     a string that the command line of a live process of ours contains (names this checkout's .stack)
#   programs_S   the program(s) the service runs as (basename of /proc/<pid>/exe), for finding an orphan
#   ports_S      the ports it listens on (a process that is not ours there is used if it answers, else a failure)
#   addr_S       the address the status lines show
#   check_S      exits 0 when the service answers; prints a short detail
#   up_S         starts it unless it runs (writes $RUN/S.result, see `result`), usually `up_owned` with start_S
#   packages_S, have_packages_S, system_services_S   (only a service that needs Debian packages) the packages
#                `setup S` installs, a check that they are there, and the system services they ship
#                (never started by the install)

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
STACK="${STACK_DIR:-$REPO/.stack}"
LOGS="$STACK/logs"
PIDS="$STACK/pids"
DATA="$STACK/data"
RUN="$STACK/run"

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
REGISTRY_PORT="${REGISTRY_PORT:-8081}"
REGISTRY_MANAGEMENT_PORT="${REGISTRY_MANAGEMENT_PORT:-9001}"
PRISM_PORT="${PRISM_PORT:-4010}"
MYSQL_PORT="${MYSQL_PORT:-3307}"
MYSQL_DB="${STACK_MYSQL_DATABASE:-settle}"
MYSQL_USER=settle
MYSQL_PASSWORD="${STACK_MYSQL_PASSWORD:-settle-local}"
MARIADB_BUFFER_POOL="${STACK_MARIADB_BUFFER_POOL:-}"
MARIADB_CNF="$REPO/stack/mariadb/settle.cnf"
MARIADBD=/usr/sbin/mariadbd
# the server's runtime files (socket, its own pid file); the data directory is $DATA/mariadb
MARIADB_RUN="$STACK/mariadb"
MARIADB_SOCKET="$MARIADB_RUN/mariadbd.sock"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-9090}"
PUSHGATEWAY_PORT="${PUSHGATEWAY_PORT:-9091}"
PROMETHEUS_RULES="${STACK_PROMETHEUS_RULES:-$REPO/deploy/monitoring/rules}"
KAFKA_PROXIED_PORT="${KAFKA_PROXIED_PORT:-}"
KAFKA_PROXIED_ADVERTISED_PORT="${KAFKA_PROXIED_ADVERTISED_PORT:-$KAFKA_PROXIED_PORT}"
REGISTRY_DATASOURCE_URL="${REGISTRY_DATASOURCE_URL:-}"

KAFKA_READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
REGISTRY_READY_TIMEOUT="${REGISTRY_READY_TIMEOUT:-120}"
PRISM_READY_TIMEOUT="${PRISM_READY_TIMEOUT:-60}"
MARIADB_READY_TIMEOUT="${MARIADB_READY_TIMEOUT:-60}"
PROMETHEUS_READY_TIMEOUT="${PROMETHEUS_READY_TIMEOUT:-60}"
PUSHGATEWAY_READY_TIMEOUT="${PUSHGATEWAY_READY_TIMEOUT:-30}"
STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-30}"

KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms512m -Xmx1g}"
REGISTRY_HEAP_OPTS="${REGISTRY_HEAP_OPTS:--Xmx512m}"
REGISTRY_VERSIONS="${STACK_REGISTRY_VERSIONS:-3.3.3 3.3.2}"
PRISM_SPEC="${STACK_PRISM_SPEC:-$REPO/mock-server/toss-openapi.yaml}"
DEPENDENCY_PLUGIN="org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

# The project's Node (24, from the `node` dev dependency) and tools come first.
export PATH="$REPO/node_modules/.bin:$PATH"

# the services, in the order `up`, `down`, `status` and `setup` treat them; each is scripts/stack/<name>.sh
ALL_SERVICES=(kafka registry prism mariadb prometheus pushgateway)

# ---------------------------------------------------------------------------------------------------------
# small helpers

now() { date +%s; }
say() { printf '%s\n' "$*"; }
warn() { printf '%s\n' "$*" >&2; }
# one status line: service, state, detail
line() { printf '%-11s %-9s %s\n' "$1" "$2" "$3"; }

pidfile() { printf '%s/%s.pid' "$PIDS" "$1"; }
logfile() { printf '%s/%s.log' "$LOGS" "$1"; }

# A string that the command line (NULs read as spaces) of a live process of ours contains: it names this
# A string that the command line (NULs read as spaces) of a live process of ours contains: it names this
# checkout's .stack, so a recycled pid or another checkout's stack is never taken for ours.
marker() { "marker_$1"; }

is_ours() {
  local svc="$1" pid="$2"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && [[ -r "/proc/$pid/cmdline" ]] &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$(marker "$svc")"
}

# a live process of ours for $1 whose pid file went missing (e.g. deleted by hand)
find_orphan() {
  local svc="$1" d pid m progs
  m="$(marker "$svc")"
  progs=" $("programs_$svc") "
  for d in /proc/[0-9]*; do
    pid="${d#/proc/}"
    [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
    # only the service's own program (not a launch wrapper, nor a grep that carries the marker)
    [[ "$progs" == *" $(basename "$(readlink "$d/exe" 2>/dev/null)") "* ]] || continue
    tr '\0' ' ' <"$d/cmdline" 2>/dev/null | grep -qF -- "$m" || continue
    printf '%s' "$pid"
    return 0
  done
  return 1
}

# pid of a live process we started for service $1, or nothing (re-records an orphan's pid file)
our_pid() {
  local f pid=""
  f="$(pidfile "$1")"
  [[ -f "$f" ]] && pid="$(tr -dc '0-9' <"$f")"
  if is_ours "$1" "$pid"; then
    printf '%s' "$pid"
    return 0
  fi
  if pid="$(find_orphan "$1")"; then
    mkdir -p "$PIDS"
    printf '%s\n' "$pid" >"$f"
    printf '%s' "$pid"
    return 0
  fi
  return 1
}

# remove a pid file that no longer names a live process of ours; prints a note if it did
clean_stale_pid() {
  local f
  f="$(pidfile "$1")"
  if [[ -f "$f" ]] && ! our_pid "$1" >/dev/null; then
    rm -f "$f"
    say "$(printf '%-9s' "$1:") removed stale pid file $(pidfile "$1")"
  fi
}

port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

tail_log() {
  local f="$1" n="${2:-40}"
  if [[ -s "$f" ]]; then
    say "----- last $n lines of ${f#"$REPO"/} -----"
    tail -n "$n" "$f"
    say "-----"
  fi
}

# java_major /path/to/java -> 17, 21, 25 ...
java_major() {
  "$1" -version 2>&1 | awk -F'"' '/version/ {print $2; exit}' | awk -F. '{ if ($1 == "1") print $2; else print $1 }'
}

# find_java MIN_MAJOR candidate... -> first candidate java binary with major >= MIN_MAJOR
find_java() {
  local min="$1" c m
  shift
  for c in "$@"; do
    [[ -n "$c" && -x "$c" ]] || continue
    m="$(java_major "$c" 2>/dev/null)"
    [[ "$m" =~ ^[0-9]+$ ]] || continue
    if ((m >= min)); then
      printf '%s' "$c"
      return 0
    fi
  done
  return 1
}

jvm_candidates() {
  local j
  for j in /usr/lib/jvm/*/bin/java; do [[ -x "$j" ]] && printf '%s\n' "$j"; done | sort -rV
}

need_mvn() {
  command -v mvn >/dev/null 2>&1 && return 0
  say "Maven (mvn) is required to fetch the Kafka and registry artifacts (apt-get install maven)"
  return 1
}

# Start "$@" detached (own session and process group), stdio to $log, pid to $pidfile. Every other fd is
# closed first (the stack lock on fd 9, a caller's pipes), so the service never holds them open.
launch() {
  local pidf="$1" log="$2" dir="$3"
  shift 3
  rm -f "$pidf"
  touch "$RUN/$(basename "$pidf" .pid).launched"
  # shellcheck disable=SC2016 # $$, $0 and $@ belong to the inner bash
  (cd "$dir" && exec setsid bash -c 'echo $$ >"$0"
    for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
    exec "$@"' "$pidf" "$@" >"$log" 2>&1 </dev/null 9>&-) &
  local i
  for i in $(seq 1 50); do
    [[ -s "$pidf" ]] && return 0
    sleep 0.1
  done
  return 1
}

rotate_log() {
  local f="$1"
  [[ -f "$f" ]] && mv -f "$f" "$f.1"
  : >"$f"
}

# ---------------------------------------------------------------------------------------------------------
# health checks (check_SVC in each service's file: exit 0 when the service answers; print a short detail)

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time "${2:-3}" "$1" 2>/dev/null || true; }

check() { "check_$1"; }
svc_ports() { "ports_$1"; }
svc_addr() { "addr_$1"; }

# ---------------------------------------------------------------------------------------------------------
# Debian packages: installed by `setup` only (`up` never installs; it fails a service whose packages are missing)

# the packages service $1 needs (nothing for a service that needs none)
packages() { if declare -F "packages_$1" >/dev/null; then "packages_$1"; fi; }
# the service's packages are installed (true for a service that needs none)
have_packages() { if declare -F "have_packages_$1" >/dev/null; then "have_packages_$1"; fi; }
system_services() { if declare -F "system_services_$1" >/dev/null; then "system_services_$1"; fi; }

# In up_SVC/start_SVC: fails the service, with the command that fixes it, when its packages are missing.
require_packages() {
  have_packages "$1" && return 0
  result "$1" "FAILED" "Debian packages missing ($(packages "$1")): run 'bash scripts/stack.sh setup $1'"
  return 1
}

# install_debian_packages "SYSTEM SERVICES" PACKAGE...: apt-get install (apt-get update first only when the install
# fails without it), output to .stack/logs/apt-setup.log; one at a time (a lock in .stack/run). The packages'
# postinst scripts would start the system services they ship (Prometheus on 9090/9091, MariaDB on 3306): for the
# install a policy-rc.d answering 101 ("action forbidden") is put in place when the machine has none (and removed
# after), and a system service that started or got enabled anyway is stopped and disabled, but only one this
# install brought (a service the machine already had is never touched).
install_debian_packages() {
  local services="$1"
  shift
  (
    label=setup
    pkgs=("$@")
    aptlog="$LOGS/apt-$label.log"
    exec 8>"$RUN/apt.lock"
    if command -v flock >/dev/null 2>&1; then flock -w 600 8 || exit 1; fi
    sudo=()
    if [[ "$(id -u)" != 0 ]]; then
      if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo=(sudo -n)
      else
        say "$label: ${pkgs[*]} not installed and not root"
        say "$(printf '%*s' "${#label}" '')  (apt-get install --no-install-recommends ${pkgs[*]})"
        exit 1
      fi
    fi
    command -v apt-get >/dev/null 2>&1 || {
      say "$label: ${pkgs[*]} not installed and no apt-get on this machine"
      exit 1
    }
    policy=/usr/sbin/policy-rc.d
    placed=0
    had=()
    if command -v systemctl >/dev/null 2>&1; then
      for p in $services; do
        systemctl cat "$p" >/dev/null 2>&1 && had+=("$p")
      done
    fi
    if [[ ! -e "$policy" ]]; then
      printf '#!/bin/sh\n# put here by settle scripts/stack.sh setup while it installs %s\nexit 101\n' "${pkgs[*]}" |
        "${sudo[@]}" tee "$policy" >/dev/null && "${sudo[@]}" chmod 755 "$policy" && placed=1
    fi
    say "$label: installing ${pkgs[*]} (Debian packages; system services not started)"
    rc=0
    apt_install() {
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        "${pkgs[@]}" >>"$aptlog" 2>&1
    }
    : >"$aptlog"
    if ! apt_install; then
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$aptlog" 2>&1
      apt_install || rc=1
    fi
    if ((placed)); then "${sudo[@]}" rm -f "$policy"; fi
    if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
      for p in $services; do
        [[ " ${had[*]} " == *" $p "* ]] && continue
        if systemctl is-active "$p" >/dev/null 2>&1 || systemctl is-enabled "$p" >/dev/null 2>&1; then
          say "$label: stopping and disabling the $p system service this install brought"
          "${sudo[@]}" systemctl disable --now "$p" >>"$aptlog" 2>&1 || true
        fi
      done
    fi
    if ((rc)); then
      say "$label: apt-get install ${pkgs[*]} failed (see ${aptlog#"$REPO"/})"
      tail_log "$aptlog" 20
      exit 1
    fi
    exit 0
  )
}

# ---------------------------------------------------------------------------------------------------------
# up, one service (run in parallel); writes "$RUN/<svc>.result" = "<state>|<detail>" and returns 0/1

result() { printf '%s|%s\n' "$2" "$3" >"$RUN/$1.result"; }

# wait_ready SVC PID TIMEOUT [LOG_PATTERN [CHECK_FUNCTION]]: until the check (check_SVC unless another is named)
# passes, and the log pattern, if given, appeared
wait_ready() {
  local svc="$1" pid="$2" timeout="$3" pattern="${4:-}" checker="${5:-check_$1}" deadline detail log
  log="$(logfile "$svc")"
  deadline=$(($(now) + timeout))
  while (($(now) < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      READY_DETAIL="process $pid exited"
      rm -f "$(pidfile "$svc")"
      return 1
    fi
    if [[ -z "$pattern" ]] || grep -qF -- "$pattern" "$log" 2>/dev/null; then
      if detail="$("$checker")"; then
        READY_DETAIL="$detail"
        return 0
      fi
      READY_DETAIL="$detail"
    else
      READY_DETAIL="log has not printed \"$pattern\" yet"
    fi
    sleep 1
  done
  READY_DETAIL="not ready after ${timeout}s: $READY_DETAIL"
  return 1
}

# Shared part of up for the services we own.
# up_owned SVC TIMEOUT PATTERN -- start function
up_owned() {
  local svc="$1" timeout="$2" pattern="$3" starter="$4" t0 pid detail p
  t0=$(now)
  clean_stale_pid "$svc"
  if pid="$(our_pid "$svc")"; then
    if detail="$(check "$svc")"; then
      result "$svc" "running" "already up (pid $pid), $(svc_addr "$svc"): $detail"
      return 0
    fi
    say "$(printf '%-9s' "$svc:") pid $pid is alive but not answering yet; waiting"
    if wait_ready "$svc" "$pid" "$timeout"; then
      result "$svc" "running" "pid $pid, $(svc_addr "$svc"): $READY_DETAIL ($(($(now) - t0))s)"
      return 0
    fi
    result "$svc" "FAILED" "pid $pid: $READY_DETAIL"
    return 1
  fi
  # Something that is not ours may already serve the port (another checkout's stack): use it if it answers.
  for p in $(svc_ports "$svc"); do
    if port_open "$p"; then
      if detail="$(check "$svc")"; then
        result "$svc" "external" "port $p already served by a process this stack did not start: $detail (left alone)"
        return 0
      fi
      result "$svc" "FAILED" "port $p is in use by another process (not ours) that does not answer as $svc"
      return 1
    fi
  done
  if ! "$starter"; then
    [[ -f "$RUN/$svc.result" ]] || result "$svc" "FAILED" "could not be started"
    return 1
  fi
  pid="$(our_pid "$svc")" || {
    rm -f "$(pidfile "$svc")"
    result "$svc" "FAILED" "process exited right after start"
    return 1
  }
  say "$(printf '%-9s' "$svc:") started (pid $pid), log ${LOGS#"$REPO"/}/$svc.log; waiting up to ${timeout}s"
  if wait_ready "$svc" "$pid" "$timeout" "$pattern"; then
    result "$svc" "running" "pid $pid, $(svc_addr "$svc"): $READY_DETAIL (ready in $(($(now) - t0))s)"
    return 0
  fi
  if kill -0 "$pid" 2>/dev/null; then
    result "$svc" "FAILED" "pid $pid: $READY_DETAIL (left running for inspection; 'down' stops it)"
  else
    result "$svc" "FAILED" "pid $pid: $READY_DETAIL"
  fi
  return 1
}

# ---------------------------------------------------------------------------------------------------------
# down, one service

down_owned() {
  local svc="$1" f pid t0 pgid target
  f="$(pidfile "$svc")"
  if ! pid="$(our_pid "$svc")"; then
    if [[ -f "$f" ]]; then
      rm -f "$f"
      line "$svc" "stopped" "was not running (removed stale pid file)"
    else
      line "$svc" "stopped" "not running"
    fi
    return 0
  fi
  t0=$(now)
  # launch() made the service leader of its own process group: signal the group (children included)
  pgid="$(ps -o pgid= -p "$pid" 2>/dev/null | tr -d ' ')"
  if [[ "$pgid" == "$pid" ]]; then target="-$pid"; else target="$pid"; fi
  kill -TERM -- "$target" 2>/dev/null
  while kill -0 "$pid" 2>/dev/null && (($(now) - t0 < STOP_TIMEOUT)); do sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL -- "$target" 2>/dev/null
    sleep 0.5
    rm -f "$f"
    line "$svc" "stopped" "pid $pid killed (SIGKILL after ${STOP_TIMEOUT}s)"
    return 0
  fi
  # the group leader is gone; make sure no child of it lingers
  [[ "$target" == -* ]] && kill -KILL -- "$target" 2>/dev/null
  rm -f "$f"
  line "$svc" "stopped" "pid $pid stopped ($(($(now) - t0))s)"
}

# ---------------------------------------------------------------------------------------------------------
# commands

lock() {
  mkdir -p "$STACK"
  exec 9>"$STACK/.lock"
  if command -v flock >/dev/null 2>&1 && ! flock -w 600 9; then
    warn "another scripts/stack.sh is running in $STACK"
    exit 1
  fi
}

select_services() {
  # rejects unknown service names (no names = all services)
  local s
  for s in "${REQUESTED[@]}"; do
    case "$s" in kafka | registry | prism | mariadb | prometheus | pushgateway) ;; *)
      warn "unknown service: $s (kafka, registry, prism, mariadb, prometheus, pushgateway)"
      exit 2
      ;;
    esac
  done
}

wanted() {
  local s
  ((${#REQUESTED[@]} == 0)) && return 0
  for s in "${REQUESTED[@]}"; do [[ "$s" == "$1" ]] && return 0; done
  return 1
}

cmd_up() {
  lock
  mkdir -p "$LOGS" "$PIDS" "$DATA" "$RUN" "$STACK/kafka" "$STACK/registry"
  local t0 svc rc=0 failed=() pids=() names=()
  t0=$(now)
  for svc in "${ALL_SERVICES[@]}"; do
    wanted "$svc" || continue
    rm -f "$RUN/$svc.result" "$RUN/$svc.launched"
    ("up_$svc") &
    pids+=("$!")
    names+=("$svc")
  done
  local i
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || true
  done
  say ""
  for svc in "${names[@]}"; do
    local r state detail
    r="$(cat "$RUN/$svc.result" 2>/dev/null || echo "FAILED|no result (the start routine crashed)")"
    state="${r%%|*}"
    detail="${r#*|}"
    line "$svc" "$state" "$detail"
    [[ "$state" == FAILED ]] && failed+=("$svc")
  done
  if wanted mariadb && [[ " ${failed[*]} " != *" mariadb "* ]]; then migrate; fi
  if ((${#failed[@]})); then
    for svc in "${failed[@]}"; do
      # the log is only relevant if the service was started by this run
      [[ -f "$RUN/$svc.launched" ]] && tail_log "$(logfile "$svc")" 40
    done
    say "stack: FAILED (${failed[*]}) after $(($(now) - t0))s"
    rc=1
  else
    say "stack: up in $(($(now) - t0))s"
  fi
  return "$rc"
}

cmd_down() {
  lock
  mkdir -p "$PIDS"
  local svc pids=() names=() i
  mkdir -p "$RUN"
  for svc in "${ALL_SERVICES[@]}"; do
    wanted "$svc" || continue
    down_owned "$svc" >"$RUN/$svc.down" 2>&1 &
    pids+=("$!")
    names+=("$svc")
  done
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || true
    cat "$RUN/${names[$i]}.down"
    rm -f "$RUN/${names[$i]}.down"
  done
  return 0
}

cmd_status() {
  local svc rc=0 pid detail state
  for svc in "${ALL_SERVICES[@]}"; do
    wanted "$svc" || continue
    pid="$(our_pid "$svc" || true)"
    if detail="$(check "$svc")"; then
      if [[ -n "$pid" ]]; then
        state="running"
        detail="pid $pid, $(svc_addr "$svc"): $detail"
      else
        state="external"
        detail="$(svc_addr "$svc"): $detail (answering, but not started by this stack)"
      fi
    else
      rc=1
      if [[ -n "$pid" ]]; then
        state="starting"
        detail="pid $pid alive but not answering: $detail"
      elif [[ -f "$(pidfile "$svc")" ]]; then
        state="dead"
        detail="stale pid file $(pidfile "$svc"): $detail"
      else
        state="stopped"
      fi
    fi
    line "$svc" "$state" "$detail"
  done
  return "$rc"
}

cmd_clean() {
  cmd_down
  if ((${#REQUESTED[@]})); then
    # only the named services' data (e.g. `clean mariadb`: its databases), the others keep running on theirs
    local svc
    for svc in "${REQUESTED[@]}"; do
      rm -rf "${DATA:?}/$svc" "${DATA:?}/$svc".*
      say "stack: removed ${DATA#"$REPO"/}/$svc"
    done
    return 0
  fi
  rm -rf "$DATA" "$RUN"
  say "stack: removed ${DATA#"$REPO"/} (MariaDB's databases included; downloads in .stack/kafka/libs and .stack/registry are kept)"
}

cmd_logs() {
  local svc="${REQUESTED[0]:-}"
  [[ -n "$svc" ]] || {
    warn "usage: $0 logs kafka|registry|prism|mariadb|prometheus|pushgateway"
    exit 2
  }
  exec tail -n 100 -f "$(logfile "$svc")"
}

# setup [SERVICE ...]: the Debian packages the named services (all by default) need, one apt-get for the missing
# ones; nothing else (no download, no data directory, nothing started)
cmd_setup() {
  mkdir -p "$LOGS" "$RUN"
  local svc pkgs=() services=() missing=() p rc=0
  for svc in "${ALL_SERVICES[@]}"; do
    wanted "$svc" || continue
    p="$(packages "$svc")"
    if [[ -z "$p" ]]; then
      line "$svc" "ok" "needs no Debian package"
    elif have_packages "$svc"; then
      line "$svc" "ok" "installed: $p"
    else
      line "$svc" "missing" "$p"
      missing+=("$svc")
      # shellcheck disable=SC2206 # space-separated package and service names
      pkgs+=($p)
      services+=("$(system_services "$svc")")
    fi
  done
  if ((${#missing[@]} == 0)); then
    say "setup: nothing to do"
    return 0
  fi
  say ""
  install_debian_packages "${services[*]}" "${pkgs[@]}" || rc=1
  say ""
  for svc in "${missing[@]}"; do
    if have_packages "$svc"; then
      line "$svc" "installed" "$(packages "$svc")"
    else
      line "$svc" "FAILED" "$(packages "$svc") still missing"
      rc=1
    fi
  done
  if ((rc)); then say "setup: FAILED"; else say "setup: done"; fi
  return "$rc"
}
