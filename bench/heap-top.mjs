// The allocation sites of a sampling heap profile (bench/heap-sampler.mjs, or any .heapprofile), as bytes per row:
//   node bench/heap-top.mjs <file> --rows <rows of the run> [--top 30]
// Each line: bytes allocated per row, the function that allocated and its caller. The first line: the total.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: { rows: { type: 'string' }, top: { type: 'string', default: '30' } },
});
if (positionals.length !== 1 || !opt.rows || !(Number(opt.rows) > 0)) {
  process.stderr.write('usage: node bench/heap-top.mjs <file> --rows <rows of the run, a positive number> [--top N]\n');
  process.exit(2);
}
const rows = Number(opt.rows);
const profile = JSON.parse(readFileSync(positionals[0], 'utf8'));
const where = (frame) =>
  `${frame.functionName || '(anonymous)'} ${frame.url.replace(/.*node_modules\//, '').replace(/.*\/(dist|src)\//, '$1/')}:${frame.lineNumber + 1}`;
const bytes = new Map();
let total = 0;
const walk = (node, caller) => {
  const site = where(node.callFrame);
  if (node.selfSize > 0) {
    const key = `${site}  <  ${caller}`;
    bytes.set(key, (bytes.get(key) ?? 0) + node.selfSize);
    total += node.selfSize;
  }
  for (const child of node.children) walk(child, site);
};
walk(profile.head, '(root)');
console.log(`${Math.round(total / 1e6)} MB allocated, ${Math.round(total / rows)} bytes a row`);
for (const [key, n] of [...bytes].sort((a, b) => b[1] - a[1]).slice(0, Number(opt.top))) console.log(`${String(Math.round(n / rows)).padStart(6)}  ${key}`);
