import { SettleError } from '../shared/settle-error.js';
import { transactionKeyOf } from './runaway-page-guard.js';

/**
 * Toss gives no total: a window (a sharded worker's part of it) ends at its first short or empty page. One wrong
 * answer there (a glitch, a replica lagging) would end the window early and lose the rest of it silently, so the
 * end is asked for once more before the run completes, in page order, once every page before it was handed to the
 * publisher and before anything of the end page is:
 * - an empty end page P: page P again (1 extra request);
 * - a short end page P (rows, but fewer than the page size): page P again and, if that answer is the same,
 *   the run's next page P + stride (P + 1, or P + N for a worker of N; 2 extra requests).
 * The end stands when page P holds the same number of rows with the same transaction keys (in any order) and the
 * next page is empty; otherwise the run stops with TOSS_PAGE_CHANGED (data, exit 3).
 */
export interface WindowEnd {
  /** The page that ended the window, as it was first answered. */
  readonly page: number;
  readonly rows: readonly unknown[];
}

export interface WindowEndContext {
  /** windowLabel() of the window. */
  readonly window: string;
  readonly pageSize: number;
  /** The run reads every `stride`th page (1; N for a worker of N). */
  readonly stride: number;
  /** The end page is the last checkpointed one, re-read by a resumed run (not published again). */
  readonly checkpointed: boolean;
}

/** The page asked for after a short (non-empty) end page: the run's next page; null after an empty one. */
export const nextPageToConfirm = (end: WindowEnd, stride: number): number | null => (end.rows.length === 0 ? null : end.page + stride);

const keysOf = (rows: readonly unknown[]): string[] => rows.map((r) => transactionKeyOf(r) ?? '').sort();

const only = (of: readonly string[], notIn: readonly string[]): string[] => {
  const other = new Set(notIn);
  return [...new Set(of)].filter((k) => k !== '' && !other.has(k));
};

const sample = (keys: readonly string[]): string => (keys.length === 0 ? '' : `, e.g. ${keys.slice(0, 3).join(', ')}`);

function stopped(end: WindowEnd, c: WindowEndContext): string {
  const before = c.stride > 1 ? `this worker's pages before page ${end.page}` : `the pages before page ${end.page}`;
  const what = c.checkpointed
    ? `Stopped at page ${end.page}, the last checkpointed page (re-read by this resumed run, not published again): nothing after it was published`
    : `Stopped before publishing page ${end.page}: ${before} that were published are checkpointed, nothing after the last checkpointed page was published`;
  return `${what}, and the execution is not marked COMPLETED; a rerun resumes after the last checkpointed page. Check the window with Toss first.`;
}

/** Throws TOSS_PAGE_CHANGED when page `end.page`, asked again, answered other rows (count or transaction keys). */
export function confirmSamePage(end: WindowEnd, again: readonly unknown[], c: WindowEndContext): void {
  const first = keysOf(end.rows);
  const second = keysOf(again);
  if (first.length === second.length && first.every((k, i) => k === second[i])) return;
  const onlyFirst = only(first, second);
  const onlySecond = only(second, first);
  const shortness = end.rows.length === 0 ? 'no rows (an empty page)' : `${end.rows.length} row(s), fewer than the page size ${c.pageSize}`;
  throw new SettleError(
    'TOSS_PAGE_CHANGED',
    `Toss answered page ${end.page} of ${c.window} with ${shortness}, which would end the window, but asked again for page ${end.page} ` +
      `it answered ${again.length} row(s) (${onlySecond.length} transaction key(s) only in the second answer${sample(onlySecond)}; ` +
      `${onlyFirst.length} only in the first${sample(onlyFirst)}): Toss's answers for the end of the window differ, so where it ends is not known. ${stopped(end, c)}`,
    {
      details: {
        page: end.page,
        pageSize: c.pageSize,
        rows: end.rows.length,
        rowsAgain: again.length,
        onlyFirst: onlyFirst.length,
        onlyAgain: onlySecond.length,
      },
    },
  );
}

/** Throws TOSS_PAGE_CHANGED when the run's page after a short end page (confirmed the same) holds rows. */
export function confirmNextPageEmpty(end: WindowEnd, next: { readonly page: number; readonly rows: readonly unknown[] }, c: WindowEndContext): void {
  if (next.rows.length === 0) return;
  const which = c.stride > 1 ? `page ${next.page}, this worker's next page (its pages are ${c.stride} apart),` : `the next page ${next.page}`;
  const first = transactionKeyOf(next.rows[0]);
  throw new SettleError(
    'TOSS_PAGE_CHANGED',
    `Toss answered page ${end.page} of ${c.window} with ${end.rows.length} row(s), fewer than the page size ${c.pageSize}, and the same again when asked ` +
      `a second time, but ${which} holds ${next.rows.length} row(s)${first === null ? '' : ` (first transactionKey ${first})`}: a short page ` +
      `followed by rows, so where the window ends is not known. ${stopped(end, c)}`,
    {
      details: { page: end.page, pageSize: c.pageSize, rows: end.rows.length, rowsAgain: end.rows.length, nextPage: next.page, nextRows: next.rows.length },
    },
  );
}
