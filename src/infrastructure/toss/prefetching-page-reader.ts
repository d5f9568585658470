import pLimit from 'p-limit';
import type { FetchedPage, SettlementPageReader, SettlementSource } from '../../application/settlement/ports.js';
import type { SettlementWindow } from '../../domain/settlement/settlement-window.js';
import { isLastPage } from '../../domain/batch/page-checkpoint.js';

/**
 * Fetches up to `concurrency` pages ahead while handing them out strictly in page order, so the writer and
 * its checkpoints advance page by page. Pages fetched past the end are dropped (Toss has no total count).
 */
export class PrefetchingPageReader implements SettlementPageReader {
  constructor(
    private readonly source: SettlementSource,
    private readonly concurrency: number,
  ) {}

  async *pages(window: SettlementWindow, startPage: number, size: number, signal?: AbortSignal): AsyncIterable<FetchedPage> {
    const limit = pLimit(this.concurrency);
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal?.reason);
    if (signal?.aborted) stop.abort(signal.reason);
    else signal?.addEventListener('abort', onAbort, { once: true });
    const inFlight = new Map<number, Promise<unknown[]>>();
    const schedule = (page: number) => {
      // A page still queued when the run stops must fail, never look like an empty (last) page: the job
      // would checkpoint it and a resumed run would skip its rows.
      const p = limit(async () => {
        stop.signal.throwIfAborted();
        return this.source.fetchPage(window, page, size, stop.signal);
      });
      p.catch(() => undefined); // observed when awaited; never an unhandled rejection for pages we drop
      inFlight.set(page, p);
    };
    let next = startPage;
    for (; next < startPage + this.concurrency; next++) schedule(next);
    try {
      for (let page = startPage; ; page++) {
        const rows = await (inFlight.get(page) as Promise<unknown[]>);
        inFlight.delete(page);
        const last = isLastPage(rows.length, size);
        if (!last) schedule(next++);
        yield { page, rows };
        if (last) return;
      }
    } finally {
      stop.abort();
      limit.clearQueue();
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
