import type { RawMethodResult } from './e2e-raw-db.js';
import { STAGES, type Stage } from './cpu-profile-stages.js';
import { formatTenths, lastToFirst, type PartitionFootprint, shareOfCoresPct, type Tenth } from './e2e-day.js';

/** What `npm run bench` measured; computeReport turns it into the printed/JSON figures (pure, unit-tested). */
export interface E2eMeasurements {
  readonly rows: number;
  /** From the fake's first request to the poll that saw all rows stored. */
  readonly e2eSeconds: number;
  /** One `settle produce` (the bench without --shards); `producers` instead when it ran several. */
  readonly producer?: ProducerMeasurement;
  /** `settle produce --shards N --shard I`, one per worker I (by index). */
  readonly producers?: readonly ProducerMeasurement[];
  readonly consumer: {
    readonly records: number;
    readonly rowsPerSecond: number;
    readonly busyMs: number;
    readonly peakRssKb: number;
    readonly exactPeakRssMb: number | null;
    readonly cpuMs?: number | null;
  };
  readonly raw: readonly RawMethodResult[];
  readonly tableRowsBefore: number;
  readonly prefillSeconds: number;
  readonly settings: Readonly<Record<string, string | number | boolean | null>>;
  readonly profile?: Readonly<Record<string, { readonly busyUsPerRow: number; readonly stages: Partial<Record<Stage, number>> }>>;
  /** The database server's version and the settings the figures ran on (SHOW GLOBAL VARIABLES). */
  readonly server?: Readonly<Record<string, string | number>>;
  /** CPU ms the MySQL server process used from the start of produce to the last row stored (serverCpuMs), when local. */
  readonly serverCpuMs?: number | null;
  /**
   * The same window: the Kafka broker's CPU ms (when it runs on this machine), this bench process's own (its Toss
   * fake), and every core's busy ms, of which steal (the hypervisor's), over elapsedMs of wall time.
   */
  readonly kafkaCpuMs?: number | null;
  readonly benchCpuMs?: number | null;
  readonly machine?: { readonly busyMs: number; readonly stealMs?: number; readonly elapsedMs?: number; readonly cores: number } | null;
  /** Rows/s for each tenth of the day (e2e-day.ts). */
  readonly tenths?: readonly Tenth[];
  /** The day's partition after the run: bytes per row of its clustered and secondary indexes. */
  readonly footprint?: PartitionFootprint | null;
}

export interface ProducerMeasurement {
  readonly rowsPublished: number;
  readonly durationMs: number;
  readonly peakRssKb: number;
  readonly exactPeakRssMb?: number | null;
  /** CPU time (user + system) of the process, from its --json summary (the kernel's getrusage). */
  readonly cpuMs?: number | null;
}

export interface E2eReport {
  readonly rows: number;
  /** How many `settle produce` processes shared the window (--shards). */
  readonly shards: number;
  readonly e2eSeconds: number;
  readonly e2eRowsPerSec: number;
  readonly produceRowsPerSec: number;
  readonly consumeRowsPerSec: number;
  readonly rawDbRowsPerSec: number;
  readonly rawDbMethod: string | null;
  readonly rawDbMethods: Record<string, { rowsPerSec: number; seconds: number; tableRowsBefore: number }>;
  readonly ratioToRawDb: number | null;
  /** The largest producer process's peak (what one pod must be sized for). */
  readonly peakRssMbProducer: number;
  /** All producer processes' peaks added up (what the workers need together; = peakRssMbProducer with one). */
  readonly peakRssMbProducersSum: number;
  /** Each producer worker by index: its rows, its own run time and rate, its peak RSS. */
  readonly producers: ReadonlyArray<{
    readonly shard: number;
    readonly rowsPublished: number;
    readonly durationMs: number;
    readonly rowsPerSec: number;
    readonly peakRssMb: number;
  }>;
  readonly peakRssMbConsumer: number;
  readonly peakRssSource: { producer: string; consumer: string };
  readonly tableRowsBefore: number;
  readonly prefillSeconds: number;
  readonly projectedHoursFor100M: number | null;
  readonly settings: Readonly<Record<string, string | number | boolean | null>>;
  readonly profileUsPerRow?: E2eMeasurements['profile'];
  /** CPU seconds (user + system, from the kernel) of all producer processes together and of the consumer. */
  readonly cpuSecondsProducer: number | null;
  readonly cpuSecondsConsumer: number | null;
  /** The same per row stored, in µs: settle's own CPU cost, little moved by a noisy machine. */
  readonly cpuUsPerRowProducer: number | null;
  readonly cpuUsPerRowConsumer: number | null;
  /** The MySQL server's own CPU per row stored, in µs, from the start of produce to the last row (null unless local). */
  readonly cpuUsPerRowServer: number | null;
  /** The same window: the Kafka broker's CPU per row (null unless it runs on this machine). */
  readonly cpuUsPerRowKafka: number | null;
  /** This bench process's own CPU per row: mostly its Toss fake serving the pages (Toss's servers cost a deployment nothing). */
  readonly cpuUsPerRowBench: number | null;
  /**
   * Every core's busy time per row over the same window, whoever spent it (settle, the stack, anything else running):
   * with `machineCores`, how much of the machine a row took. Above the parts' sum by what else ran.
   */
  readonly cpuUsPerRowMachine: number | null;
  readonly machineCores: number | null;
  /**
   * The share (%) of all cores' time over the same window that was busy, and that the hypervisor gave to another
   * guest (steal; counted in busy). Idle cores mean the pipeline waited on something other than CPU; steal means the
   * run had less of the machine than its cores say, so a rate from it reads low (null where /proc/stat is not read).
   */
  readonly machineBusyPct: number | null;
  readonly machineStealPct: number | null;
  readonly server: Readonly<Record<string, string | number>> | null;
  readonly tenths: readonly Tenth[];
  /** The last tenth's rows/s over the first's (null without ten tenths). */
  readonly lastToFirstTenth: number | null;
  /** Secondary-index bytes per row of the day's partition (what `settle plan --bench` reads), null if not measured. */
  readonly indexBytesPerRow: number | null;
  readonly partition: PartitionFootprint | null;
}

const mb = (kb: number) => Math.round(kb / 1024);
const round = (n: number, digits: number) => Number(n.toFixed(digits));

const rate = (rowsDone: number, ms: number) => (ms > 0 ? Math.round((rowsDone * 1000) / ms) : 0);

export function computeReport(m: E2eMeasurements): E2eReport {
  const ps = m.producers ?? (m.producer ? [m.producer] : []);
  if (ps.length === 0) throw new Error('computeReport: no producer measured');
  const producers = ps.map((p, shard) => ({
    shard,
    rowsPublished: p.rowsPublished,
    durationMs: p.durationMs,
    rowsPerSec: rate(p.rowsPublished, p.durationMs),
    peakRssMb: p.exactPeakRssMb ?? mb(p.peakRssKb),
  }));
  const exact = ps.every((p) => p.exactPeakRssMb !== null && p.exactPeakRssMb !== undefined);
  const e2eRowsPerSec = m.e2eSeconds > 0 ? Math.round(m.rows / m.e2eSeconds) : 0;
  const rawDbMethods = Object.fromEntries(m.raw.map((r) => [r.method, { rowsPerSec: r.rowsPerSec, seconds: r.seconds, tableRowsBefore: r.tableRowsBefore }]));
  const best = m.raw.reduce<RawMethodResult | null>((b, r) => (b === null || r.rowsPerSec > b.rowsPerSec ? r : b), null);
  const rawDbRowsPerSec = best?.rowsPerSec ?? 0;
  return {
    rows: m.rows,
    shards: ps.length,
    e2eSeconds: round(m.e2eSeconds, 2),
    e2eRowsPerSec,
    // the workers start together: all their rows over the slowest one's run time (one worker: its own rate)
    produceRowsPerSec: rate(
      producers.reduce((sum, p) => sum + p.rowsPublished, 0),
      Math.max(...producers.map((p) => p.durationMs)),
    ),
    consumeRowsPerSec: m.consumer.rowsPerSecond,
    rawDbRowsPerSec,
    rawDbMethod: best?.method ?? null,
    rawDbMethods,
    ratioToRawDb: rawDbRowsPerSec > 0 ? round(e2eRowsPerSec / rawDbRowsPerSec, 3) : null,
    peakRssMbProducer: Math.max(...producers.map((p) => p.peakRssMb)),
    peakRssMbProducersSum: producers.reduce((sum, p) => sum + p.peakRssMb, 0),
    producers,
    // the consumer's own process.resourceUsage().maxRSS (its --json summary) when present; the polled VmHWM otherwise
    peakRssMbConsumer: m.consumer.exactPeakRssMb ?? mb(m.consumer.peakRssKb),
    peakRssSource: {
      producer: exact ? 'its summary (maxRSS)' : 'VmHWM polled every 250 ms',
      consumer: m.consumer.exactPeakRssMb === null ? 'VmHWM polled every 250 ms' : 'its summary (maxRSS)',
    },
    tableRowsBefore: m.tableRowsBefore,
    prefillSeconds: round(m.prefillSeconds, 1),
    projectedHoursFor100M: e2eRowsPerSec > 0 ? round(100e6 / e2eRowsPerSec / 3600, 2) : null,
    settings: m.settings,
    ...(m.profile ? { profileUsPerRow: m.profile } : {}),
    ...cpu(m),
    server: m.server ?? null,
    tenths: m.tenths ?? [],
    lastToFirstTenth: lastToFirst(m.tenths ?? []),
    indexBytesPerRow: m.footprint?.indexBytesPerRow ?? null,
    partition: m.footprint ?? null,
  };
}

function cpu(
  m: E2eMeasurements,
): Pick<
  E2eReport,
  | 'cpuSecondsProducer'
  | 'cpuSecondsConsumer'
  | 'cpuUsPerRowProducer'
  | 'cpuUsPerRowConsumer'
  | 'cpuUsPerRowServer'
  | 'cpuUsPerRowKafka'
  | 'cpuUsPerRowBench'
  | 'cpuUsPerRowMachine'
  | 'machineCores'
  | 'machineBusyPct'
  | 'machineStealPct'
> {
  const ps = m.producers ?? (m.producer ? [m.producer] : []);
  const producerMs = ps.every((p) => typeof p.cpuMs === 'number') ? ps.reduce((sum, p) => sum + (p.cpuMs ?? 0), 0) : null;
  const consumerMs = typeof m.consumer.cpuMs === 'number' ? m.consumer.cpuMs : null;
  const usPerRow = (ms: number | null) => (ms === null || m.rows <= 0 ? null : round((ms * 1000) / m.rows, 2));
  return {
    cpuSecondsProducer: producerMs === null ? null : round(producerMs / 1000, 2),
    cpuSecondsConsumer: consumerMs === null ? null : round(consumerMs / 1000, 2),
    cpuUsPerRowProducer: usPerRow(producerMs),
    cpuUsPerRowConsumer: usPerRow(consumerMs),
    cpuUsPerRowServer: usPerRow(m.serverCpuMs ?? null),
    cpuUsPerRowKafka: usPerRow(m.kafkaCpuMs ?? null),
    cpuUsPerRowBench: usPerRow(m.benchCpuMs ?? null),
    cpuUsPerRowMachine: usPerRow(m.machine?.busyMs ?? null),
    machineCores: m.machine?.cores ?? null,
    machineBusyPct: shareOfCores(m.machine, m.machine?.busyMs),
    machineStealPct: shareOfCores(m.machine, m.machine?.stealMs),
  };
}

/** ms of CPU as a share of the window's core time (null for a reading without its elapsed time). */
function shareOfCores(machine: E2eMeasurements['machine'], ms: number | undefined): number | null {
  if (!machine || ms === undefined || machine.elapsedMs === undefined) return null;
  return shareOfCoresPct(ms, machine.cores, machine.elapsedMs);
}

export function formatReport(r: E2eReport): string {
  const n = (v: number) => v.toLocaleString('en-US');
  const lines = [
    `settlement day: ${n(r.rows)} rows, Toss fake → settle produce${r.shards > 1 ? ` ×${r.shards} (--shards ${r.shards})` : ''} → Kafka → settle consume → MySQL (table held ${n(r.tableRowsBefore)} rows; prefill ${r.prefillSeconds} s)`,
    `  end to end:  ${n(r.e2eRowsPerSec)} rows/s (${r.e2eSeconds} s from the first Toss request to the last row in MySQL)`,
    r.shards === 1
      ? `  produce:     ${n(r.produceRowsPerSec)} rows/s (its own run time${r.settings.producerNice ? `, at nice ${r.settings.producerNice}` : ''})        peak RSS ${r.peakRssMbProducer} MB (${r.peakRssSource.producer})`
      : `  produce:     ${n(r.produceRowsPerSec)} rows/s (${r.shards} workers together, over the slowest one's run time: ${r.producers.map((p) => n(p.rowsPerSec)).join(' + ')} rows/s${r.settings.producerNice ? `, at nice ${r.settings.producerNice}` : ''})   peak RSS ${r.peakRssMbProducer} MB per worker at most, ${r.peakRssMbProducersSum} MB together (${r.peakRssSource.producer})`,
    `  consume:     ${n(r.consumeRowsPerSec)} rows/s (first batch to last)     peak RSS ${r.peakRssMbConsumer} MB (${r.peakRssSource.consumer})`,
    r.rawDbMethod === null
      ? '  raw MySQL:   not measured (--raw-methods=)'
      : `  raw MySQL:   ${n(r.rawDbRowsPerSec)} rows/s (${r.rawDbMethod}, the fastest of: ${Object.entries(r.rawDbMethods)
          .map(([k, v]) => `${k} ${n(v.rowsPerSec)} rows/s from ${n(v.tableRowsBefore)} rows`)
          .join('; ')})`,
    `  ratio to raw MySQL: ${r.ratioToRawDb ?? '-'}; 100,000,000 rows would take ${r.projectedHoursFor100M ?? '-'} h at this rate`,
    `  CPU (kernel, user + system): produce ${r.cpuSecondsProducer ?? '-'} s (${r.cpuUsPerRowProducer ?? '-'} µs/row), consume ${r.cpuSecondsConsumer ?? '-'} s (${r.cpuUsPerRowConsumer ?? '-'} µs/row), MySQL server ${r.cpuUsPerRowServer === null ? '- (not on this machine)' : `${r.cpuUsPerRowServer} µs/row`}`,
    `  the rest of the machine's CPU per row: Kafka broker ${r.cpuUsPerRowKafka === null ? '- (not on this machine)' : `${r.cpuUsPerRowKafka} µs`}, this bench (its Toss fake) ${r.cpuUsPerRowBench ?? '-'} µs; all ${r.machineCores ?? '-'} cores busy ${r.cpuUsPerRowMachine ?? '-'} µs/row${r.machineBusyPct === null ? '' : ` (${r.machineBusyPct}% of their time, of which steal, the hypervisor's, ${r.machineStealPct ?? '-'}%)`}`,
  ];
  if (r.server)
    lines.push(
      `  server: ${Object.entries(r.server)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
  if (r.partition) {
    const idx = Object.entries(r.partition.indexes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    lines.push(
      `  partition ${r.partition.partition}: ${n(r.partition.rows)} rows; bytes/row: data ${r.partition.dataBytesPerRow}, secondary indexes ${r.partition.indexBytesPerRow} (${idx})`,
    );
  }
  if (r.tenths.length > 0) {
    lines.push(`  the day by tenths (last tenth / first tenth = ${r.lastToFirstTenth ?? '-'}):`, formatTenths(r.tenths));
  }
  if (r.profileUsPerRow) lines.push(formatStageTable(r.profileUsPerRow));
  return `${lines.join('\n')}\n`;
}

export function formatStageTable(p: NonNullable<E2eReport['profileUsPerRow']>): string {
  const names = Object.keys(p);
  const width = Math.max(...STAGES.map((s) => s.length), 10);
  const head = `  ${'CPU µs/row by stage'.padEnd(width)}${names.map((x) => x.padStart(12)).join('')}`;
  const rows = STAGES.filter((s) => names.some((x) => (p[x]?.stages[s] ?? 0) > 0)).map(
    (s) => `  ${s.padEnd(width)}${names.map((x) => (p[x]?.stages[s] ?? 0).toFixed(2).padStart(12)).join('')}`,
  );
  const busy = `  ${'busy (all but idle)'.padEnd(width)}${names.map((x) => (p[x]?.busyUsPerRow ?? 0).toFixed(2).padStart(12)).join('')}`;
  return [head, ...rows, busy].join('\n');
}
