/**
 * A capacity plan for one settlement day: how many producer workers, partitions and consumer replicas, and what
 * MySQL write rate, finish `rows` rows within `deadlineSeconds`, sized from measured per-process rates (the
 * bench's JSON) at a target utilization, under an optional Toss rate limit (pages/s for the merchant, all
 * workers together; Toss publishes none, so it is an input). Pure arithmetic; docs/capacity.md explains it.
 */
export interface MeasuredRates {
  /** One `settle produce` process, its own rows/s. */
  readonly producerRowsPerSec: number;
  /** One `settle consume` process, first batch to last, rows/s. */
  readonly consumerRowsPerSec: number;
  /** The database's measured write limit (the bench's fastest raw load), rows/s. */
  readonly mysqlRowsPerSec: number;
  /** CPU µs per row of each process (the bench's --profile), null when not measured. */
  readonly producerCpuUsPerRow: number | null;
  readonly consumerCpuUsPerRow: number | null;
  readonly producerPeakRssMb: number;
  readonly consumerPeakRssMb: number;
  /** Where the figures come from (a file, or the measured defaults of docs/performance.md). */
  readonly source: string;
}

export interface PlanRequest {
  readonly rows: number;
  readonly deadlineSeconds: number;
  readonly pageSize: number;
  /** Pages each worker fetches at once (TOSS_CONCURRENCY). */
  readonly tossConcurrency: number;
  /** Seconds Toss takes to answer one page (an assumption: the bench's fake answers at once). */
  readonly tossPageSeconds: number;
  /** Toss's rate limit in pages/s for all workers together; null = none assumed. */
  readonly tossPagesPerSec: number | null;
  /** Fraction of each measured rate a process is planned to run at (headroom for noise, retries, rebalances). */
  readonly utilization: number;
  /** Partitions are at least this many times the replicas: room to add replicas without repartitioning. */
  readonly partitionsPerReplica: number;
}

/** What caps the pipeline's speed once it is sized: the slowest of the four. */
export type Bottleneck = 'toss' | 'mysql' | 'producers' | 'consumers';

export interface CapacityPlan {
  readonly rows: number;
  readonly deadlineSeconds: number;
  readonly requiredRowsPerSec: number;
  readonly pages: number;
  /** The rate the plan is sized for: the required one, or less when Toss's limit cannot deliver it. */
  readonly plannedRowsPerSec: number;
  readonly toss: {
    readonly pagesPerSecLimit: number | null;
    readonly neededPagesPerSec: number;
    readonly maxRowsPerSec: number | null;
    readonly pagesInFlight: number;
  };
  readonly producer: {
    readonly workers: number;
    readonly workersForCpu: number;
    readonly workersForLatency: number;
    readonly cores: number | null;
    readonly memoryMb: number;
  };
  readonly consumer: { readonly replicas: number; readonly partitions: number; readonly cores: number | null; readonly memoryMb: number };
  readonly mysql: { readonly neededRowsPerSec: number; readonly measuredRowsPerSec: number; readonly utilization: number };
  /** The slowest of Toss's limit, MySQL's measured limit, the planned producers' and consumers' measured rates. */
  readonly achievableRowsPerSec: number;
  readonly finishSeconds: number;
  readonly meetsDeadline: boolean;
  readonly bottleneck: Bottleneck;
}

const round = (n: number, digits = 2) => Number(n.toFixed(digits));

export function capacityPlan(req: PlanRequest, m: MeasuredRates): CapacityPlan {
  for (const [name, v] of Object.entries({
    rows: req.rows,
    deadlineSeconds: req.deadlineSeconds,
    pageSize: req.pageSize,
    tossConcurrency: req.tossConcurrency,
    utilization: req.utilization,
    producerRowsPerSec: m.producerRowsPerSec,
    consumerRowsPerSec: m.consumerRowsPerSec,
    mysqlRowsPerSec: m.mysqlRowsPerSec,
  }))
    if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a positive number, got ${v}`);
  const requiredRowsPerSec = req.rows / req.deadlineSeconds;
  const tossMax = req.tossPagesPerSec === null ? null : req.tossPagesPerSec * req.pageSize;
  const planned = tossMax === null ? requiredRowsPerSec : Math.min(requiredRowsPerSec, tossMax);
  const neededPagesPerSec = planned / req.pageSize;
  // Little's law: pages waiting on Toss at once = pages/s × seconds per page; each worker keeps tossConcurrency in flight
  const pagesInFlight = neededPagesPerSec * req.tossPageSeconds;
  const workersForCpu = Math.ceil(planned / (m.producerRowsPerSec * req.utilization));
  const workersForLatency = Math.ceil(pagesInFlight / req.tossConcurrency);
  const workers = Math.max(1, workersForCpu, workersForLatency);
  const replicas = Math.max(1, Math.ceil(planned / (m.consumerRowsPerSec * req.utilization)));
  const partitions = replicas * req.partitionsPerReplica;
  const limits: Array<[Bottleneck, number]> = [
    ['toss', tossMax ?? Infinity],
    ['mysql', m.mysqlRowsPerSec],
    ['producers', workers * m.producerRowsPerSec],
    ['consumers', replicas * m.consumerRowsPerSec],
  ];
  const [bottleneck, achievable] = limits.reduce((a, b) => (b[1] < a[1] ? b : a));
  const finishSeconds = req.rows / achievable;
  return {
    rows: req.rows,
    deadlineSeconds: req.deadlineSeconds,
    requiredRowsPerSec: Math.round(requiredRowsPerSec),
    pages: Math.ceil(req.rows / req.pageSize),
    plannedRowsPerSec: Math.round(planned),
    toss: {
      pagesPerSecLimit: req.tossPagesPerSec,
      neededPagesPerSec: round(neededPagesPerSec),
      maxRowsPerSec: tossMax,
      pagesInFlight: round(pagesInFlight, 1),
    },
    producer: {
      workers,
      workersForCpu,
      workersForLatency,
      cores: m.producerCpuUsPerRow === null ? null : round((planned * m.producerCpuUsPerRow) / 1e6, 1),
      memoryMb: workers * m.producerPeakRssMb,
    },
    consumer: {
      replicas,
      partitions,
      cores: m.consumerCpuUsPerRow === null ? null : round((planned * m.consumerCpuUsPerRow) / 1e6, 1),
      memoryMb: replicas * m.consumerPeakRssMb,
    },
    mysql: { neededRowsPerSec: Math.round(planned), measuredRowsPerSec: m.mysqlRowsPerSec, utilization: round(planned / m.mysqlRowsPerSec) },
    achievableRowsPerSec: Math.round(achievable),
    finishSeconds: Math.round(finishSeconds),
    meetsDeadline: finishSeconds <= req.deadlineSeconds,
    bottleneck,
  };
}

/** The figures a bench JSON line (`npm run bench -- --json`) holds, as per-process rates. */
export function ratesFromBench(report: Record<string, unknown>, source: string): MeasuredRates {
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  const need = (name: string, v: unknown): number => {
    const n = num(v);
    if (n === null || n <= 0) throw new RangeError(`${source}: the bench report has no positive ${name}`);
    return n;
  };
  const shards = num(report.shards) ?? 1;
  const producers = Array.isArray(report.producers) ? (report.producers as Array<Record<string, unknown>>) : [];
  const perProducer =
    producers.length > 0
      ? producers.reduce((s, p) => s + (num(p.rowsPerSec) ?? 0), 0) / producers.length
      : need('produceRowsPerSec', report.produceRowsPerSec) / shards;
  const profile = (report.profileUsPerRow ?? {}) as Record<string, { busyUsPerRow?: unknown } | undefined>;
  return {
    producerRowsPerSec: need('producer rows/s', perProducer),
    consumerRowsPerSec: need('consumeRowsPerSec', report.consumeRowsPerSec),
    mysqlRowsPerSec: need('rawDbRowsPerSec (run the bench with a raw method, e.g. --raw-methods=loadData)', report.rawDbRowsPerSec),
    // the kernel's CPU time per row (every bench run prints it) before a --profile's busy time
    producerCpuUsPerRow: num(report.cpuUsPerRowProducer) ?? num(profile.produce?.busyUsPerRow),
    consumerCpuUsPerRow: num(report.cpuUsPerRowConsumer) ?? num(profile.consume?.busyUsPerRow),
    producerPeakRssMb: need('peakRssMbProducer', report.peakRssMbProducer),
    consumerPeakRssMb: need('peakRssMbConsumer', report.peakRssMbConsumer),
    source,
  };
}

/**
 * A bench JSON line's top-level `indexBytesPerRow`, or null when it has none. `npm run bench -- --json` prints it on
 * every run (null when the partition's footprint could not be measured); `--day-rows` is the run meant for it: a day
 * of production size, whose index pages have split and filled as a real day's do.
 */
export function indexBytesPerRowFromBench(report: Record<string, unknown>, source: string): number | null {
  const v = report.indexBytesPerRow;
  if (typeof v !== 'number') return null;
  if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${source}: the bench report's indexBytesPerRow must be a positive number, got ${v}`);
  return v;
}

/** `30m`, `1h`, `90s`, `1h30m` → seconds. */
export function parseDuration(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  const seconds = m && text.trim() !== '' ? Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0) : 0;
  if (!(seconds > 0)) throw new RangeError(`a duration such as 30m, 1h or 1h30m, got "${text}"`);
  return seconds;
}

/**
 * Bytes of secondary index one settlements row adds to its day's partition: UNIQUE (transaction_key, sold_date),
 * KEY payment_key and KEY paid_out_date, pages' fill included. The clustered index is not counted: its inserts only
 * touch its right edge.
 * Measured by `npm run bench -- --day-rows 10000000 --backlog --json` on the stack's own MariaDB 10.11 (4 GiB buffer
 * pool): the day's partition held 10,000,000 rows with 178.1 bytes of secondary index per row
 * (uk_settlements_transaction_key 74.8, ix_settlements_payment_key 76.4, ix_settlements_paid_out_date 26.9;
 * mysql.innodb_index_stats after ANALYZE TABLE). Random keys fill B-tree pages ~2/3, so this is what InnoDB really
 * holds, not the raw key bytes. `settle plan --bench FILE` takes a run's own figure instead.
 */
export const INDEX_BYTES_PER_ROW = 178;

/**
 * Days whose partition indexes take inserts at the load's rate: only the day being loaded. An earlier day's
 * partition takes only replays and late rows, which run at their own pace; when they do run alongside a load, plan
 * with `settle plan --hot-days 2`. Older days are read, not written.
 */
export const DEFAULT_HOT_DAYS = 1;

/**
 * The hot indexes may fill at most 80% of the buffer pool (×1.25). The rest is for what the index figure leaves
 * out: InnoDB's own use of the pool (MySQL 8's change buffer may take up to 25% by default, the adaptive hash index,
 * lock memory), the clustered index's right edge, and the other tables' working set (orders, payments, jobs).
 * A factor rather than a fixed margin, because InnoDB's own share grows with the pool.
 */
export const BUFFER_POOL_HEADROOM = 1.25;

export interface BufferPoolRequest {
  readonly rowsPerDay: number;
  readonly indexBytesPerRow: number;
  readonly hotDays: number;
}

export interface BufferPoolNeed extends BufferPoolRequest {
  readonly headroom: number;
  /** indexBytesPerRow × rowsPerDay × hotDays: the secondary index pages the day's inserts touch at random. */
  readonly hotIndexBytes: number;
  /** hotIndexBytes × headroom, whole bytes: the innodb_buffer_pool_size under which the load slows inside the day. */
  readonly bufferPoolBytes: number;
}

/** The buffer pool a day of `rowsPerDay` needs so that its index inserts never read from disk (plan and doctor both use it). */
export function bufferPoolNeed(req: BufferPoolRequest): BufferPoolNeed {
  for (const [name, v] of Object.entries(req)) if (!(v > 0) || !Number.isFinite(v)) throw new RangeError(`${name} must be a positive number, got ${v}`);
  const hotIndexBytes = Math.ceil(req.indexBytesPerRow * req.rowsPerDay * req.hotDays);
  return { ...req, headroom: BUFFER_POOL_HEADROOM, hotIndexBytes, bufferPoolBytes: Math.ceil(hotIndexBytes * BUFFER_POOL_HEADROOM) };
}

const MIB = 1024 ** 2;
const GIB = 1024 ** 3;

/** Bytes for people: `128 MiB`, `20.7 GiB`. */
export function formatBytes(bytes: number): string {
  if (bytes >= GIB) return `${(bytes / GIB).toFixed(1)} GiB`;
  if (bytes >= MIB) return `${(bytes / MIB).toFixed(1).replace(/\.0$/, '')} MiB`;
  return `${bytes.toLocaleString('en-US')} bytes`;
}

/** A my.cnf value at least `bytes`: whole GiB from 1 GiB up (`21G`), else whole 128 MiB steps (`256M`). */
export function bufferPoolSetting(bytes: number): string {
  return bytes >= GIB ? `${Math.ceil(bytes / GIB)}G` : `${Math.max(1, Math.ceil(bytes / (128 * MIB))) * 128}M`;
}
