// The MySQL server's CPU for LOAD DATA of the same settlement rows read as utf8mb4 and as binary (issue 19, round
// nine). Each load goes into a fresh copy of `settlements` (CREATE TABLE … LIKE), alternating the two, and the
// server's CPU is read from /proc/<pid>/stat before and after (so run it on the server's machine, nothing else loading).
//
//   npm run bench:build && node bench/load-data-charset.mjs --rows 200000 --runs 4 --pid $(pgrep -f stack/mariadb/settle.cnf | head -1)
//
// MYSQL_URL defaults to the stack's database. Prints one line per load and the median of each.
import { createReadStream, readFileSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import { tossPages } from '../.bench-dist/test/support/toss-pages.js';
import { writeTsv } from '../.bench-dist/bench/e2e-raw-db.js';
import { ALL_COLUMNS } from '../.bench-dist/src/infrastructure/mysql/settlement-row.js';

const { values: o } = parseArgs({
  options: { rows: { type: 'string', default: '200000' }, runs: { type: 'string', default: '4' }, pid: { type: 'string' } },
});
const rows = Number(o.rows);
const runs = Number(o.runs);
if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(runs) || runs < 1) throw new Error('--rows and --runs: positive integers');
if (!o.pid) throw new Error('--pid: the MySQL server process (its CPU is what this measures)');
const cpuMs = () => {
  const f = readFileSync(`/proc/${o.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10; // utime + stime, in clock ticks of 10 ms
};
const path = `/tmp/settle-load-charset-${process.pid}.tsv`;
await writeTsv(tossPages({ rows, pageSize: 5000, soldDate: '2025-02-03', realisticKeys: true, keySalt: 7 }), 7, path);
const conn = await mysql.createConnection({ uri: process.env.MYSQL_URL ?? 'mysql://settle:settle-local@127.0.0.1:3307/settle' });
const cols = ALL_COLUMNS.map((c) => `\`${c}\``).join(', ');
const figures = { utf8mb4: [], binary: [] };
try {
  for (let run = 1; run <= runs; run++)
    for (const charset of ['utf8mb4', 'binary']) {
      await conn.query('DROP TABLE IF EXISTS bench_load_charset');
      await conn.query('CREATE TABLE bench_load_charset LIKE settlements');
      const before = cpuMs();
      const [r] = await conn.query({
        sql: `LOAD DATA LOCAL INFILE 'rows.tsv' INTO TABLE bench_load_charset CHARACTER SET ${charset} FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${cols})`,
        infileStreamFactory: () => createReadStream(path),
      });
      const us = ((cpuMs() - before) * 1000) / rows;
      if (r.affectedRows !== rows || r.warningStatus !== 0) throw new Error(`${charset}: ${r.affectedRows} rows, ${r.warningStatus} warnings`);
      figures[charset].push(us);
      console.log(`run ${run} ${charset.padEnd(7)} server CPU ${us.toFixed(2)} µs/row`);
    }
} finally {
  await conn.query('DROP TABLE IF EXISTS bench_load_charset');
  await conn.end();
  rmSync(path, { force: true });
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
console.log(`median server CPU: utf8mb4 ${median(figures.utf8mb4).toFixed(2)}, binary ${median(figures.binary).toFixed(2)} µs/row`);
