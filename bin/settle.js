#!/usr/bin/env node
// The published entry point: the compiled CLI lives in dist/ (built by `npm ci` through `prepare`).
//
// Heap defaults. Left alone, V8 sizes the young generation from the machine's memory (64 MB semi-spaces on a 24 GB
// machine) and lets old-space garbage grow far past the live heap: `settle produce` peaked at ~650 MB RSS for
// ~60 MB live. The long-running commands therefore start with small semi-spaces and an old-space cap. V8 flags are
// per process: they bind every isolate (a worker thread's too). Under a cap below 1 GB V8 grows the old generation
// by only ~1.3x the live heap before the next full GC, which costs the producer a third of its speed (kafkajs
// leaves much short-lived garbage that outlives a young GC); --heap-growing-percent=200 restores a 3x step within
// the cap. `produce` runs kafkajs on its main thread (one isolate): since it writes rows from their JSON text without
// parsing them (issue 19 round six) it makes little young garbage, and 4 MB semi-spaces cost it ~7% less CPU per row
// than 8 (12.2 against 13.0 µs/row over five alternating bench runs each; 2 MB: 12.6) at a peak RSS of ~222 MB;
// `consume` runs with 8 since round seven: it writes rows from their Avro bytes and makes less garbage than when 8
// cost it ~15-20% CPU; 8 against 16 in alternating runs: 16.9 against 17.5 µs/row, peak RSS 187-196 against 197-205 MB. Under
// its old cap of 192 MB without a growing step, `consume` ran a full GC about every 8,500 rows (59 for 500,000, ~1.4
// µs/row); with the 3x step 112 MB hold it to ~34, for ~15% less CPU per row (peak RSS 189-206 MB in the bench;
// the live heap after a full GC 41-49 MB). docs/performance.md, README.
// The same commands run with MALLOC_ARENA_MAX=2 unless the environment sets it: glibc otherwise gives each thread
// that allocates (V8's GC and compiler workers, libuv's pool) an arena of its own, and the memory freed into them
// stays resident. Two arenas cut peak RSS by ~15 MB (producer) and ~6 MB (consumer) at no measured CPU cost; one
// cost CPU (issue 19 round seven, docs/performance.md).
// A heap flag given in NODE_OPTIONS or on node's command line always wins (only missing ones are added) by
// replacing this process image once (process.execve: same pid, so signals, exit codes and the MySQL claim behave
// as before), guarded by SETTLE_HEAP_DEFAULTS.
import module from 'node:module';

const PRODUCER = { young: ['--max-semi-space-size=4'], old: ['--max-old-space-size=128', '--heap-growing-percent=200'] };
const HEAP_DEFAULTS = {
  produce: PRODUCER,
  // also rebuilds MySQL from the topic (--kafka); its semi-spaces stay at 16 MB (not measured with 8)
  replay: { young: ['--max-semi-space-size=16'], old: ['--max-old-space-size=192', '--heap-growing-percent=200'] },
  consume: { young: ['--max-semi-space-size=8'], old: ['--max-old-space-size=112', '--heap-growing-percent=200'] },
};
// Node's compile cache: the modules' compiled code kept on disk between runs (in the system's temp directory unless
// NODE_COMPILE_CACHE names one; NODE_DISABLE_COMPILE_CACHE=1 turns it off; a directory it cannot write leaves it
// off). A command starts with ~0.2 s less CPU: a 5,000-row `settle produce` took 1.43-1.49 s of CPU, 1.20-1.28 with
// the cache warm (issue 19 round seven).
module.enableCompileCache?.();
// the CLI's global options (each takes a value), from the one list the CLI itself uses: --toss-base-url, --brokers, …
const { GLOBAL_FLAG_TO_ENV } = await import('../dist/presentation/cli/global-options.js');
const GLOBAL_OPTIONS_WITH_VALUE = new Set(Object.keys(GLOBAL_FLAG_TO_ENV).map((name) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`));
const MARKER = 'SETTLE_HEAP_DEFAULTS';
const MALLOC_DEFAULTS = { MALLOC_ARENA_MAX: '2' };

/** The subcommand: the first argument that is neither a global option nor its value. */
function command(args) {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('-')) return a;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(a)) i++;
  }
  return null;
}

/** The heap flags and the environment the command's image should add (none once applied, or for other commands). */
function defaultsToAdd() {
  const defaults = HEAP_DEFAULTS[command(process.argv.slice(2))];
  if (!defaults || process.env[MARKER] || typeof process.execve !== 'function') return { flags: [], env: {} };
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].map((f) => f.split('=')[0].replaceAll('_', '-'));
  const has = (...names) => names.some((n) => given.includes(n));
  const add = [];
  if (!has('--max-semi-space-size', '--min-semi-space-size', '--max-heap-size')) add.push(...defaults.young);
  if (!has('--max-old-space-size', '--max-heap-size', '--heap-growing-percent')) add.push(...defaults.old);
  const env = Object.fromEntries(Object.entries(MALLOC_DEFAULTS).filter(([name]) => process.env[name] === undefined));
  return { flags: add, env };
}

const { flags, env } = defaultsToAdd();
if (flags.length > 0 || Object.keys(env).length > 0) {
  // execve replaces the image and never returns; the marker stops a second round whatever the new one decides
  const marker = [...flags, ...Object.entries(env).map(([name, value]) => `${name}=${value}`)].join(' ');
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, ...env, [MARKER]: marker });
}
await import('../dist/main.js');
