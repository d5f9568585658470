import { LocalDate } from '../calendar/local-date.js';
import { SettleError } from '../shared/settle-error.js';

/**
 * The `settlements` table is partitioned by RANGE COLUMNS(sold_date) (migration 0050): a first catch-all partition
 * (p_history: everything older than the first daily partition), one partition per sold date (pYYYYMMDD, VALUES
 * LESS THAN the next day) and a last MAXVALUE partition (p_future) so an insert never fails for lack of a
 * partition. This module plans maintenance from the partition list alone; it runs nothing.
 */
export const HISTORY_PARTITION = 'p_history';
export const FUTURE_PARTITION = 'p_future';
/** Days past today (Seoul) that `settle db partitions ensure` and `settle produce` keep partitioned ahead. */
export const DEFAULT_DAYS_AHEAD = 7;
/** More than this many partitions in one `ensure` is a mistake (a far-off date), not maintenance. */
export const MAX_PARTITIONS_PER_ENSURE = 1000;
/**
 * A gap of more days than this between the last bounded partition and the first date asked for becomes ONE span
 * partition (p_before_YYYYMMDD) instead of a daily partition per day: a fresh table loading last year's window
 * should not get hundreds of empty partitions for the days in between.
 */
export const MAX_DAILY_GAP = 31;

/** As the database lists it, in partition order. `lessThan` null = MAXVALUE; `approxRows` is the engine's estimate. */
export interface ExistingPartition {
  readonly name: string;
  readonly lessThan: LocalDate | null;
  readonly approxRows: number;
}

export type PartitionKind = 'catch-all' | 'daily' | 'span' | 'future' | 'other';

export interface DescribedPartition extends ExistingPartition {
  readonly kind: PartitionKind;
  /** First sold date it holds; null = no lower bound (the first partition catches everything older). */
  readonly from: LocalDate | null;
  /** The sold date of a daily partition. */
  readonly day: LocalDate | null;
}

export interface PlannedPartition {
  readonly name: string;
  /** The sold date of a daily partition; a span partition covers the days from the previous bound up to lessThan. */
  readonly day: LocalDate | null;
  /** Exclusive upper bound: the next day (daily) or the first day after the span. */
  readonly lessThan: LocalDate;
}

const compact = (d: LocalDate): string => d.toString().replaceAll('-', '');

export const dailyPartitionName = (day: LocalDate): string => `p${compact(day)}`;

/** A span partition: the days from the previous partition's bound up to (not including) `lessThan`. */
export const spanPartitionName = (lessThan: LocalDate): string => `p_before_${compact(lessThan)}`;

/** Where `archive` moves a daily partition: one table per sold date. */
export const archiveTableName = (day: LocalDate): string => `settlements_archive_${compact(day)}`;

/** Where `archive` moves the catch-all partition, whole: everything before its bound. */
export const historyArchiveTableName = (lessThan: LocalDate): string => `settlements_archive_before_${compact(lessThan)}`;

function dayOfName(name: string, pattern = /^p(\d{4})(\d{2})(\d{2})$/): LocalDate | null {
  const m = pattern.exec(name);
  if (!m) return null;
  try {
    return LocalDate.parse(`${m[1]}-${m[2]}-${m[3]}`);
  } catch {
    return null;
  }
}

/**
 * Classifies each partition and gives its range. Refuses a layout the planner cannot reason about: no partitions
 * (the table is not partitioned: migration 0050 not applied) or a last partition that is not MAXVALUE.
 */
export function describePartitions(partitions: readonly ExistingPartition[]): DescribedPartition[] {
  if (partitions.length === 0)
    throw new SettleError('SETTLEMENTS_NOT_PARTITIONED', 'the settlements table is not partitioned: apply migration 0050 (`settle db migrate`)');
  const last = partitions[partitions.length - 1];
  if (last?.lessThan !== null)
    throw new SettleError(
      'SETTLEMENTS_PARTITIONS_UNEXPECTED',
      `the last partition of settlements must be ${FUTURE_PARTITION} (VALUES LESS THAN MAXVALUE), found ${last?.name ?? '?'}`,
    );
  let from: LocalDate | null = null;
  return partitions.map((p, i) => {
    const start = from;
    from = p.lessThan;
    if (p.lessThan === null) {
      if (i !== partitions.length - 1) throw new SettleError('SETTLEMENTS_PARTITIONS_UNEXPECTED', `partition ${p.name} is MAXVALUE but not the last one`);
      return { ...p, kind: 'future', from: start, day: null };
    }
    if (start !== null && !start.isBefore(p.lessThan))
      throw new SettleError('SETTLEMENTS_PARTITIONS_UNEXPECTED', `partition ${p.name} ends at ${p.lessThan.toString()}, not after its predecessor`);
    const day = dayOfName(p.name);
    // the first partition holds everything older than its bound; a daily one keeps its name (and its day) even
    // when it became first because the ones before it were archived
    if (day && day.addDays(1).equals(p.lessThan)) return { ...p, kind: 'daily', from: i === 0 ? null : start, day };
    if (i === 0) return { ...p, kind: 'catch-all', from: null, day: null };
    if (dayOfName(p.name, /^p_before_(\d{4})(\d{2})(\d{2})$/)?.equals(p.lessThan)) return { ...p, kind: 'span', from: start, day: null };
    return { ...p, kind: 'other', from: start, day: null };
  });
}

export interface EnsurePlan {
  /** Partitions to split off p_future, in date order (empty: nothing to do). */
  readonly add: readonly PlannedPartition[];
  /** The last sold date with a partition of its own (or inside a bounded partition) once the plan ran; null: none. */
  readonly coveredThrough: LocalDate | null;
}

/** Sold dates (inclusive) that must each have a daily partition. */
export interface DateRange {
  readonly from: LocalDate;
  readonly through: LocalDate;
}

/**
 * Partitions to split off p_future so every date of every range gets a daily partition. Partitions are contiguous,
 * so they are added after the last bounded partition only: a date already below that bound stays where it is (its
 * day, a span or the catch-all, which is never split). Between the bound and a range's first date, a gap of at
 * most MAX_DAILY_GAP days gets daily partitions too, a longer one a single span partition (p_before_YYYYMMDD).
 */
export function planEnsure(partitions: readonly ExistingPartition[], ranges: readonly DateRange[], maxAdd = MAX_PARTITIONS_PER_ENSURE): EnsurePlan {
  const described = describePartitions(partitions);
  const bounded = described.filter((p) => p.lessThan !== null);
  const lastBound = bounded.length ? (bounded[bounded.length - 1]?.lessThan ?? null) : null;
  const add: PlannedPartition[] = [];
  let cursor = lastBound;
  for (const range of [...ranges].sort((a, b) => a.from.epochDay - b.from.epochDay)) {
    if (cursor !== null && range.through.isBefore(cursor)) continue;
    let day = cursor === null || range.from.isAfter(cursor) ? range.from : cursor;
    if (cursor !== null && day.epochDay - cursor.epochDay > MAX_DAILY_GAP) add.push({ name: spanPartitionName(day), day: null, lessThan: day });
    else if (cursor !== null) day = cursor;
    for (; !day.isAfter(range.through); day = day.addDays(1)) add.push({ name: dailyPartitionName(day), day, lessThan: day.addDays(1) });
    cursor = day;
  }
  if (add.length > maxAdd)
    throw new SettleError(
      'TOO_MANY_PARTITIONS',
      `ensuring these dates means ${add.length} partitions; at most ${maxAdd} at a time (ensure a shorter range first)`,
      {
        details: { count: add.length, ranges: ranges.map((r) => `${r.from.toString()}..${r.through.toString()}`) },
      },
    );
  return { add, coveredThrough: cursor ? cursor.addDays(-1) : null };
}

export interface ArchiveStep {
  readonly partition: string;
  readonly kind: 'daily' | 'span' | 'catch-all';
  /** The table it moves into (null when dropped without keeping). */
  readonly table: string | null;
  /** Its range, for messages: from (null = no lower bound) and the exclusive upper bound. */
  readonly from: LocalDate | null;
  readonly lessThan: LocalDate;
  readonly approxRows: number;
}

export interface ArchivePlan {
  readonly steps: readonly ArchiveStep[];
  /** The catch-all partition when it reaches `before` or later: it is archived whole or not at all, so it stays. */
  readonly historyKept: { readonly partition: string; readonly lessThan: LocalDate } | null;
}

/**
 * Each whole partition entirely before `before` (its exclusive bound ≤ before), oldest first. The catch-all is
 * whole or nothing: archived only once its whole range is before `before`, never split; p_future never.
 * `keep`: move each into its own table (EXCHANGE PARTITION) rather than drop it.
 */
export function planArchive(partitions: readonly ExistingPartition[], before: LocalDate, keep: boolean): ArchivePlan {
  const described = describePartitions(partitions);
  const steps: ArchiveStep[] = [];
  let historyKept: ArchivePlan['historyKept'] = null;
  for (const p of described) {
    if (p.lessThan === null) break;
    const whollyBefore = !p.lessThan.isAfter(before);
    if (p.kind === 'other') {
      if (whollyBefore)
        throw new SettleError('SETTLEMENTS_PARTITIONS_UNEXPECTED', `partition ${p.name} is neither daily nor the catch-all: archive it by hand`);
      break;
    }
    if (!whollyBefore) {
      if (p.kind === 'catch-all') historyKept = { partition: p.name, lessThan: p.lessThan };
      break;
    }
    const table = !keep ? null : p.kind === 'daily' && p.day ? archiveTableName(p.day) : historyArchiveTableName(p.lessThan);
    steps.push({
      partition: p.name,
      kind: p.kind === 'daily' || p.kind === 'span' ? p.kind : 'catch-all',
      table,
      from: p.from,
      lessThan: p.lessThan,
      approxRows: p.approxRows,
    });
  }
  return { steps, historyKept };
}

/** "< 2025-09-01", "2025-09-01", "2025-09-01 … 2025-09-02", ">= 2025-09-03": a partition's sold dates, for people. */
export function rangeLabel(p: Pick<DescribedPartition, 'from' | 'lessThan' | 'kind'>): string {
  if (p.lessThan === null) return p.from ? `>= ${p.from.toString()}` : 'all dates';
  const last = p.lessThan.addDays(-1);
  if (p.from === null) return `< ${p.lessThan.toString()}`;
  return p.from.equals(last) ? last.toString() : `${p.from.toString()} … ${last.toString()}`;
}
