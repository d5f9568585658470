import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import {
  bufferPoolNeed,
  bufferPoolSetting,
  capacityPlan,
  DEFAULT_HOT_DAYS,
  formatBytes,
  INDEX_BYTES_PER_ROW,
  indexBytesPerRowFromBench,
  parseDuration,
  ratesFromBench,
  type BufferPoolNeed,
  type CapacityPlan,
  type MeasuredRates,
} from '../../../domain/capacity/capacity-plan.js';
import { CAPACITY_BASELINE_FILE, readCapacityBaseline } from '../../../infrastructure/capacity/capacity-baseline-file.js';
import type { CliContext } from '../cli-context.js';
import { intFlag, usage } from '../flag-parsers.js';

/**
 * What `settle plan` plans from without --bench: the shipped baseline run (config/capacity-baseline.json, one
 * 10,000,000-row day end to end), read through the same reader as a --bench file. Its source names the file and
 * the run, and the plan prints it beside the rates.
 */
export function baselineRates(file = CAPACITY_BASELINE_FILE): MeasuredRates {
  const baseline = readCapacityBaseline(file);
  return ratesFromBench(baseline.report, `${basename(file)}: ${baseline.measuredOn}`);
}

interface PlanOptions {
  rows: number;
  deadline: string;
  bench?: string;
  tossLimit: string;
  pageSize: number;
  tossConcurrency: number;
  tossPageSeconds: string;
  utilization: string;
  hotDays: number;
  indexBytesPerRow?: string;
  json?: boolean;
}

/** The buffer pool a day needs, and where its index bytes per row come from (printed with it). */
export interface BufferPoolPlan extends BufferPoolNeed {
  readonly indexBytesPerRowSource: string;
}

const positive = (flag: string, text: string, max: number): number => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || n > max) throw usage('INVALID_FLAG', `${flag} must be a number above 0 and at most ${max}, got "${text}"`);
  return n;
};

/** The bench's JSON report (the last JSON line of its output). */
function readBench(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw usage('INVALID_FLAG', `--bench: cannot read ${file}: ${(error as Error).message}`);
  }
  // the bench prints its report, then (with --json) one JSON object as the last line
  const json = text
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.trimStart().startsWith('{'));
  if (!json) throw usage('INVALID_FLAG', `--bench: ${file} holds no JSON line (run npm run bench -- --json)`);
  try {
    return JSON.parse(json) as Record<string, unknown>;
  } catch (error) {
    throw usage('INVALID_FLAG', `--bench: ${file}: ${(error as Error).message}`);
  }
}

const fromBench = <T>(read: () => T): T => {
  try {
    return read();
  } catch (error) {
    throw usage('INVALID_FLAG', `--bench: ${(error as Error).message}`);
  }
};

/** --index-bytes-per-row, else the bench JSON's indexBytesPerRow, else the measured default. */
function indexBytesPerRow(flag: string | undefined, bench: { report: Record<string, unknown>; file: string } | null): { value: number; source: string } {
  if (flag !== undefined) return { value: positive('--index-bytes-per-row', flag, 1_000_000), source: '--index-bytes-per-row' };
  if (bench) {
    const measured = fromBench(() => indexBytesPerRowFromBench(bench.report, bench.file));
    if (measured !== null) return { value: measured, source: bench.file };
  }
  return { value: INDEX_BYTES_PER_ROW, source: 'default, docs/performance.md' };
}

const hotDaysFlag = intFlag('--hot-days', 1, 31);

export function registerPlanCommand(program: Command, ctx: CliContext): void {
  program
    .command('plan')
    .description('capacity plan: producer workers, partitions, consumer replicas and MySQL rate for a day of --rows within --deadline (docs/capacity.md)')
    .option('--rows <n>', 'rows of the settlement day', intFlag('--rows', 1, Number.MAX_SAFE_INTEGER), 100_000_000)
    .option('--deadline <duration>', 'time to load them in, e.g. 30m, 1h, 1h30m', '30m')
    .option('--bench <file>', "a bench run's output (npm run bench -- --json); default: config/capacity-baseline.json, a 10M-row day (docs/capacity.md)")
    .option('--toss-limit <pages/s,...>', "Toss's rate limits to plan for, pages/s for all workers (unknown: Toss publishes none)", '50,10')
    .option('--page-size <n>', 'rows per Toss page', intFlag('--page-size', 1, 5000), 5000)
    .option('--toss-concurrency <n>', 'pages each worker fetches at once (TOSS_CONCURRENCY)', intFlag('--toss-concurrency', 1, 64), 4)
    .option('--toss-page-seconds <s>', 'seconds Toss takes per page (assumed)', '2')
    .option('--utilization <f>', 'fraction of each measured rate to plan a process at', '0.7')
    .option(
      '--hot-days <n>',
      "days whose indexes take random inserts at the load's rate: the day loading; an earlier day takes only replays and late rows, at their own pace (2 when they run alongside the load)",
      hotDaysFlag,
      DEFAULT_HOT_DAYS,
    )
    .option('--index-bytes-per-row <n>', `secondary index bytes per row; default: the --bench JSON's indexBytesPerRow, else ${INDEX_BYTES_PER_ROW}`)
    .option('--json', 'print the plans as JSON')
    .action((opts: PlanOptions) => {
      let deadlineSeconds: number;
      try {
        deadlineSeconds = parseDuration(opts.deadline);
      } catch (error) {
        throw usage('INVALID_FLAG', `--deadline: ${(error as Error).message}`);
      }
      const bench = opts.bench ? { report: readBench(opts.bench), file: opts.bench } : null;
      const rates = bench ? fromBench(() => ratesFromBench(bench.report, bench.file)) : baselineRates();
      const perRow = indexBytesPerRow(opts.indexBytesPerRow, bench);
      const need = bufferPoolNeed({ rowsPerDay: opts.rows, indexBytesPerRow: perRow.value, hotDays: opts.hotDays });
      const bufferPool: BufferPoolPlan = { ...need, indexBytesPerRowSource: perRow.source };
      const limits = [
        null,
        ...opts.tossLimit
          .split(',')
          .filter((x) => x.trim() !== '')
          .map((x) => positive('--toss-limit', x.trim(), 1_000_000)),
      ];
      const base = {
        rows: opts.rows,
        deadlineSeconds,
        pageSize: opts.pageSize,
        tossConcurrency: opts.tossConcurrency,
        tossPageSeconds: positive('--toss-page-seconds', opts.tossPageSeconds, 600),
        utilization: positive('--utilization', opts.utilization, 1),
        partitionsPerReplica: 2,
      };
      const plans = limits.map((tossPagesPerSec) => capacityPlan({ ...base, tossPagesPerSec }, rates));
      if (opts.json) ctx.out(JSON.stringify({ rates, plans, bufferPool }));
      else for (const line of [...formatPlans(plans, rates, base.utilization), ...formatBufferPool(bufferPool)]) ctx.out(line);
    });
}

export function formatPlans(plans: readonly CapacityPlan[], rates: MeasuredRates, utilization: number): string[] {
  const n = (v: number) => v.toLocaleString('en-US');
  const first = plans[0] as CapacityPlan;
  const cols = plans.map((p) => (p.toss.pagesPerSecLimit === null ? 'no Toss limit' : `Toss ${n(p.toss.pagesPerSecLimit)} pages/s`));
  const row = (label: string, f: (p: CapacityPlan) => string) => `  ${label.padEnd(34)}${plans.map((p) => f(p).padStart(24)).join('')}`;
  const cores = (c: number | null) => (c === null ? '-' : `${c}`);
  return [
    `plan: ${n(first.rows)} rows in ${n(first.deadlineSeconds / 60)} min = ${n(first.requiredRowsPerSec)} rows/s (${n(first.pages)} Toss pages)`,
    `  per process, planned at ${utilization} of: produce ${n(rates.producerRowsPerSec)} rows/s, consume ${n(rates.consumerRowsPerSec)} rows/s; MySQL limit ${n(rates.mysqlRowsPerSec)} rows/s (${rates.source})`,
    `  ${''.padEnd(34)}${cols.map((c) => c.padStart(24)).join('')}`,
    row('planned rows/s', (p) => n(p.plannedRowsPerSec)),
    row('Toss pages/s (in flight)', (p) => `${p.toss.neededPagesPerSec} (${p.toss.pagesInFlight})`),
    row('producer workers (--shards)', (p) => `${p.producer.workers} (CPU ${p.producer.workersForCpu}, Toss ${p.producer.workersForLatency})`),
    row('  producer cores / memory MB', (p) => `${cores(p.producer.cores)} / ${n(p.producer.memoryMb)}`),
    row('consumer replicas', (p) => `${p.consumer.replicas}`),
    row('topic partitions (≥ 2 × replicas)', (p) => `${p.consumer.partitions}`),
    row('  consumer cores / memory MB', (p) => `${cores(p.consumer.cores)} / ${n(p.consumer.memoryMb)}`),
    row('MySQL rows/s (of its limit)', (p) => `${n(p.mysql.neededRowsPerSec)} (${Math.round(p.mysql.utilization * 100)}%)`),
    row('finishes in (min)', (p) => `${n(Math.round(p.finishSeconds / 6) / 10)}${p.meetsDeadline ? '' : ' LATE'}`),
    row('bottleneck', (p) => p.bottleneck),
  ];
}

/** The buffer pool lines under the table: the size, the arithmetic, the setting. */
export function formatBufferPool(b: BufferPoolPlan): string[] {
  const n = (v: number) => v.toLocaleString('en-US');
  const setting = bufferPoolSetting(b.bufferPoolBytes);
  return [
    `MySQL buffer pool for the day: ${formatBytes(b.bufferPoolBytes)} (${n(b.bufferPoolBytes)} bytes): innodb_buffer_pool_size = ${setting} or more`,
    `  = ${n(b.indexBytesPerRow)} index bytes/row (${b.indexBytesPerRowSource}) × ${n(b.rowsPerDay)} rows × ${b.hotDays} hot day(s) × ${b.headroom} headroom`,
    "  hot days: the day loading (--hot-days 2 when replays of the previous day run during the load); headroom: InnoDB's own use, the clustered index's right edge, other tables",
    "  below it the day's index pages outgrow the pool: inserts read from disk and the load slows inside the day (settle doctor warns, EXPECTED_ROWS_PER_DAY)",
  ];
}
