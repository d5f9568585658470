import { readFile } from 'node:fs/promises';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { type MachineReading, processCpuMs } from './e2e-children.js';

/**
 * The day bench's own measurements (`npm run bench -- --day-rows N`): how the load rate moves from the first
 * tenth of a settlement day to the last (all of it in one daily partition), what the partition's indexes cost
 * per row, and the server settings the figures ran on.
 */

/** One tenth of the day: the rows it covers, how long they took to be stored, and the disk reads meanwhile. */
export interface Tenth {
  readonly tenth: number;
  /** Rows stored when the tenth ended (the day's first k/10 of N). */
  readonly rowsStored: number;
  readonly seconds: number;
  readonly rowsPerSec: number;
  /** InnoDB's Innodb_buffer_pool_reads per second during the tenth: pages read from disk, not found in the pool. */
  readonly poolReadsPerSec: number | null;
  /**
   * The share (%) of all cores' time during the tenth that was busy, and of it steal (the hypervisor's): idle cores
   * while rows wait say the load waited on something other than CPU (null without machine readings).
   */
  readonly busyPct: number | null;
  readonly stealPct: number | null;
}

/** ms of CPU as a share (%, one decimal) of `cores` cores over `elapsedMs` of wall time; null for no time. */
export function shareOfCoresPct(ms: number, cores: number, elapsedMs: number): number | null {
  return elapsedMs > 0 ? Number(((100 * ms) / (cores * elapsedMs)).toFixed(1)) : null;
}

interface Sample {
  readonly at: number;
  readonly stored: number;
  readonly poolReads: number | null;
  readonly machine: MachineReading | null;
}

/**
 * Turns polls of "rows stored so far" into per-tenth rates. The first tenth starts at the first poll that saw
 * a stored row (the rows already there counted out), so the producer's start-up and the consumer's first
 * fetch do not make the first tenth look slower than the load is. A poll that crosses several boundaries
 * closes them all at its time (their rates then share the poll's interval).
 */
export class TenthsTracker {
  readonly #samples: Sample[] = [];
  #start: Sample | null = null;
  #last: Sample | null = null;

  constructor(private readonly rows: number) {
    if (!Number.isSafeInteger(rows) || rows < 10) throw new Error(`TenthsTracker: a day of at least 10 rows, got ${rows}`);
  }

  /** Record one poll (ms clock, rows stored, the server's Innodb_buffer_pool_reads or null, the machine's counters or null). */
  observe(at: number, stored: number, poolReads: number | null, machine: MachineReading | null = null): void {
    const sample = { at, stored, poolReads, machine };
    if (this.#start === null) {
      if (stored > 0) this.#start = sample;
      this.#last = sample;
      return;
    }
    const prev = this.#last ?? this.#start;
    if (stored < prev.stored) throw new Error(`rows stored went back from ${prev.stored} to ${stored}`);
    for (let k = this.#samples.length + 1; k <= 10 && stored >= this.boundary(k); k++) {
      // a poll crossing the boundary: its time is where the boundary's rows were first seen stored
      this.#samples.push({ at, stored: this.boundary(k), poolReads, machine });
    }
    this.#last = sample;
  }

  private boundary(k: number): number {
    return Math.ceil((this.rows * k) / 10);
  }

  tenths(): Tenth[] {
    const start = this.#start;
    if (start === null) return [];
    const out: Tenth[] = [];
    let prev: Sample = start;
    for (const [i, s] of this.#samples.entries()) {
      const seconds = (s.at - prev.at) / 1000;
      const rows = s.stored - prev.stored;
      const reads = s.poolReads !== null && prev.poolReads !== null ? s.poolReads - prev.poolReads : null;
      const share = (ms: (m: MachineReading) => number): number | null =>
        s.machine === null || prev.machine === null ? null : shareOfCoresPct(ms(s.machine) - ms(prev.machine), s.machine.cores, s.at - prev.at);
      out.push({
        tenth: i + 1,
        rowsStored: s.stored,
        seconds: Number(seconds.toFixed(2)),
        rowsPerSec: seconds > 0 ? Math.round(rows / seconds) : 0,
        poolReadsPerSec: reads === null || seconds <= 0 ? null : Math.round(reads / seconds),
        busyPct: share((m) => m.busyMs),
        stealPct: share((m) => m.stealMs),
      });
      prev = s;
    }
    return out;
  }
}

/** Last tenth's rate over the first's: the design's fear ("slower as the data grows") is a ratio well below 1. */
export function lastToFirst(tenths: readonly Tenth[]): number | null {
  const first = tenths[0];
  const last = tenths[tenths.length - 1];
  if (tenths.length < 10 || !first || !last || first.rowsPerSec === 0) return null;
  return Number((last.rowsPerSec / first.rowsPerSec).toFixed(3));
}

/** The server and the settings a day's figures depend on, as the server reports them. */
export const SERVER_VARIABLES = [
  'innodb_buffer_pool_size',
  'innodb_log_file_size',
  'innodb_log_buffer_size',
  'innodb_io_capacity',
  'innodb_io_capacity_max',
  'innodb_flush_log_at_trx_commit',
  'innodb_flush_method',
  'innodb_autoinc_lock_mode',
  'innodb_change_buffering',
  'large_pages',
  'log_bin',
  'binlog_format',
  'sync_binlog',
] as const;

/**
 * The server's version and SERVER_VARIABLES, and `hugetlbMb`: the memory the server process holds in huge pages
 * (HugetlbPages of /proc/<pid>/status), which says whether `large_pages` got its pages from the kernel (InnoDB falls
 * back to ordinary pages when none are reserved); absent when the server's process cannot be read.
 */
export async function serverSettings(conn: Connection): Promise<Record<string, string | number>> {
  const [v] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS version');
  const out: Record<string, string | number> = { version: String(v[0]?.version ?? '?') };
  const [rows] = await conn.query<RowDataPacket[]>(`SHOW GLOBAL VARIABLES WHERE Variable_name IN (${SERVER_VARIABLES.map(() => '?').join(',')})`, [
    ...SERVER_VARIABLES,
  ]);
  for (const r of rows) {
    const value = String(r.Value);
    out[String(r.Variable_name)] = /^\d+$/.test(value) ? Number(value) : value;
  }
  const pid = await serverPid(conn);
  const hugetlbMb = pid === null ? null : await hugetlbMbOf(pid);
  if (hugetlbMb !== null) out.hugetlbMb = hugetlbMb;
  return out;
}

/** The MySQL server's pid from its @@pid_file, when the server runs on this machine and the file is readable. */
async function serverPid(conn: Connection): Promise<number | null> {
  try {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT @@pid_file AS pidFile');
    const pid = (await readFile(String(rows[0]?.pidFile), 'utf8')).trim();
    return /^\d+$/.test(pid) ? Number(pid) : null;
  } catch {
    return null;
  }
}

/** MB of huge pages in a /proc/<pid>/status text (its `HugetlbPages:` line, in kB), null without the line. */
export function hugetlbMbIn(status: string): number | null {
  const m = /^HugetlbPages:\s+(\d+) kB$/m.exec(status);
  return m ? Math.round(Number(m[1]) / 1024) : null;
}

/** MB of huge pages process `pid` holds, null when its status cannot be read (gone, or not on this machine). */
export async function hugetlbMbOf(pid: number): Promise<number | null> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => null);
  return status === null ? null : hugetlbMbIn(status);
}

/**
 * CPU milliseconds (user + system, all threads) the MySQL server process has used so far, read from
 * /proc/<pid>/stat with the pid from its @@pid_file: only when the server runs on this machine and both files are
 * readable (the stack's MariaDB), null otherwise. The bench reads it before the producers start and when the last
 * row is stored: the database's CPU per row, beside settle's own (on two shared cores it is as large as either).
 */
export async function serverCpuMs(conn: Connection): Promise<number | null> {
  const pid = await serverPid(conn);
  return pid === null ? null : processCpuMs(pid);
}

/** Innodb_buffer_pool_reads: reads the pool could not serve (null when the account may not read it). */
export async function poolReads(conn: Connection): Promise<number | null> {
  const [rows] = await conn.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_reads'").catch(() => [[] as RowDataPacket[]]);
  const value = rows[0]?.Value;
  return value === undefined ? null : Number(value);
}

export interface PartitionFootprint {
  readonly partition: string;
  readonly rows: number;
  /** The clustered index (the rows themselves), bytes per row. */
  readonly dataBytesPerRow: number;
  /** All secondary indexes of the partition together, bytes per row: what the buffer pool must hold for a day. */
  readonly indexBytesPerRow: number;
  /** Each secondary index, bytes per row. */
  readonly indexes: Readonly<Record<string, number>>;
}

/**
 * The day's partition as InnoDB stores it: persistent statistics (mysql.innodb_index_stats, `size` in pages)
 * after ANALYZE TABLE, which for InnoDB samples pages and is quick even on a large partition.
 */
export async function partitionFootprint(conn: Connection, database: string, soldDate: string, rows: number): Promise<PartitionFootprint | null> {
  const partition = `p${soldDate.replaceAll('-', '')}`;
  await conn.query('ANALYZE TABLE settlements');
  const [pageSize] = await conn.query<RowDataPacket[]>('SELECT @@innodb_page_size AS p');
  const page = Number(pageSize[0]?.p ?? 16384);
  const [stats] = await conn.query<RowDataPacket[]>(
    "SELECT index_name, stat_value FROM mysql.innodb_index_stats WHERE database_name = ? AND table_name = ? AND stat_name = 'size'",
    [database, `settlements#P#${partition}`],
  );
  if (stats.length === 0 || rows <= 0) return null;
  const perRow = (pages: number) => Number(((pages * page) / rows).toFixed(1));
  const indexes: Record<string, number> = {};
  let data = 0;
  let secondary = 0;
  for (const s of stats) {
    const pages = Number(s.stat_value);
    if (s.index_name === 'PRIMARY') data += pages;
    else {
      secondary += pages;
      indexes[String(s.index_name)] = perRow(pages);
    }
  }
  return { partition, rows, dataBytesPerRow: perRow(data), indexBytesPerRow: perRow(secondary), indexes };
}

export function formatTenths(tenths: readonly Tenth[]): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const head = '  tenth   rows stored   seconds     rows/s   pool reads/s   cores busy %   steal %';
  const pct = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toFixed(1));
  const lines = tenths.map(
    (t) =>
      `  ${String(t.tenth).padStart(5)}  ${n(t.rowsStored).padStart(12)}  ${t.seconds.toFixed(1).padStart(8)}  ${n(t.rowsPerSec).padStart(9)}  ${(t.poolReadsPerSec === null ? '-' : n(t.poolReadsPerSec)).padStart(13)}  ${pct(t.busyPct).padStart(13)}  ${pct(t.stealPct).padStart(8)}`,
  );
  return [head, ...lines].join('\n');
}
