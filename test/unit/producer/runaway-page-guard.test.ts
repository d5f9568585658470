import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_ROWS_PER_DAY, pageFingerprint, pageLimit, RunawayPageGuard, transactionKeyOf } from '../../../src/domain/batch/runaway-page-guard.js';
import { settlementWindow, windowDays } from '../../../src/domain/settlement/settlement-window.js';

const day = settlementWindow('2025-02-03', '2025-02-03');
const keys = (...k: string[]) => k.map((transactionKey) => ({ transactionKey }));

describe('pageLimit', () => {
  it('derives 200,000 pages for a 1-day window of 5,000-row pages: 10× the 20,000 pages of a 100-million-row day', () => {
    expect(DEFAULT_MAX_ROWS_PER_DAY).toBe(1_000_000_000);
    expect(pageLimit({ window: day, pageSize: 5000 })).toEqual({ maxPages: 200_000, source: 'derived', maxRowsPerDay: 1_000_000_000, days: 1 });
  });

  it('grows with the days of the window and shrinks with the page size, rounding up', () => {
    // a payout window over a long weekend: sold dates Friday..Monday
    expect(pageLimit({ window: settlementWindow('2025-10-03', '2025-10-06'), pageSize: 5000 })).toMatchObject({ maxPages: 800_000, days: 4 });
    expect(pageLimit({ window: day, pageSize: 10 })).toMatchObject({ maxPages: 100_000_000 });
    expect(pageLimit({ window: day, pageSize: 3, maxRowsPerDay: 10 })).toMatchObject({ maxPages: 4, source: 'derived' });
  });

  it('takes an explicit maxPages over the derived one (null or undefined: derived)', () => {
    expect(pageLimit({ window: day, pageSize: 5000, maxPages: 2_000, maxRowsPerDay: 1 })).toEqual({ maxPages: 2_000, source: 'explicit' });
    expect(pageLimit({ window: day, pageSize: 5000, maxPages: null, maxRowsPerDay: 50_000 })).toMatchObject({ maxPages: 10, source: 'derived' });
  });
});

describe('windowDays', () => {
  it('counts both ends, across months and a leap day', () => {
    expect(windowDays(day)).toBe(1);
    expect(windowDays(settlementWindow('2024-02-27', '2024-03-01'))).toBe(4);
    expect(windowDays(settlementWindow('2025-12-31', '2026-01-01', 'paidOutDate'))).toBe(2);
  });
});

describe('pageFingerprint', () => {
  it('is a safe integer that does not depend on the order of the rows', () => {
    const fp = pageFingerprint(keys('a1', 'b2', 'c3'));
    expect(Number.isSafeInteger(fp)).toBe(true);
    expect(pageFingerprint(keys('c3', 'a1', 'b2'))).toBe(fp);
  });

  it('differs for another key, one key more or less, and a key twice', () => {
    const fp = pageFingerprint(keys('a1', 'b2', 'c3'));
    for (const other of [keys('a1', 'b2', 'c4'), keys('a1', 'b2'), keys('a1', 'b2', 'c3', 'd4'), keys('a1', 'b2', 'c3', 'c3'), keys('a1b2', 'c3')]) {
      expect(pageFingerprint(other)).not.toBe(fp);
    }
  });

  it('gives 20,000 pages of consecutive, similar keys 20,000 distinct fingerprints', () => {
    const seen = new Set<number | null>();
    const page = (p: number) => Array.from({ length: 50 }, (_, i) => ({ transactionKey: `tviva2025020${p * 50 + i}` }));
    for (let p = 0; p < 20_000; p++) seen.add(pageFingerprint(page(p)));
    expect(seen.size).toBe(20_000);
    expect(seen.has(null)).toBe(false);
  });

  it('is null for an empty page and a page with a row without a key (neither compared nor remembered)', () => {
    expect(pageFingerprint([])).toBeNull();
    expect(pageFingerprint([{ transactionKey: 'a1' }, { paymentKey: 'p' }])).toBeNull();
  });
});

describe('RunawayPageGuard', () => {
  /** The guard as the job feeds it: a page's rows by their transaction keys (transactionKeyOf). */
  const guard = () => {
    const g = new RunawayPageGuard({ maxPages: 100, source: 'explicit' }, 2, '2025-02-03..2025-02-03 (soldDate)');
    return {
      admit: (page: number, rows: readonly unknown[]) => g.admit(page, rows.map(transactionKeyOf)),
      remember: (page: number, rows: readonly unknown[]) => g.remember(page, rows.map(transactionKeyOf)),
    };
  };

  it('refuses a page repeating any earlier page of the run, naming the first page that had its keys', () => {
    const g = guard();
    g.admit(1, keys('a', 'b'));
    g.admit(2, keys('c', 'd'));
    g.admit(3, keys('e', 'f'));
    const repeated = expect.objectContaining({ code: 'TOSS_PAGE_REPEATED', details: { page: 4, previousPage: 2, rows: 2 } });
    expect(() => g.admit(4, keys('d', 'c'))).toThrowError(repeated);
  });

  it('takes a page a resumed run re-reads (remember) into the pages a later one is compared with', () => {
    const g = guard();
    g.remember(7, keys('a', 'b'));
    g.admit(8, keys('c', 'd'));
    const repeated = expect.objectContaining({ code: 'TOSS_PAGE_REPEATED', details: { page: 9, previousPage: 7, rows: 2 } });
    expect(() => g.admit(9, keys('a', 'b'))).toThrowError(repeated);
  });

  it('still refuses a page whose keys were all on the page before (a subset of it), naming that page', () => {
    const g = guard();
    g.admit(1, keys('a', 'b'));
    expect(() => g.admit(2, keys('b'))).toThrowError(expect.objectContaining({ code: 'TOSS_PAGE_REPEATED', details: { page: 2, previousPage: 1, rows: 1 } }));
  });

  it('admits a page that only overlaps the page before, whichever of its rows is new (first, middle or last)', () => {
    const g = guard();
    g.admit(1, keys('a', 'b', 'c'));
    g.admit(2, keys('b', 'c', 'd')); // first key seen, last new
    g.admit(3, keys('e', 'c', 'd')); // first key new, the rest seen
    g.admit(4, keys('d', 'f', 'e')); // middle new
    g.admit(5, keys('g', 'h', 'i'));
  });

  it('refuses a page that repeats the page before in another order, or all but a key-less row of it', () => {
    const g = guard();
    g.admit(1, [{ transactionKey: 'a' }, { paymentKey: 'no key' }, { transactionKey: 'b' }]);
    expect(() => g.admit(2, keys('b', 'a'))).toThrowError(
      expect.objectContaining({ code: 'TOSS_PAGE_REPEATED', details: { page: 2, previousPage: 1, rows: 2 } }),
    );
  });

  it('does not count a key-less row as seen on the page before (the page goes on to be a reject, not a repeat)', () => {
    const g = guard();
    g.admit(1, [{ transactionKey: 'a' }, { paymentKey: 'no key' }]);
    g.admit(2, [{ transactionKey: 'a' }, { paymentKey: 'no key' }]);
    g.admit(3, [{ paymentKey: 'no key' }, { transactionKey: 'a' }]);
  });
});
