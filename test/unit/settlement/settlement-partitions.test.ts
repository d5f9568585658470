import { describe, expect, it } from 'vitest';
import { LocalDate } from '../../../src/domain/calendar/local-date.js';
import { describePartitions, type ExistingPartition, planArchive, planEnsure, rangeLabel } from '../../../src/domain/settlement/settlement-partitions.js';

const d = (s: string) => LocalDate.parse(s);
const part = (name: string, lessThan: string | null, approxRows = 0): ExistingPartition => ({ name, lessThan: lessThan === null ? null : d(lessThan), approxRows });
const fresh = [part('p_history', '2025-09-01', 10), part('p_future', null)];
const daily = [part('p_history', '2025-09-01', 10), part('p20250901', '2025-09-02', 5), part('p20250902', '2025-09-03', 6), part('p20250903', '2025-09-04'), part('p_future', null)];

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
  it('adds one partition per day, contiguously after the last bounded partition, through the date (inclusive)', () => {
    const plan = planEnsure(fresh, d('2025-09-03'), d('2025-08-01'));
    expect(plan.add.map((p) => [p.name, p.day.toString(), p.lessThan.toString()])).toEqual([
      ['p20250901', '2025-09-01', '2025-09-02'],
      ['p20250902', '2025-09-02', '2025-09-03'],
      ['p20250903', '2025-09-03', '2025-09-04'],
    ]);
    expect(plan.coveredThrough?.toString()).toBe('2025-09-03');
  });

  it('is idempotent: nothing to add when every day through the date has a partition, or lies in the catch-all', () => {
    expect(planEnsure(daily, d('2025-09-03'), d('2025-09-01')).add).toEqual([]);
    expect(planEnsure(daily, d('2025-09-02'), d('2025-09-01')).add).toEqual([]);
    expect(planEnsure(fresh, d('2025-08-15'), d('2025-08-01')).add).toEqual([]); // inside p_history: never split
    expect(planEnsure(daily, d('2025-09-05'), d('2025-09-01')).add.map((p) => p.name)).toEqual(['p20250904', 'p20250905']);
  });

  it('starts at startIfNone when only p_future is left', () => {
    expect(planEnsure([part('p_future', null)], d('2025-09-02'), d('2025-09-01')).add.map((p) => p.name)).toEqual(['p20250901', 'p20250902']);
  });

  it('refuses a far-off date instead of adding thousands of partitions', () => {
    expect(() => planEnsure(fresh, d('2035-01-01'), d('2025-09-01'))).toThrow(expect.objectContaining({ code: 'TOO_MANY_PARTITIONS', category: 'usage' }));
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
