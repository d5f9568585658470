// Preload for `npm run bench -- --env NODE_OPTIONS=--import=./bench/gc-observer.mjs` (issue 19, round eight): each
// settle child (produce, consume) counts V8's garbage collections by kind with a `gc` PerformanceObserver and, when
// it exits, writes one line to stderr, which the bench prints with the child's name:
//   gc consume: {"young":{"count":90,"ms":443},"full":{"count":17,"ms":251},"incremental":{"count":17,"ms":55}}
// young = scavenges, full = mark-compact, incremental = incremental marking steps (a part of full collections).
// The path is resolved from settle's working directory: use an absolute path when running elsewhere.
import { constants, PerformanceObserver } from 'node:perf_hooks';

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'young',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'full',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak callbacks',
};
const seen = {};
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    const kind = KINDS[entry.detail?.kind] ?? 'other';
    const s = (seen[kind] ??= { count: 0, ms: 0 });
    s.count += 1;
    s.ms += entry.duration;
  }
}).observe({ entryTypes: ['gc'] });

process.on('exit', () => {
  const out = Object.fromEntries(Object.entries(seen).map(([kind, s]) => [kind, { count: s.count, ms: Math.round(s.ms) }]));
  process.stderr.write(`gc ${process.argv[2] ?? 'process'}: ${JSON.stringify(out)}\n`);
});
