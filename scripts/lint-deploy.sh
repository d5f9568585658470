#!/usr/bin/env bash
# Lints what cannot be run here (no Docker engine, no cluster): the Dockerfile with dockerfilelint (best practices)
# and dockerfile-utils (the parser of the Dockerfile language server), the compose file and the Kubernetes
# manifests with yamllint --strict (deploy/.yamllint.yml). Installs a missing linter first: yamllint from the
# Debian packages, the two Dockerfile linters (pinned) into a cache folder outside the repository. CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."

DOCKERFILELINT_VERSION=1.8.0
DOCKERFILE_UTILS_VERSION=0.16.3
cache="${SETTLE_LINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/settle-lint-deploy}"

if ! command -v yamllint >/dev/null 2>&1; then
  echo "lint-deploy: installing yamllint (Debian package)"
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq yamllint >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq yamllint >/dev/null
  fi
fi

installed_version() { node -p "require('$cache/node_modules/$1/package.json').version" 2>/dev/null || true; }
if [ "$(installed_version dockerfilelint)" != "$DOCKERFILELINT_VERSION" ] || [ "$(installed_version dockerfile-utils)" != "$DOCKERFILE_UTILS_VERSION" ]; then
  echo "lint-deploy: installing dockerfilelint@$DOCKERFILELINT_VERSION and dockerfile-utils@$DOCKERFILE_UTILS_VERSION into $cache"
  mkdir -p "$cache"
  [ -f "$cache/package.json" ] || echo '{"name":"settle-lint-deploy","private":true}' >"$cache/package.json"
  (cd "$cache" && npm install --no-audit --no-fund --loglevel=error --save-exact \
    "dockerfilelint@$DOCKERFILELINT_VERSION" "dockerfile-utils@$DOCKERFILE_UTILS_VERSION" >/dev/null)
fi

status=0
echo "lint-deploy: yamllint $(yamllint --version | awk '{print $2}') on deploy/"
yamllint --strict -c deploy/.yamllint.yml deploy/ || status=1

echo "lint-deploy: dockerfilelint on Dockerfile"
"$cache/node_modules/.bin/dockerfilelint" Dockerfile >/tmp/lint-deploy.$$ 2>&1 || { cat /tmp/lint-deploy.$$; status=1; }
rm -f /tmp/lint-deploy.$$

echo "lint-deploy: dockerfile-utils lint on Dockerfile"
# it prints nothing for a clean file; anything it prints (errors and warnings alike) fails the check
out="$("$cache/node_modules/.bin/dockerfile-utils" lint Dockerfile 2>&1)" || status=1
if [ -n "$out" ]; then
  echo "$out"
  status=1
fi

if [ "$status" = 0 ]; then echo "lint-deploy: ok"; else echo "lint-deploy: FAILED (see above)" >&2; fi
exit "$status"
