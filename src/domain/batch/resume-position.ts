import { SettleError } from '../shared/settle-error.js';

/** Where a restartable predecessor stopped: `lastPage` pages of `pageSize` rows (null: recorded before sizes were). */
export interface StoppedPosition {
  readonly executionId: number;
  readonly lastPage: number;
  readonly pageSize: number | null;
}

export interface ResumePosition {
  /** Pages of the requested size already published; the run continues with the next one. */
  readonly afterPage: number;
  /** The predecessor's position when it was converted from another page size. */
  readonly convertedFrom: { readonly lastPage: number; readonly pageSize: number } | null;
}

/**
 * Toss pages by offset ((page − 1) × size), so a position is only meaningful with its page size. Another size
 * resumes at the same row only when the rows done are a whole number of its pages; otherwise resuming would skip
 * rows (a bigger size) or publish rows twice (a smaller one), and the run is refused with the way out (exit 2:
 * the fix is the flag, and a retry with the same flag can never succeed).
 */
export function resumePosition(from: StoppedPosition | null, pageSize: number, window: string, shards = 1): ResumePosition {
  if (!from || from.lastPage === 0) return { afterPage: 0, convertedFrom: null };
  if (from.pageSize === pageSize) return { afterPage: from.lastPage, convertedFrom: null };
  const { executionId, lastPage } = from;
  const abandon = `\`settle jobs abandon ${executionId}\` and run again to fetch the window from page 1 (the loader's upsert absorbs the rows published twice)`;
  // a worker of a sharded window published every Nth page: no other size lands on the same rows
  if (shards > 1)
    throw new SettleError(
      'JOB_PAGE_SIZE_MISMATCH',
      `window ${window}: execution ${executionId}, one of ${shards} workers, stopped after page ${lastPage} of ${String(from.pageSize)} rows; a worker resumes only with its own page size: rerun with --page-size ${String(from.pageSize)}, or ${abandon}`,
      { details: { executionId, lastPage, storedPageSize: from.pageSize, pageSize, shards } },
    );
  if (from.pageSize === null)
    throw new SettleError(
      'JOB_PAGE_SIZE_UNKNOWN',
      `window ${window}: execution ${executionId} stopped after page ${lastPage} before page sizes were recorded, so resuming with --page-size ${pageSize} (TOSS_PAGE_SIZE) could skip rows; ${abandon}`,
      { details: { executionId, lastPage, storedPageSize: null, pageSize } },
    );
  const rowsDone = lastPage * from.pageSize;
  if (rowsDone % pageSize === 0) return { afterPage: rowsDone / pageSize, convertedFrom: { lastPage, pageSize: from.pageSize } };
  throw new SettleError(
    'JOB_PAGE_SIZE_MISMATCH',
    `window ${window}: execution ${executionId} stopped after page ${lastPage} of ${from.pageSize} rows (${rowsDone} rows done), which is not a whole number of pages of --page-size ${pageSize} (TOSS_PAGE_SIZE): resuming there would skip or repeat rows. Rerun with --page-size ${from.pageSize} (or a size that divides ${rowsDone}) to resume, or ${abandon}`,
    { details: { executionId, lastPage, storedPageSize: from.pageSize, pageSize } },
  );
}
