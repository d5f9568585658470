# shellcheck shell=bash disable=SC2153 # the settings (KAFKA_PORT, DATA, ...) are scripts/stack/lib.sh's
# scripts/stack/registry.sh: Apicurio Registry 3.3.x (Confluent API at /apis/ccompat/v7), in-memory unless
# REGISTRY_DATASOURCE_URL names another store, 127.0.0.1:$REGISTRY_PORT (+$REGISTRY_MANAGEMENT_PORT). Needs no
# Debian package (a Java 21+ JDK and Maven). Sourced by scripts/stack.sh after scripts/stack/lib.sh.

marker_registry() { printf '%s' "-Dsettle.stack=registry -Dsettle.stack.dir=$STACK "; }
programs_registry() { echo java; }
ports_registry() { echo "$REGISTRY_PORT $REGISTRY_MANAGEMENT_PORT"; }
addr_registry() { echo "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"; }

registry_java() {
  # Apicurio 3.3.x is compiled for Java 21+.
  # shellcheck disable=SC2046
  find_java 21 "${REGISTRY_JAVA_HOME:+$REGISTRY_JAVA_HOME/bin/java}" /usr/lib/jvm/temurin-25-jdk-amd64/bin/java \
    "${JAVA_HOME:+$JAVA_HOME/bin/java}" "$(command -v java 2>/dev/null)" $(jvm_candidates)
}

check_registry() {
  local code
  code="$(http_code "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects")"
  if [[ "$code" == 200 ]]; then printf 'GET /apis/ccompat/v7/subjects 200'; return 0; fi
  printf 'GET /apis/ccompat/v7/subjects -> %s' "${code:-000}"
  return 1
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

up_registry() { up_owned registry "$REGISTRY_READY_TIMEOUT" "" start_registry; }
