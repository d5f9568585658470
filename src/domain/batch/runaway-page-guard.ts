import { SettleError } from '../shared/settle-error.js';
import { windowDays, type SettlementWindow } from '../settlement/settlement-window.js';

/**
 * Rows a day of the window may hold unless the run says otherwise (TOSS_MAX_ROWS_PER_DAY): ten times the design's
 * 100-million-row day. The page limit is derived from it, so it follows the window's length and the page size.
 */
export const DEFAULT_MAX_ROWS_PER_DAY = 1_000_000_000;

/** The highest explicit page limit (--max-pages, TOSS_MAX_PAGES); a derived limit may be higher. */
export const MAX_PAGES_OVERRIDE = 1_000_000;

/** The pages a window may hold, and where that number came from (the error names what to raise). */
export type PageLimit =
  /** --max-pages / TOSS_MAX_PAGES. */
  | { readonly maxPages: number; readonly source: 'explicit' }
  /** ceil(maxRowsPerDay × days of the window ÷ page size): no --max-pages / TOSS_MAX_PAGES given. */
  | { readonly maxPages: number; readonly source: 'derived'; readonly maxRowsPerDay: number; readonly days: number };

export interface PageLimitRequest {
  readonly window: SettlementWindow;
  readonly pageSize: number;
  readonly maxPages?: number | null;
  readonly maxRowsPerDay?: number;
}

/** An explicit `maxPages` wins; without one the limit is derived from `maxRowsPerDay` (default DEFAULT_MAX_ROWS_PER_DAY). */
export function pageLimit(o: PageLimitRequest): PageLimit {
  if (o.maxPages !== undefined && o.maxPages !== null) return { maxPages: o.maxPages, source: 'explicit' };
  const maxRowsPerDay = o.maxRowsPerDay ?? DEFAULT_MAX_ROWS_PER_DAY;
  const days = windowDays(o.window);
  return { maxPages: Math.ceil((maxRowsPerDay * days) / o.pageSize), source: 'derived', maxRowsPerDay, days };
}

/** A row's transactionKey, or null when it has none (such a row is a reject). */
export const transactionKeyOf = (row: unknown): string | null => {
  const key = (row as { transactionKey?: unknown } | null)?.transactionKey;
  return typeof key === 'string' ? key : null;
};

/** murmur3's 32-bit finalizer: spreads a key's hash over all bits before the keys' hashes are summed. */
const fmix = (h: number): number => {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
};

/**
 * A page's transaction keys reduced to one 53-bit number (an exact integer, so a Map key without a string):
 * each key is hashed into two 32-bit lanes (FNV-1a and a multiply-xorshift), the lanes are summed over the page
 * (mod 2³², so the order of the rows does not matter, as for the previous-page check) and joined with the row
 * count mixed in. Two different pages share a fingerprint with odds of about P²/2⁵⁴ over a run of P pages
 * (2·10⁻⁸ for a 20,000-page day). null for an empty page or one with a row without a key (such a row is a
 * reject; the page is neither compared nor remembered). Cost: one pass over the keys' characters, about 0.5 ms for
 * 5,000 keys (0.1 µs a row, against the ~70 µs of CPU a row costs the producer).
 */
export function pageFingerprint(rows: readonly unknown[]): number | null {
  return fingerprintOf(rows.map(transactionKeyOf));
}

/** pageFingerprint of a page given as its rows' transaction keys, in row order (null for a row without one). */
function fingerprintOf(keys: readonly (string | null)[]): number | null {
  let a = 0;
  let b = keys.length >>> 0;
  for (const key of keys) {
    if (key === null) return null;
    let h1 = 0x811c9dc5;
    let h2 = 0x9747b28c ^ key.length;
    for (let i = 0; i < key.length; i++) {
      const c = key.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    a = (a + fmix(h1)) >>> 0;
    b = (b + fmix(h2)) >>> 0;
  }
  return keys.length === 0 ? null : a * 0x200000 + (b >>> 11); // 32 + 21 bits ≤ Number.MAX_SAFE_INTEGER
}

/**
 * Every key is a key of the previous page (and none is missing). The previous page is kept as its array of keys:
 * a page that repeats it must begin with one of them, so the Set to compare all of them is built only then, not
 * for every page read (5,000 hashed inserts a page).
 */
function allOnPrevious(keys: readonly (string | null)[], previous: readonly (string | null)[]): boolean {
  const first = keys[0];
  if (first === null || first === undefined || !previous.includes(first)) return false;
  const set = new Set(previous);
  return keys.every((key) => key !== null && set.has(key));
}

/**
 * Toss gives no total: a window ends at its first short page, so a Toss that keeps answering full pages (or the
 * same pages again) would keep the producer going forever. Each page is checked in page order, before anything of
 * it is published, so the verdict never depends on which prefetched page arrived first:
 * - a page whose rows all carry transaction keys that were on the page before it: paging does not advance
 *   (a page that only overlaps the previous one is normal when Toss pages over live data);
 * - a page with exactly the transaction keys of an earlier page of this run (a Toss cycling A, B, A, B): each page
 *   read leaves a fingerprint (pageFingerprint) in a Map with its page number, 53–64 bytes an entry (measured on
 *   Node 24), so the memory is one entry per page read, bounded by the page limit: a 20,000-page day holds
 *   about 1.3 MB, the 200,000 pages a day's derived limit allows at most about 13 MB;
 * - a page past the page limit (PageLimit) that still holds rows: the window is larger than any window the run allows.
 * A sharded worker compares only the pages it reads (every Nth); a resumed run starts remembering at the page it
 * re-reads (its last checkpointed one), so a cycle is refused within one period after any start.
 * The other way round, a Toss that ends a window too early, is window-end.ts: the short page is asked for again.
 */
export class RunawayPageGuard {
  #previous: { readonly page: number; readonly keys: readonly (string | null)[] } | null = null;
  /** pageFingerprint → the first page that had it, for every page read in this run. */
  readonly #seen = new Map<number, number>();

  constructor(
    private readonly limit: PageLimit,
    private readonly pageSize: number,
    private readonly window: string,
  ) {}

  /**
   * The page before the first one checked (a resumed run re-reads its last checkpointed page): compared with only.
   * A page is given as its rows' transaction keys in row order (transactionKeyOf: null for a row without one).
   */
  remember(page: number, keys: readonly (string | null)[]): void {
    this.#remember(page, keys, fingerprintOf(keys));
  }

  /** Throws a data error (exit 3) if the page (its rows' keys, as for remember) shows Toss is not ending the window; otherwise remembers it. */
  admit(page: number, keys: readonly (string | null)[]): void {
    const previous = this.#previous;
    if (previous && keys.length > 0 && allOnPrevious(keys, previous.keys)) {
      throw new SettleError(
        'TOSS_PAGE_REPEATED',
        `Toss answered page ${page} of ${this.window} with ${keys.length} row(s) that were all on page ${previous.page} ` +
          `(first transactionKey ${keys[0] ?? '?'}): paging does not advance, so the window would never end. ${this.#stoppedRepeat(page)}`,
        { details: { page, previousPage: previous.page, rows: keys.length } },
      );
    }
    const fingerprint = fingerprintOf(keys);
    const earlier = fingerprint === null ? undefined : this.#seen.get(fingerprint);
    if (earlier !== undefined) {
      throw new SettleError(
        'TOSS_PAGE_REPEATED',
        `Toss answered page ${page} of ${this.window} with the same ${keys.length} transaction key(s) as page ${earlier} ` +
          `(first transactionKey ${keys[0] ?? '?'}): Toss is cycling through pages, so the window would never end. ${this.#stoppedRepeat(page)}`,
        { details: { page, previousPage: earlier, rows: keys.length } },
      );
    }
    if (page > this.limit.maxPages && keys.length > 0) {
      throw new SettleError('TOSS_PAGE_LIMIT_EXCEEDED', `page ${page} of ${this.window} still holds ${keys.length} row(s): ${this.#overLimit(page)}`, {
        details: { page, pageSize: this.pageSize, ...this.limit },
      });
    }
    this.#remember(page, keys, fingerprint);
  }

  #stoppedRepeat(page: number): string {
    return `Stopped before publishing page ${page}; a rerun resumes after the last checkpointed page. Check the window with Toss first.`;
  }

  /** Which limit applied and how to raise it. */
  #overLimit(page: number): string {
    const { limit, pageSize } = this;
    const stopped = `Stopped before publishing page ${page}.`;
    const otherwise = 'otherwise Toss is not ending the window: check its answers.';
    if (limit.source === 'explicit') {
      return (
        `the window has more than --max-pages ${limit.maxPages} (TOSS_MAX_PAGES) pages of ${pageSize} rows. ${stopped} ` +
        'If the window really is that large, rerun with a higher --max-pages (it resumes after the last checkpointed page), ' +
        `or with neither --max-pages nor TOSS_MAX_PAGES for the limit derived from TOSS_MAX_ROWS_PER_DAY; ${otherwise}`
      );
    }
    const override = limit.maxPages < MAX_PAGES_OVERRIDE ? `, or with --max-pages (TOSS_MAX_PAGES) above ${limit.maxPages}` : '';
    return (
      `the window has more than ${limit.maxPages} pages of ${pageSize} rows, the limit derived from TOSS_MAX_ROWS_PER_DAY ` +
      `${limit.maxRowsPerDay} × ${limit.days} day(s) ÷ ${pageSize} rows a page (no --max-pages or TOSS_MAX_PAGES given). ${stopped} ` +
      `If the window really is that large, rerun with a higher TOSS_MAX_ROWS_PER_DAY${override} (it resumes after the last checkpointed page); ${otherwise}`
    );
  }

  #remember(page: number, keys: readonly (string | null)[], fingerprint: number | null): void {
    this.#previous = { page, keys };
    if (fingerprint !== null && !this.#seen.has(fingerprint)) this.#seen.set(fingerprint, page);
  }
}
