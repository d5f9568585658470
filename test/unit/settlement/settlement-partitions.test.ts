import { describe, expect, it } from 'vitest';
import { LocalDate } from '../../../src/domain/calendar/local-date.js';
import { describePartitions, type ExistingPartition, planArchive, planEnsure, rangeLabel } from '../../../src/domain/settlement/settlement-partitions.js';

const d = (s: string) => LocalDate.parse(s);
const part = (name: string, lessThan: string | null, approxRows = 0): ExistingPartition => ({
  name,
  lessThan: lessThan === null ? null : d(lessThan),
  approxRows,
});
const fresh = [part('p_history', '2025-09-01', 10), part('p_future', null)];
const daily = [
  part('p_history', '2025-09-01', 10),
  part('p20250901', '2025-09-02', 5),
  part('p20250902', '2025-09-03', 6),
  part('p20250903', '2025-09-04'),
  part('p_future', null),
];

describe('describePartitions', () => {
  it('classifies the catch-all, daily and future partitions with their ranges', () => {
    const described = describePartitions(daily);
    expect(described.map((p) => [p.name, p.kind, rangeLabel(p)])).toEqual([
      ['p_history', 'catch-all', '< 2025-09-01'],
      ['p20250901', 'daily', '2025-09-01'],
      ['p20250902', 'daily', '2025-09-02'],
      ['p20250903', 'daily', '2025-09-03'],
      ['p_future', 'future', '>= 2025-09-04'],
    ]);
  });

  it('a daily partition left first (the ones before it archived) keeps its day but holds everything older', () => {
    const [first] = describePartitions([part('p20250902', '2025-09-03'), part('p_future', null)]);
    expect(first).toMatchObject({ kind: 'daily', from: null });
    expect(first?.day?.toString()).toBe('2025-09-02');
  });

  it('refuses an unpartitioned table and a layout without a last MAXVALUE partition', () => {
    expect(() => describePartitions([])).toThrow(expect.objectContaining({ code: 'SETTLEMENTS_NOT_PARTITIONED', category: 'usage' }));
    expect(() => describePartitions([part('p_history', '2025-09-01')])).toThrow(expect.objectContaining({ code: 'SETTLEMENTS_PARTITIONS_UNEXPECTED' }));
  });
});

describe('planEnsure', () => {
  const r = (from: string, through: string) => ({ from: d(from), through: d(through) });
  const names = (plan: ReturnType<typeof planEnsure>) => plan.add.map((p) => p.name);

  it('adds one partition per day, contiguously after the last bounded partition, through the date (inclusive)', () => {
    const plan = planEnsure(fresh, [r('2025-09-01', '2025-09-03')]);
    expect(plan.add.map((p) => [p.name, p.day?.toString(), p.lessThan.toString()])).toEqual([
      ['p20250901', '2025-09-01', '2025-09-02'],
      ['p20250902', '2025-09-02', '2025-09-03'],
      ['p20250903', '2025-09-03', '2025-09-04'],
    ]);
    expect(plan.coveredThrough?.toString()).toBe('2025-09-03');
  });

  it('is idempotent: nothing to add when every day through the date has a partition, or lies in the catch-all', () => {
    expect(planEnsure(daily, [r('2025-09-01', '2025-09-03')]).add).toEqual([]);
    expect(planEnsure(daily, [r('2025-09-02', '2025-09-02')]).add).toEqual([]);
    expect(planEnsure(fresh, [r('2025-08-01', '2025-08-15')]).add).toEqual([]); // inside p_history: never split
    expect(names(planEnsure(daily, [r('2025-09-01', '2025-09-05')]))).toEqual(['p20250904', 'p20250905']);
  });

  it('fills a short gap before the first date asked for with daily partitions', () => {
    expect(names(planEnsure(daily, [r('2025-09-06', '2025-09-06')]))).toEqual(['p20250904', 'p20250905', 'p20250906']);
  });

  it('puts a long gap into one span partition, then daily ones: a fresh table loading an old window', () => {
    const empty = [part('p_history', '2000-01-01'), part('p_future', null)];
    const plan = planEnsure(empty, [r('2026-11-30', '2026-12-08'), r('2025-02-03', '2025-02-04')]);
    expect(plan.add.map((p) => [p.name, p.lessThan.toString()]).slice(0, 4)).toEqual([
      ['p_before_20250203', '2025-02-03'],
      ['p20250203', '2025-02-04'],
      ['p20250204', '2025-02-05'],
      ['p_before_20261130', '2026-11-30'],
    ]);
    expect(names(plan)).toHaveLength(4 + 9);
    expect(plan.coveredThrough?.toString()).toBe('2026-12-08');
    const after = [...empty.slice(0, 1), ...plan.add.map((p) => part(p.name, p.lessThan.toString())), part('p_future', null)];
    expect(describePartitions(after).map((p) => p.kind)).toEqual(['catch-all', 'span', 'daily', 'daily', 'span', ...Array<string>(9).fill('daily'), 'future']);
    expect(planEnsure(after, [r('2025-02-03', '2025-02-04'), r('2026-11-30', '2026-12-08')]).add).toEqual([]);
  });

  it('starts at the first date asked for when only p_future is left', () => {
    expect(names(planEnsure([part('p_future', null)], [r('2025-09-01', '2025-09-02')]))).toEqual(['p20250901', 'p20250902']);
  });

  it('refuses a far-off date instead of adding thousands of partitions', () => {
    expect(() => planEnsure(fresh, [r('2025-09-01', '2035-01-01')])).toThrow(expect.objectContaining({ code: 'TOO_MANY_PARTITIONS', category: 'usage' }));
  });
});

describe('planArchive', () => {
  it('takes each whole daily partition before the date, oldest first, into its own table; the catch-all only whole', () => {
    const plan = planArchive(daily, d('2025-09-03'), true);
    expect(plan.steps.map((s) => [s.partition, s.kind, s.table])).toEqual([
      ['p_history', 'catch-all', 'settlements_archive_before_20250901'],
      ['p20250901', 'daily', 'settlements_archive_20250901'],
      ['p20250902', 'daily', 'settlements_archive_20250902'],
    ]);
    expect(plan.historyKept).toBeNull();
  });

  it('keeps the catch-all whole when the date falls inside it (and archives nothing after it)', () => {
    const plan = planArchive(daily, d('2025-08-20'), true);
    expect(plan.steps).toEqual([]);
    expect(plan.historyKept).toMatchObject({ partition: 'p_history' });
    expect(plan.historyKept?.lessThan.toString()).toBe('2025-09-01');
  });

  it('--drop plans no tables; p_future is never archived', () => {
    const plan = planArchive([part('p20250901', '2025-09-02'), part('p_future', null)], d('2030-01-01'), false);
    expect(plan.steps.map((s) => [s.partition, s.table])).toEqual([['p20250901', null]]);
  });
});
