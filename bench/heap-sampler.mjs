// Preload for `npm run bench -- --env NODE_OPTIONS=--import=/abs/path/bench/heap-sampler.mjs` (issue 19, round
// eight): V8's sampling heap profiler in each settle child, counting the objects collected since (young and full
// collections), so the profile shows what a run allocated, not only what is alive at its end. At exit each child
// writes heap.<command>.<pid>.heapprofile into SETTLE_HEAP_DIR (default: its working directory); read one with
//   node bench/heap-top.mjs <file> --rows <rows of the run>
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const session = new Session();
session.connect();
session.post('HeapProfiler.enable');
session.post('HeapProfiler.startSampling', {
  samplingInterval: 2048,
  includeObjectsCollectedByMajorGC: true,
  includeObjectsCollectedByMinorGC: true,
});
process.on('exit', () => {
  // a session in the same thread answers synchronously, so the profile is written before the process ends
  session.post('HeapProfiler.stopSampling', (error, result) => {
    if (error) return;
    const file = join(process.env.SETTLE_HEAP_DIR ?? '.', `heap.${process.argv[2] ?? 'process'}.${process.pid}.heapprofile`);
    writeFileSync(file, JSON.stringify(result.profile));
  });
});
