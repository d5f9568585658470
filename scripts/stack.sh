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
#   (the packages are installed with apt-get when missing, without starting the system services they ship;
#   this script never starts, stops or reconfigures a system service that was there before, such as the
#   machine's own MariaDB on 3306)
#
# Usage: bash scripts/stack.sh up|down|status|restart [kafka|registry|prism|mariadb|prometheus|pushgateway ...]
#        bash scripts/stack.sh clean [SERVICE ...]   (down, then delete .stack/data, or only the named services'
#                                             data, e.g. `clean mariadb`; downloads are kept)
#        bash scripts/stack.sh logs SERVICE   (tail -f of a service's log)
#
# Everything it downloads, runs and writes lives in <repo>/.stack (git-ignored): libs/ and the registry
# distribution (copied from ~/.m2), data/, logs/, pids/. `down` stops only the processes this stack started
# (recorded in .stack/pids; identified by their command line, which names this checkout's .stack).
#
# Environment (all optional):
#   KAFKA_PORT=9092 KAFKA_CONTROLLER_PORT=9093 REGISTRY_PORT=8081 REGISTRY_MANAGEMENT_PORT=9001
#   PRISM_PORT=4010 MYSQL_PORT=3307 PROMETHEUS_PORT=9090 PUSHGATEWAY_PORT=9091
#   STACK_MYSQL_DATABASE=settle STACK_MYSQL_PASSWORD=settle-local   the application's database and the password
#                                      of user `settle` (set again at every `up`; a new one applies to a running server)
#   STACK_MARIADB_BUFFER_POOL=<size>   innodb_buffer_pool_size, e.g. 2G (default: settle.cnf's 1G); given on the
#                                      command line, so it wins over the file; takes effect at the next start
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

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
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

OWNED_SERVICES=(kafka registry prism mariadb prometheus pushgateway)
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
# checkout's .stack, so a recycled pid or another checkout's stack is never taken for ours.
marker() {
  case "$1" in
    kafka) printf '%s' "-Dsettle.stack=kafka -Dsettle.stack.dir=$STACK " ;;
    registry) printf '%s' "-Dsettle.stack=registry -Dsettle.stack.dir=$STACK " ;;
    prism) printf '%s' "$REPO/node_modules/.bin/prism mock " ;;
    mariadb) printf '%s' "--datadir=$DATA/mariadb " ;;
    prometheus) printf '%s' "--config.file=$STACK/prometheus/prometheus.yml " ;;
    pushgateway) printf '%s' "--persistence.file=$DATA/pushgateway/metrics.db " ;;
  esac
}

is_ours() {
  local svc="$1" pid="$2"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && [[ -r "/proc/$pid/cmdline" ]] &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$(marker "$svc")"
}

# a live process of ours for $1 whose pid file went missing (e.g. deleted by hand)
find_orphan() {
  local svc="$1" d pid m
  m="$(marker "$svc")"
  for d in /proc/[0-9]*; do
    pid="${d#/proc/}"
    [[ "$pid" == "$$" || "$pid" == "$BASHPID" ]] && continue
    # only the service's own program (not a launch wrapper, nor a grep that carries the marker)
    case "$(basename "$(readlink "$d/exe" 2>/dev/null)")" in
      java | node | mariadbd | prometheus | prometheus-pushgateway) ;;
      *) continue ;;
    esac
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

kafka_java() {
  # The machine's default java (17) is fine for Kafka 4.x.
  # shellcheck disable=SC2046
  find_java 17 "${KAFKA_JAVA_HOME:+$KAFKA_JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null)" \
    "${JAVA_HOME:+$JAVA_HOME/bin/java}" $(jvm_candidates)
}

registry_java() {
  # Apicurio 3.3.x is compiled for Java 21+.
  # shellcheck disable=SC2046
  find_java 21 "${REGISTRY_JAVA_HOME:+$REGISTRY_JAVA_HOME/bin/java}" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java \
    "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null)" $(jvm_candidates)
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
# health checks (exit 0 when the service answers; print a short detail)

check_kafka() {
  local out rc
  if command -v node >/dev/null 2>&1; then
    # (stderr dropped: kafkajs 2.2.4 on Node 24 prints a harmless TimeoutNegativeWarning)
    out="$(timeout 15 node --no-warnings "$REPO/scripts/stack/kafka-check.cjs" "127.0.0.1:$KAFKA_PORT" 8000 2>/dev/null)"
    rc=$?
    if [[ $rc -ne 3 ]]; then
      [[ $rc -eq 0 ]] && printf 'cluster %s' "$out" || printf '%s' "$out"
      return "$rc"
    fi
  fi
  # no kafkajs installed (before npm ci): a TCP connect is the best we can do
  if port_open "$KAFKA_PORT"; then printf 'port %s open (kafkajs not installed: TCP check only)' "$KAFKA_PORT"; return 0; fi
  printf 'port %s closed' "$KAFKA_PORT"
  return 1
}

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time "${2:-3}" "$1" 2>/dev/null || true; }

check_registry() {
  local code
  code="$(http_code "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects")"
  if [[ "$code" == 200 ]]; then printf 'GET /apis/ccompat/v7/subjects 200'; return 0; fi
  printf 'GET /apis/ccompat/v7/subjects -> %s' "${code:-000}"
  return 1
}

check_prism() {
  local code
  code="$(http_code "http://127.0.0.1:$PRISM_PORT/")"
  if [[ -n "$code" && "$code" != 000 ]]; then printf 'HTTP answers (%s)' "$code"; return 0; fi
  printf 'no HTTP answer on %s' "$PRISM_PORT"
  return 1
}

# mysql://settle:<password>@127.0.0.1:<port>/<database>, the password percent-encoded
url_encode() {
  local LC_ALL=C s="$1" i c out=""
  for ((i = 0; i < ${#s}; i++)); do
    c="${s:i:1}"
    case "$c" in
      [A-Za-z0-9._~-]) out+="$c" ;;
      *) out+="$(printf '%%%02X' "'$c")" ;;
    esac
  done
  printf '%s' "$out"
}
mariadb_url() { printf 'mysql://%s:%s@127.0.0.1:%s/%s' "$MYSQL_USER" "$(url_encode "$MYSQL_PASSWORD")" "$MYSQL_PORT" "$MYSQL_DB"; }

mysql_bin() { command -v mariadb || command -v mysql; }

# the application's view: user settle with its password over TCP (no option file read; the password through the
# environment, never on a command line)
mysql_app() {
  local bin
  bin="$(mysql_bin)" || return 127
  MYSQL_PWD="$MYSQL_PASSWORD" "$bin" --no-defaults --protocol=tcp -h 127.0.0.1 -P "$MYSQL_PORT" -u "$MYSQL_USER" \
    --connect-timeout=3 "$@"
}

# administration: root over our server's private socket
mysql_root() {
  local bin
  bin="$(mysql_bin)" || return 127
  "$bin" --no-defaults --protocol=socket --socket="$MARIADB_SOCKET" -u root --connect-timeout=3 "$@"
}

# The server answers the application's URL; the detail names its version and buffer pool.
check_mariadb() {
  local out ver pool
  if out="$(mysql_app -N -B -e 'SELECT VERSION(), @@innodb_buffer_pool_size' 2>&1)"; then
    read -r ver pool <<<"$out"
    printf 'MariaDB %s, buffer pool %s MB' "${ver%%-*}" "$((pool / 1048576))"
    return 0
  fi
  printf 'no answer as %s on %s (%s)' "$MYSQL_USER" "$MYSQL_PORT" "$(printf '%s' "$out" | head -n 1)"
  return 1
}

# Our server accepts root over its socket (before `settle` exists, on the first start).
check_mariadb_socket() {
  local out
  if out="$(mysql_root -N -B -e 'SELECT 1' 2>&1)"; then printf 'root answers over %s' "${MARIADB_SOCKET#"$REPO"/}"; return 0; fi
  printf 'no answer over %s (%s)' "${MARIADB_SOCKET#"$REPO"/}" "$(printf '%s' "$out" | head -n 1)"
  return 1
}

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

check_pushgateway() {
  local code
  code="$(http_code "http://127.0.0.1:$PUSHGATEWAY_PORT/-/ready")"
  if [[ "$code" == 200 ]]; then printf 'GET /-/ready 200'; return 0; fi
  printf 'GET /-/ready -> %s' "${code:-000}"
  return 1
}

check() { "check_$1"; }

svc_ports() {
  case "$1" in
    kafka) echo "$KAFKA_PORT $KAFKA_CONTROLLER_PORT $KAFKA_PROXIED_PORT" ;;
    registry) echo "$REGISTRY_PORT $REGISTRY_MANAGEMENT_PORT" ;;
    prism) echo "$PRISM_PORT" ;;
    mariadb) echo "$MYSQL_PORT" ;;
    prometheus) echo "$PROMETHEUS_PORT" ;;
    pushgateway) echo "$PUSHGATEWAY_PORT" ;;
  esac
}

svc_addr() {
  case "$1" in
    kafka) echo "127.0.0.1:$KAFKA_PORT" ;;
    registry) echo "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7" ;;
    prism) echo "http://127.0.0.1:$PRISM_PORT" ;;
    mariadb) mariadb_url ;;
    prometheus) echo "http://127.0.0.1:$PROMETHEUS_PORT" ;;
    pushgateway) echo "http://127.0.0.1:$PUSHGATEWAY_PORT" ;;
  esac
}

# ---------------------------------------------------------------------------------------------------------
# preparing (downloads are resolved into ~/.m2 by Maven and copied into .stack)

prepare_kafka() {
  local pom="$REPO/stack/kafka/pom.xml" libs="$STACK/kafka/libs" sum
  sum="$(sha256sum "$pom" | cut -d' ' -f1)"
  if [[ ! -f "$libs/.pom.sha256" || "$(cat "$libs/.pom.sha256")" != "$sum" ]]; then
    need_mvn || return 1
    say "kafka:    resolving the broker's classpath with Maven (cached in ~/.m2)"
    rm -rf "$libs"
    mkdir -p "$libs"
    if ! mvn -B -q -f "$pom" "$DEPENDENCY_PLUGIN:copy-dependencies" -DincludeScope=runtime \
      -DoutputDirectory="$libs" >"$LOGS/mvn-kafka.log" 2>&1; then
      say "kafka:    Maven failed (see .stack/logs/mvn-kafka.log)"
      tail_log "$LOGS/mvn-kafka.log" 30
      return 1
    fi
    printf '%s\n' "$sum" >"$libs/.pom.sha256"
  fi

  local data="$DATA/kafka" props="$STACK/kafka/server.properties"
  mkdir -p "$data"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
    -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
    -e "s|@KAFKA_DATA_DIR@|$data|g" \
    "$REPO/stack/kafka/server.properties.template" >"$props"
  if [[ -n "$KAFKA_PROXIED_PORT" ]]; then
    # later keys win in a .properties file: these replace the template's listener lines
    cat >>"$props" <<EOF
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,PROXIED://127.0.0.1:$KAFKA_PROXIED_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,PROXIED://127.0.0.1:$KAFKA_PROXIED_ADVERTISED_PORT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,PROXIED:PLAINTEXT
EOF
  fi

  cat >"$STACK/kafka/log4j2.properties" <<'EOF'
# generated by scripts/stack.sh: the broker logs at INFO to stdout, which goes to .stack/logs/kafka.log
status = warn
name = settle-stack-kafka
# keep logging while the broker's own shutdown hook runs (SIGTERM)
shutdownHook = disable
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.requestchannel.name = kafka.network.RequestChannel$
logger.requestchannel.level = WARN
EOF

  # Format the storage once (the controller's endpoint is written into the bootstrap snapshot, so a new
  # controller port means a new, empty data dir).
  local stamp="$DATA/kafka.formatted"
  if [[ -f "$data/meta.properties" && "$(cat "$stamp" 2>/dev/null)" != "$KAFKA_CONTROLLER_PORT" ]]; then
    say "kafka:    controller port changed: re-creating the (local, throw-away) data dir"
    rm -rf "$data"
    mkdir -p "$data"
  fi
  if [[ ! -f "$data/meta.properties" ]]; then
    local java cid
    java="$(kafka_java)" || { say "kafka:    no Java 17+ found"; return 1; }
    # a Kafka cluster id: 16 random bytes, base64url without padding (what StorageTool random-uuid prints)
    cid="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    if ! "$java" -cp "$libs/*" -Dlog4j2.configurationFile="$STACK/kafka/log4j2.properties" \
      kafka.tools.StorageTool format --standalone -g -t "$cid" -c "$props" >"$LOGS/kafka-format.log" 2>&1; then
      say "kafka:    formatting the storage failed"
      tail_log "$LOGS/kafka-format.log" 30
      return 1
    fi
    printf '%s\n' "$KAFKA_CONTROLLER_PORT" >"$stamp"
  fi
}

# sets REGISTRY_DIR and REGISTRY_VERSION
prepare_registry() {
  local v dir tarball dist="$STACK/registry/dist" tried=""
  REGISTRY_DIR="" REGISTRY_VERSION=""
  for v in $REGISTRY_VERSIONS; do
    dir="$STACK/registry/app-$v"
    if [[ -f "$dir/.complete" ]]; then
      REGISTRY_DIR="$dir" REGISTRY_VERSION="$v"
      return 0
    fi
    tarball="$dist/apicurio-registry-app-$v-all.tar.gz"
    if [[ ! -s "$tarball" ]]; then
      need_mvn || return 1
      say "registry: resolving Apicurio Registry $v with Maven (cached in ~/.m2)"
      mkdir -p "$dist"
      if ! mvn -B -q -f "$REPO/stack/registry/pom.xml" -Dregistry.version="$v" "$DEPENDENCY_PLUGIN:copy-dependencies" \
        -DincludeScope=runtime -DoutputDirectory="$dist" >"$LOGS/mvn-registry-$v.log" 2>&1 || [[ ! -s "$tarball" ]]; then
        say "registry: Apicurio $v could not be fetched (see .stack/logs/mvn-registry-$v.log)"
        tried="$tried $v"
        continue
      fi
    fi
    rm -rf "$dir.tmp"
    mkdir -p "$dir.tmp"
    if ! tar -xzf "$tarball" -C "$dir.tmp"; then
      say "registry: could not extract $tarball"
      rm -rf "$dir.tmp" "$tarball"
      tried="$tried $v"
      continue
    fi
    rm -rf "$dir"
    mv "$dir.tmp" "$dir"
    touch "$dir/.complete"
    rm -f "$tarball" # the extracted copy is what runs; ~/.m2 keeps the archive
    REGISTRY_DIR="$dir" REGISTRY_VERSION="$v"
    return 0
  done
  say "registry: no Apicurio version could be prepared (tried:$tried)"
  return 1
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

start_kafka() {
  local java log
  log="$(logfile kafka)"
  if ! prepare_kafka; then
    result kafka "FAILED" "preparing the broker failed (see the messages above)"
    return 1
  fi
  java="$(kafka_java)" || {
    result kafka "FAILED" "no Java 17+ found (set KAFKA_JAVA_HOME)"
    return 1
  }
  rotate_log "$log"
  # shellcheck disable=SC2086
  launch "$(pidfile kafka)" "$log" "$STACK/kafka" \
    "$java" $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dsettle.stack=kafka -Dsettle.stack.dir="$STACK" -Dkafka.logs.dir="$LOGS" \
    -Dlog4j2.configurationFile="$STACK/kafka/log4j2.properties" \
    -cp "$STACK/kafka/libs/*" kafka.Kafka "$STACK/kafka/server.properties"
}

start_registry() {
  local java log
  log="$(logfile registry)"
  if ! prepare_registry; then
    result registry "FAILED" "no Apicurio Registry version could be prepared (see the messages above)"
    return 1
  fi
  java="$(registry_java)" || {
    result registry "FAILED" "no Java 21+ found (set REGISTRY_JAVA_HOME; Apicurio 3.3.x needs Java 21+)"
    return 1
  }
  mkdir -p "$DATA/registry"
  printf '%s\n' "$REGISTRY_VERSION" >"$STACK/registry/running-version"
  rotate_log "$log"
  local storage=()
  [[ -n "$REGISTRY_DATASOURCE_URL" ]] && storage=("-Dapicurio.datasource.url=$REGISTRY_DATASOURCE_URL")
  # shellcheck disable=SC2086
  launch "$(pidfile registry)" "$log" "$REGISTRY_DIR" \
    "$java" $REGISTRY_HEAP_OPTS -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dsettle.stack=registry -Dsettle.stack.dir="$STACK" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.host=127.0.0.1 -Dquarkus.management.port="$REGISTRY_MANAGEMENT_PORT" \
    -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=h2 "${storage[@]}" \
    -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 \
    -Dapicurio.datasource.jdbc.max-size=20 \
    -Dapicurio.storage.snapshot.location="$DATA/registry" -Dapicurio.import.work-dir="$DATA/registry" \
    "-Dquarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{3.}] (%t) %s%e%n" \
    -jar "$REGISTRY_DIR/quarkus-run.jar"
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

# Debian packages, installed when missing (prometheus and prometheus-pushgateway; mariadb-server and mariadb-client).
# Their postinst scripts would start the system services they ship (Prometheus on 9090/9091, MariaDB on 3306): for
# the install a policy-rc.d answering 101 ("action forbidden") is put in place when the machine has none, and a
# system service that started or got enabled anyway is stopped and disabled, but only one this install brought (a
# service the machine already had is never touched).
#
# ensure_debian_packages LABEL HAVE_FUNCTION "SYSTEM SERVICES" PACKAGE...: nothing happens when HAVE_FUNCTION
# succeeds; one apt-get at a time (services start in parallel); the output goes to .stack/logs/apt-LABEL.log.
ensure_debian_packages() {
  local label="$1" have="$2" services="$3"
  shift 3
  "$have" && return 0
  (
    pkgs=("$@")
    aptlog="$LOGS/apt-$label.log"
    exec 8>"$RUN/apt.lock"
    if command -v flock >/dev/null 2>&1; then flock -w 600 8 || exit 1; fi
    "$have" && exit 0
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
      printf '#!/bin/sh\n# put here by settle scripts/stack.sh while it installs %s\nexit 101\n' "${pkgs[*]}" |
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
    if ((rc)) || ! "$have"; then
      say "$label: apt-get install ${pkgs[*]} failed (see ${aptlog#"$REPO"/})"
      tail_log "$aptlog" 20
      exit 1
    fi
    exit 0
  )
}

have_prometheus_packages() {
  command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 && command -v prometheus-pushgateway >/dev/null 2>&1
}

ensure_prometheus_packages() {
  ensure_debian_packages monitoring have_prometheus_packages "prometheus prometheus-pushgateway" \
    prometheus prometheus-pushgateway
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
  if ! ensure_prometheus_packages; then
    result prometheus "FAILED" "the prometheus package is missing and could not be installed (see above)"
    return 1
  fi
  prepare_prometheus
  rotate_log "$log"
  launch "$(pidfile prometheus)" "$log" "$STACK/prometheus" \
    "$(command -v prometheus)" --config.file="$STACK/prometheus/prometheus.yml" \
    --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" --web.enable-lifecycle \
    --storage.tsdb.path="$DATA/prometheus" --storage.tsdb.retention.time=2d --log.level=warn
}

start_pushgateway() {
  local log
  log="$(logfile pushgateway)"
  if ! ensure_prometheus_packages; then
    result pushgateway "FAILED" "the prometheus-pushgateway package is missing and could not be installed (see above)"
    return 1
  fi
  mkdir -p "$DATA/pushgateway"
  rotate_log "$log"
  launch "$(pidfile pushgateway)" "$log" "$DATA/pushgateway" \
    "$(command -v prometheus-pushgateway)" --persistence.file="$DATA/pushgateway/metrics.db" \
    --web.listen-address="127.0.0.1:$PUSHGATEWAY_PORT" --web.enable-admin-api --log.level=warn
}

up_prometheus() { up_owned prometheus "$PROMETHEUS_READY_TIMEOUT" "" start_prometheus; }
up_pushgateway() { up_owned pushgateway "$PUSHGATEWAY_READY_TIMEOUT" "" start_pushgateway; }

up_kafka() { up_owned kafka "$KAFKA_READY_TIMEOUT" "Kafka Server started" start_kafka; }
up_registry() { up_owned registry "$REGISTRY_READY_TIMEOUT" "" start_registry; }
up_prism() {
  # with -v warn Prism may not print "Prism is listening": any HTTP answer counts
  up_owned prism "$PRISM_READY_TIMEOUT" "" start_prism
}

have_mariadb_packages() {
  [[ -x "$MARIADBD" ]] && command -v mariadb-install-db >/dev/null 2>&1 && mysql_bin >/dev/null 2>&1
}

ensure_mariadb_packages() {
  # the system service is `mariadb` (`mysql` an alias); the machine's own server, if it has one, is left alone
  ensure_debian_packages mariadb have_mariadb_packages "mariadb mysql" mariadb-server mariadb-client
}

# First start: a new data directory (system tables; root@localhost without a password). It is created next to
# the final one and renamed into place once complete, so an interrupted install is simply done again.
prepare_mariadb() {
  local data="$DATA/mariadb" tmp="$DATA/mariadb.install" args
  [[ -d "$data/mysql" ]] && return 0
  if [[ -d "$data" && -n "$(ls -A "$data" 2>/dev/null)" ]]; then
    say "mariadb:  $data holds files but no database (no mysql/): remove it, or run 'bash scripts/stack.sh clean'"
    return 1
  fi
  say "mariadb:  first start: creating the data directory ${data#"$REPO"/} (mariadb-install-db)"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  args=(--no-defaults --datadir="$tmp" --auth-root-authentication-method=normal --skip-test-db)
  [[ "$(id -u)" == 0 ]] && args+=(--user=root)
  if ! mariadb-install-db "${args[@]}" >"$LOGS/mariadb-install.log" 2>&1; then
    say "mariadb:  mariadb-install-db failed (see .stack/logs/mariadb-install.log)"
    tail_log "$LOGS/mariadb-install.log" 30
    rm -rf "$tmp"
    return 1
  fi
  rm -rf "$data"
  mv "$tmp" "$data"
}

start_mariadb() {
  local log args
  log="$(logfile mariadb)"
  if ((${#MARIADB_SOCKET} > 100)); then
    say "mariadb:  socket path too long for a Unix socket ($MARIADB_SOCKET): use a shorter STACK_DIR"
    return 1
  fi
  mkdir -p "$MARIADB_RUN"
  rotate_log "$log"
  # --defaults-file first (the server reads no other option file); the per-stack paths after it, and
  # STACK_MARIADB_BUFFER_POOL last, so they win over the file. The error log is the service log (the server
  # reopens it in append mode, so the launcher's redirection and the server write the same file).
  args=(--defaults-file="$MARIADB_CNF" --datadir="$DATA/mariadb" --port="$MYSQL_PORT" --socket="$MARIADB_SOCKET"
    --pid-file="$MARIADB_RUN/mariadbd.pid" --log-error="$log")
  [[ -n "$MARIADB_BUFFER_POOL" ]] && args+=(--innodb-buffer-pool-size="$MARIADB_BUFFER_POOL")
  # mariadbd refuses to run as root unless told to
  [[ "$(id -u)" == 0 ]] && args+=(--user=root)
  launch "$(pidfile mariadb)" "$log" "$DATA/mariadb" "$MARIADBD" "${args[@]}"
}

# sql_string VALUE -> 'VALUE' as a MariaDB string literal
sql_string() {
  local v="${1//\\/\\\\}"
  v="${v//\'/\\\'}"
  printf "'%s'" "$v"
}

# At every up, as root over the socket (idempotent): root keeps only root@localhost, i.e. the socket (the
# install's root@127.0.0.1, root@::1 and root@<hostname> are dropped); user `settle` for 127.0.0.1 and localhost
# with STACK_MYSQL_PASSWORD (set again, so a changed password applies) and every privilege with GRANT OPTION (the
# tests create and drop databases of their own, and SET GLOBAL); the application's database.
provision_mariadb() {
  local extra sql pw h
  extra="$(mysql_root -N -B -e "SELECT CONCAT(QUOTE(User), '@', QUOTE(Host)) FROM mysql.user WHERE (User = 'root' AND Host <> 'localhost') OR User = ''")" || return 1
  pw="$(sql_string "$MYSQL_PASSWORD")"
  sql=""
  while read -r h; do [[ -n "$h" ]] && sql+="DROP USER IF EXISTS $h;"$'\n'; done <<<"$extra"
  for h in 127.0.0.1 localhost; do
    sql+="CREATE USER IF NOT EXISTS '$MYSQL_USER'@'$h' IDENTIFIED BY $pw;"$'\n'
    sql+="ALTER USER '$MYSQL_USER'@'$h' IDENTIFIED BY $pw;"$'\n'
    sql+="GRANT ALL PRIVILEGES ON *.* TO '$MYSQL_USER'@'$h' WITH GRANT OPTION;"$'\n'
  done
  sql+="CREATE DATABASE IF NOT EXISTS \`$MYSQL_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;"
  # on stdin: the password never appears on a command line
  printf '%s\n' "$sql" | mysql_root 2>&1
}

# Like up_owned, plus the data directory on the first start and the accounts and database at every up. Ready is
# root answering over the socket (the application's user may not exist yet); then provisioning; then the
# application's URL must answer.
up_mariadb() {
  local t0 pid detail err state="already up" pattern=""
  t0=$(now)
  if [[ "$MYSQL_DB" == *'`'* ]]; then
    result mariadb "FAILED" "STACK_MYSQL_DATABASE must not contain a backtick"
    return 1
  fi
  if [[ -n "$MARIADB_BUFFER_POOL" && ! "$MARIADB_BUFFER_POOL" =~ ^[1-9][0-9]*[KMGkmg]?$ ]]; then
    result mariadb "FAILED" "STACK_MARIADB_BUFFER_POOL=$MARIADB_BUFFER_POOL: expected a size such as 512M or 2G"
    return 1
  fi
  if ! ensure_mariadb_packages; then
    result mariadb "FAILED" "mariadb-server is missing and could not be installed (see above)"
    return 1
  fi
  clean_stale_pid mariadb
  if ! pid="$(our_pid mariadb)"; then
    # another server on the port (another checkout's stack): used if it answers as settle, left alone
    if port_open "$MYSQL_PORT"; then
      if detail="$(check_mariadb)"; then
        result mariadb "external" "port $MYSQL_PORT already served by a process this stack did not start: $detail (left alone)"
        return 0
      fi
      result mariadb "FAILED" "port $MYSQL_PORT is in use by another process (not ours): $detail"
      return 1
    fi
    if ! prepare_mariadb; then
      result mariadb "FAILED" "could not create the data directory (see the messages above)"
      return 1
    fi
    if ! start_mariadb; then
      [[ -f "$RUN/mariadb.result" ]] || result mariadb "FAILED" "could not be started"
      return 1
    fi
    pid="$(our_pid mariadb)" || {
      rm -f "$(pidfile mariadb)"
      result mariadb "FAILED" "process exited right after start"
      return 1
    }
    say "mariadb:  started (pid $pid), log ${LOGS#"$REPO"/}/mariadb.log; waiting up to ${MARIADB_READY_TIMEOUT}s"
    state="started"
    pattern="ready for connections"
  fi
  if ! wait_ready mariadb "$pid" "$MARIADB_READY_TIMEOUT" "$pattern" check_mariadb_socket; then
    if kill -0 "$pid" 2>/dev/null; then
      result mariadb "FAILED" "pid $pid: $READY_DETAIL (left running for inspection; 'down' stops it)"
    else
      result mariadb "FAILED" "pid $pid: $READY_DETAIL"
    fi
    return 1
  fi
  if ! err="$(provision_mariadb)"; then
    result mariadb "FAILED" "pid $pid: creating user $MYSQL_USER and database $MYSQL_DB failed: $(printf '%s' "$err" | head -n 3 | tr '\n' ' ')"
    return 1
  fi
  if ! detail="$(check_mariadb)"; then
    result mariadb "FAILED" "pid $pid: $detail"
    return 1
  fi
  if [[ "$state" == started ]]; then
    result mariadb "running" "pid $pid, $(mariadb_url): $detail (ready in $(($(now) - t0))s)"
  else
    local note=""
    if [[ -n "$MARIADB_BUFFER_POOL" ]] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qiF -- "--innodb-buffer-pool-size=$MARIADB_BUFFER_POOL "; then
      note="; STACK_MARIADB_BUFFER_POOL=$MARIADB_BUFFER_POOL applies at the next start ('restart mariadb')"
    fi
    result mariadb "running" "already up (pid $pid), $(mariadb_url): $detail$note"
  fi
}

migrate() {
  [[ -f "$REPO/dist/main.js" ]] || {
    say "migrate:  skipped (dist/main.js not built yet)"
    return 0
  }
  local url
  url="$(mariadb_url)"
  if (cd "$REPO" && MYSQL_URL="$url" timeout 120 node "$REPO/bin/settle.js" db migrate) >"$LOGS/migrate.log" 2>&1; then
    say "migrate:  ok (settle db migrate, MYSQL_URL=$url)"
  else
    warn "migrate:  WARNING: 'settle db migrate' failed (not fatal for the stack); see .stack/logs/migrate.log"
    tail -n 10 "$LOGS/migrate.log" >&2
  fi
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
  for svc in "${OWNED_SERVICES[@]}"; do
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
