import { SettleError } from '../shared/settle-error.js';

/** Pages a window may hold unless the run says otherwise (TOSS_MAX_PAGES, --max-pages): 10 M rows at 5,000 a page. */
export const DEFAULT_MAX_PAGES = 2_000;

const keyOf = (row: unknown): string | null => {
  const key = (row as { transactionKey?: unknown } | null)?.transactionKey;
  return typeof key === 'string' ? key : null;
};

/**
 * Toss gives no total: a window ends at its first short page, so a Toss that keeps answering full pages (or the
 * same page again) would keep the producer going forever. Each page is checked in page order, before anything of
 * it is published, so the verdict never depends on which prefetched page arrived first:
 * - a page whose rows all carry transaction keys that were on the page before it: paging does not advance
 *   (a page that only overlaps the previous one is normal when Toss pages over live data);
 * - a page past `maxPages` that still holds rows: the window is larger than any window the run allows.
 */
export class RunawayPageGuard {
  #previous: { readonly page: number; readonly keys: ReadonlySet<string> } | null = null;

  constructor(
    private readonly maxPages: number,
    private readonly pageSize: number,
    private readonly window: string,
  ) {}

  /** The page before the first one checked (a resumed run re-reads its last checkpointed page): compared with only. */
  remember(page: number, rows: readonly unknown[]): void {
    this.#previous = { page, keys: new Set(rows.map(keyOf).filter((k) => k !== null)) };
  }

  /** Throws a data error (exit 3) if the page shows Toss is not ending the window; otherwise remembers it. */
  admit(page: number, rows: readonly unknown[]): void {
    const previous = this.#previous;
    const seen = (row: unknown) => {
      const key = keyOf(row);
      return key !== null && previous !== null && previous.keys.has(key);
    };
    if (previous && rows.length > 0 && rows.every(seen)) {
      throw new SettleError(
        'TOSS_PAGE_REPEATED',
        `Toss answered page ${page} of ${this.window} with ${rows.length} row(s) that were all on page ${previous.page} (first transactionKey ${keyOf(rows[0]) ?? '?'}): paging does not advance, so the window would never end. Stopped before publishing page ${page}; a rerun resumes after the last checkpointed page. Check the window with Toss first.`,
        { category: 'data', details: { page, previousPage: previous.page, rows: rows.length } },
      );
    }
    if (page > this.maxPages && rows.length > 0) {
      throw new SettleError(
        'TOSS_PAGE_LIMIT_EXCEEDED',
        `page ${page} of ${this.window} still holds ${rows.length} row(s): the window has more than --max-pages ${this.maxPages} (TOSS_MAX_PAGES) pages of ${this.pageSize} rows. Stopped before publishing page ${page}. If the window really is that large, rerun with a higher --max-pages (it resumes after the last checkpointed page); otherwise Toss is not ending the window: check its answers.`,
        { category: 'data', details: { page, maxPages: this.maxPages, pageSize: this.pageSize } },
      );
    }
    this.remember(page, rows);
  }
}
