#!/usr/bin/env bash
# What the image's production install gets, checked without a Docker engine: the packed project (`npm pack`, so
# only package.json `files`) extracted into an empty folder with the lockfile and patches/, the Dockerfile's deps stage
# (`npm ci --ignore-scripts`, `patch-package`, `npm prune --omit=dev`), then settle run from there with Node 24:
#   - patches/ applied (kafkajs and avsc carry their patches, patches/README.md) and no dev dependency left,
#   - every package that dist/ imports resolves (also modules only some commands load, such as the consumer's),
#   - the resource files (migrations/, schemas/, config/holidays.json) are found from the package root,
#   - every folder the Dockerfile's runtime stage copies is in the package, and no benchmark or test code is,
#   - `settle --help`, `settle calendar payout-date 2025-02-09` (2025-02-13, as the e2e test expects), and
#     `settle doctor --json` with no services configured: exit 2 (configuration error, README, "Exit codes") and JSON.
# A runtime dependency kept in devDependencies, or a runtime file missing from `files`, fails it with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

fail() {
  printf 'check-production-install: FAILED: %s\n' "$1" >&2
  [ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/  | /' >&2
  printf '  (a runtime dependency in devDependencies, or a runtime file missing from package.json "files"?)\n' >&2
  exit 1
}
say() { printf 'check-production-install: %s\n' "$*"; }

# Node 24: the repository's own (the registry's node package); the system's may be older
node_bin="$repo/node_modules/.bin/node"
[ -x "$node_bin" ] || node_bin="$(command -v node)"
node_major="$("$node_bin" -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 24 ] || { echo "check-production-install: needs Node >= 24, found $("$node_bin" --version) (run npm ci first)" >&2; exit 2; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/settle-prod-install.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# dist/ is what `prepare` built at `npm ci`; build it if it is missing (a pack without it would fail below anyway)
[ -f dist/presentation/cli/run-cli.js ] || { say "building dist/"; npm run --silent build; }

say "npm pack"
tarball="$(npm pack --ignore-scripts --silent --pack-destination "$tmp" | tail -n 1)"
app="$tmp/app"
mkdir -p "$app"
tar -xzf "$tmp/$tarball" -C "$app" --strip-components=1
cp package-lock.json "$app/"
[ -f .npmrc ] && cp .npmrc "$app/" # the Dockerfile copies it too
cp -R patches "$app/" # so does its deps stage

say "npm ci --ignore-scripts, patch-package, npm prune --omit=dev in an empty folder (the Dockerfile's deps stage)"
out="$(cd "$app" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error 2>&1)" || fail "npm ci --ignore-scripts failed" "$out"
out="$(cd "$app" && PATH="$(dirname "$node_bin"):$PATH" npx --no-install patch-package --error-on-fail 2>&1)" || fail "patch-package failed to apply patches/" "$out"
out="$(cd "$app" && npm prune --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error 2>&1)" || fail "npm prune --omit=dev failed" "$out"
grep -q 'settle patch' "$app/node_modules/kafkajs/src/protocol/encoder.js" || fail "kafkajs is not patched after the production install (patches/kafkajs+*.patch)"
grep -q 'settle patch' "$app/node_modules/kafkajs/src/protocol/recordBatch/record/v0/decoder.js" || fail "kafkajs's record decoder is not patched after the production install (patches/kafkajs+*.patch)"
grep -q 'settle patch' "$app/node_modules/avsc/lib/utils.js" || fail "avsc is not patched after the production install (patches/avsc+*.patch)"
[ ! -e "$app/node_modules/patch-package" ] || fail "npm prune --omit=dev left the dev dependency patch-package installed"
say "patches/ applied, dev dependencies pruned"

# every folder the runtime image copies from the repository must be in the package (package.json "files")
runtime_copies="$(awk '/^FROM /{stage=""} {stage=stage $0 "\n"} END{printf "%s", stage}' Dockerfile | sed -n 's/^COPY \([a-z][a-z0-9_-]*\) \.\/.*/\1/p')"
[ -n "$runtime_copies" ] || fail "found no COPY of a repository folder in the Dockerfile's runtime stage"
for dir in $runtime_copies; do
  [ -e "$app/$dir" ] || fail "the Dockerfile's runtime stage copies $dir/, but the packed project has no $dir/ (add it to package.json \"files\")"
done
[ -x "$app/bin/settle.js" ] || [ -f "$app/bin/settle.js" ] || fail "bin/settle.js is not in the package"
# the benches and the test code do not ship (bench/ is built apart into .bench-dist/; a dist/ built before the bench
# left src/ may still hold dist/presentation/bench: rm -rf dist && npm run build)
for stray in bench .bench-dist test dist/presentation/bench; do
  [ ! -e "$app/$stray" ] || fail "the packed project holds $stray/: benchmarks and test code stay out of the package"
done

say "every package dist/ imports resolves"
# shellcheck disable=SC2016 # JavaScript, not shell: its ${…} are template literals
out="$(cd "$app" && "$node_bin" --input-type=module -e '
  import { readdirSync, readFileSync } from "node:fs";
  import { builtinModules, createRequire } from "node:module";
  import { join } from "node:path";
  import { pathToFileURL } from "node:url";
  const files = readdirSync("dist", { recursive: true }).filter((f) => f.endsWith(".js")).map((f) => join("dist", f));
  const builtins = new Set(builtinModules);
  const missing = new Map();
  const checked = new Set();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    // tsc emits static imports and re-exports at the start of a line; dynamic ones as import("x")
    const specs = [
      ...text.matchAll(/^import\s+(?:[\w$*\s{},]*?\s*from\s*)?["\x27]([^"\x27]+)["\x27]/gm),
      ...text.matchAll(/^export\s+(?:\*|\{[^}]*\})\s*(?:as\s+[\w$]+\s*)?from\s*["\x27]([^"\x27]+)["\x27]/gm),
      ...text.matchAll(/\bimport\(\s*["\x27]([^"\x27]+)["\x27]\s*\)/g),
    ].map((m) => [m[1], "import"]);
    // loaded by require: createRequire(import.meta.url)("x"), and pino transports named by { target: "x" }
    for (const m of text.matchAll(/createRequire\([^)]*\)\(\s*["\x27]([^"\x27]+)["\x27]/g)) specs.push([m[1], "require"]);
    for (const m of text.matchAll(/\btarget:\s*["\x27]([^"\x27./][^"\x27]*)["\x27]/g)) specs.push([m[1], "require"]);
    for (const [spec, how] of specs) {
      if (spec.startsWith(".") || spec.startsWith("node:") || builtins.has(spec.split("/")[0])) continue;
      checked.add(spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]);
      const from = pathToFileURL(join(process.cwd(), file)).href;
      try { if (how === "require") createRequire(from).resolve(spec); else import.meta.resolve(spec, from); }
      catch { if (!missing.has(spec)) missing.set(spec, file); }
    }
  }
  for (const [spec, file] of missing) console.log(`cannot resolve "${spec}" (imported by ${file})`);
  if (missing.size === 0) console.log(`${files.length} files of dist/ import ${checked.size} packages: ${[...checked].sort().join(", ")}`);
  process.exit(missing.size > 0 || checked.size === 0 ? 1 : 0);
' 2>&1)" || fail "packages imported by dist/ are not installed by npm ci --omit=dev" "$out"
say "$out"

say "resource files found from the package root (package.json, as the image's /app has it)"
# shellcheck disable=SC2016 # JavaScript, not shell
out="$(cd "$tmp" && "$node_bin" --input-type=module -e '
  import { existsSync, realpathSync } from "node:fs";
  const app = realpathSync(process.argv[1]);
  const { PACKAGE_ROOT } = await import(`${app}/dist/infrastructure/package-root.js`);
  const { MIGRATIONS_DIR } = await import(`${app}/dist/infrastructure/mysql/migrator.js`);
  const { SETTLEMENT_SCHEMA_FILE } = await import(`${app}/dist/infrastructure/kafka/settlement-schema-file.js`);
  const { DEFAULT_HOLIDAY_OVERRIDES_FILE } = await import(`${app}/dist/infrastructure/calendar/holiday-overrides-file.js`);
  if (realpathSync(PACKAGE_ROOT) !== app) throw new Error(`package root ${PACKAGE_ROOT}, expected ${app}`);
  for (const f of [MIGRATIONS_DIR, SETTLEMENT_SCHEMA_FILE, DEFAULT_HOLIDAY_OVERRIDES_FILE]) if (!existsSync(f)) throw new Error(`${f} is missing`);
  console.log(`package root ${PACKAGE_ROOT}: migrations/, schemas/, config/holidays.json found`);
' "$app" 2>&1)" || fail "resource files not found from the installed package" "$out"
say "$out"

run() { (cd "$tmp" && env -i PATH="$(dirname "$node_bin"):/usr/bin:/bin" HOME="$tmp" LOG_LEVEL=silent "$node_bin" "$app/bin/settle.js" "$@"); }

say "settle --help"
out="$(run --help 2>&1)" || fail "settle --help exited $?" "$out"
grep -q '^Usage: settle' <<<"$out" || fail "settle --help printed no usage line" "$out"

say "settle calendar payout-date 2025-02-09"
out="$(run calendar payout-date 2025-02-09 2>&1)" || fail "settle calendar payout-date exited $?" "$out"
[ "$(head -n 1 <<<"$out")" = 2025-02-13 ] || fail "settle calendar payout-date 2025-02-09 printed \"$(head -n 1 <<<"$out")\", expected 2025-02-13" "$out"

say "settle doctor --json with no services configured (expects exit 2 and JSON)"
code=0
out="$(run doctor --json 2>"$tmp/doctor.err")" || code=$?
[ "$code" = 2 ] || fail "settle doctor --json exited $code, expected 2 (configuration error)" "$out$(cat "$tmp/doctor.err")"
"$node_bin" -e '
  const r = JSON.parse(process.argv[1]);
  const config = r.checks.find((c) => c.name === "configuration");
  if (r.ok !== false || r.exitCode !== 2 || !config || config.ok !== false) { console.error("unexpected report"); process.exit(1); }
' "$out" || fail "settle doctor --json did not print the expected JSON report" "$out"

say "ok: $tarball installs and runs with production dependencies only"
