# shellcheck shell=bash disable=SC2153 # the settings (KAFKA_PORT, DATA, ...) are scripts/stack/lib.sh's
# scripts/stack/mariadb.sh: MariaDB (Debian's `mariadb-server` package), our own `mariadbd` with
# stack/mariadb/settle.cnf on 127.0.0.1:$MYSQL_PORT, its data in .stack/data/mariadb; user `settle` and the
# application's database made sure of at every `up`, root only over the server's private socket. Sourced by
# scripts/stack.sh after scripts/stack/lib.sh.

marker_mariadb() { printf '%s' "--datadir=$DATA/mariadb "; }
programs_mariadb() { echo mariadbd; }
ports_mariadb() { echo "$MYSQL_PORT"; }
addr_mariadb() { mariadb_url; }

# Debian packages (`setup mariadb`). The system service is `mariadb` (`mysql` an alias); the machine's own server,
# if it has one, is left alone.
packages_mariadb() { echo mariadb-server mariadb-client; }
system_services_mariadb() { echo mariadb mysql; }
have_packages_mariadb() {
  [[ -x "$MARIADBD" ]] && command -v mariadb-install-db >/dev/null 2>&1 && mysql_bin >/dev/null 2>&1
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

# The server answers the application's URL; the detail names its version and buffer pool, and whether the pool is
# in huge pages (settle.cnf asks for them; the kernel gives them only when vm.nr_hugepages reserves enough).
check_mariadb() {
  local out ver pool pages
  if out="$(mysql_app -N -B -e 'SELECT VERSION(), @@innodb_buffer_pool_size' 2>&1)"; then
    read -r ver pool <<<"$out"
    printf 'MariaDB %s, buffer pool %s MB' "${ver%%-*}" "$((pool / 1048576))"
    if pages="$(mariadb_hugetlb_mb)"; then
      if ((pages > 0)); then printf ' (in huge pages)'; else printf ' (4 KB pages: no huge pages reserved, see vm.nr_hugepages)'; fi
    fi
    return 0
  fi
  printf 'no answer as %s on %s (%s)' "$MYSQL_USER" "$MYSQL_PORT" "$(printf '%s' "$out" | head -n 1)"
  return 1
}

# MB of huge pages our server holds (HugetlbPages of /proc/<pid>/status); fails when it is not ours or not readable
mariadb_hugetlb_mb() {
  local pid kb
  pid="$(our_pid mariadb)" || return 1
  kb="$(awk '$1 == "HugetlbPages:" { print $2 }' "/proc/$pid/status" 2>/dev/null)"
  [[ "$kb" =~ ^[0-9]+$ ]] || return 1
  printf '%s' "$((kb / 1024))"
}

# Our server accepts root over its socket (before `settle` exists, on the first start).
check_mariadb_socket() {
  local out
  if out="$(mysql_root -N -B -e 'SELECT 1' 2>&1)"; then printf 'root answers over %s' "${MARIADB_SOCKET#"$REPO"/}"; return 0; fi
  printf 'no answer over %s (%s)' "${MARIADB_SOCKET#"$REPO"/}" "$(printf '%s' "$out" | head -n 1)"
  return 1
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
  require_packages mariadb || return 1
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
