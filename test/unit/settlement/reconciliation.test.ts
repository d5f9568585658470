import { describe, expect, it } from 'vitest';
import { reconcile, withinDates, type ReconciledRow } from '../../../src/domain/settlement/reconciliation.js';

const row = (date: string, amount: number, fee = 300): ReconciledRow => ({ date, amount, fee, payOutAmount: amount - fee });
const side = (entries: Record<string, ReconciledRow>) => new Map(Object.entries(entries));

const api = side({ t1: row('2025-02-09', 10_000), t2: row('2025-02-09', 5_000), t3: row('2025-02-10', -2_000, -60) });

describe('reconcile', () => {
  it('reconcile_Ok_whenAllThreeSidesHoldTheSameRows', () => {
    const r = reconcile({ api, kafka: new Map(api), mysql: new Map(api) });
    expect(r.status).toBe('OK');
    expect(r.dates.map((d) => [d.date, d.status, d.api.rows])).toEqual([
      ['2025-02-09', 'OK', 2],
      ['2025-02-10', 'OK', 1],
    ]);
    expect(r.total.api).toEqual({ rows: 3, amount: 13_000, fee: 540, payOutAmount: 12_460 });
    expect(r.total.kafka).toEqual(r.total.api);
    expect(r.total.mysql).toEqual(r.total.api);
  });

  it('reconcile_NamesMissingKey_whenMySqlLacksARow', () => {
    const mysql = new Map(api);
    mysql.delete('t2');
    const r = reconcile({ api, kafka: new Map(api), mysql });
    expect(r.status).toBe('MISMATCH');
    expect(r.mysqlDiff).toEqual({ missing: ['t2'], extra: [], changed: [] });
    expect(r.kafkaDiff).toEqual({ missing: [], extra: [], changed: [] });
    const day = r.dates.find((d) => d.date === '2025-02-09');
    expect(day?.status).toBe('MISMATCH');
    expect(day?.mysql).toEqual({ rows: 1, amount: 10_000, fee: 300, payOutAmount: 9_700 });
    expect(r.dates.find((d) => d.date === '2025-02-10')?.status).toBe('OK');
  });

  it('reconcile_NamesMissingKey_whenKafkaNeverGotARow', () => {
    const kafka = new Map(api);
    kafka.delete('t3');
    const r = reconcile({ api, kafka, mysql: new Map(kafka) });
    expect(r.kafkaDiff.missing).toEqual(['t3']);
    expect(r.mysqlDiff.missing).toEqual(['t3']);
    expect(r.dates.find((d) => d.date === '2025-02-10')?.kafka.rows).toBe(0);
  });

  it('reconcile_NamesExtraKey_whenASideHoldsARowTossDoesNotReturn', () => {
    const mysql = new Map([...api, ['t9', row('2025-02-11', 1_000)]]);
    const r = reconcile({ api, kafka: new Map(api), mysql });
    expect(r.mysqlDiff.extra).toEqual(['t9']);
    expect(r.dates.map((d) => d.date)).toEqual(['2025-02-09', '2025-02-10', '2025-02-11']);
    expect(r.dates[2]?.api.rows).toBe(0);
  });

  it('reconcile_NamesChangedKey_whenTheMoneyDiffersOnTheSameDate', () => {
    const kafka = new Map([...api, ['t1', row('2025-02-09', 10_000, 400)]]);
    const r = reconcile({ api, kafka, mysql: new Map(api) });
    expect(r.kafkaDiff).toEqual({ missing: [], extra: [], changed: ['t1'] });
    expect(r.status).toBe('MISMATCH');
  });

  it('reconcile_ShowsAMovedRowAsMissingOnOneDateAndExtraOnTheOther', () => {
    const mysql = new Map([...api, ['t1', row('2025-02-10', 10_000)]]);
    const r = reconcile({ api, kafka: new Map(api), mysql });
    expect(r.dates.find((d) => d.date === '2025-02-09')?.mysqlDiff.missing).toEqual(['t1']);
    expect(r.dates.find((d) => d.date === '2025-02-10')?.mysqlDiff.extra).toEqual(['t1']);
  });

  it('reconcile_Ok_forAnEmptyWindow', () => {
    const r = reconcile({ api: new Map(), kafka: new Map(), mysql: new Map() });
    expect(r).toMatchObject({ status: 'OK', dates: [], total: { api: { rows: 0 } } });
  });

  it('reconcile_SortsKeysOfEveryDateTogether', () => {
    const big = side({ b: row('2025-02-10', 1), a: row('2025-02-09', 1), c: row('2025-02-09', 1) });
    expect(reconcile({ api: big, kafka: new Map(), mysql: new Map() }).kafkaDiff.missing).toEqual(['a', 'b', 'c']);
  });
});

describe('withinDates', () => {
  it('keeps only the rows of the window, both ends included', () => {
    const rows = side({ a: row('2025-02-08', 1), b: row('2025-02-09', 1), c: row('2025-02-10', 1), d: row('2025-02-11', 1) });
    expect([...withinDates(rows, '2025-02-09', '2025-02-10').keys()]).toEqual(['b', 'c']);
  });
});
