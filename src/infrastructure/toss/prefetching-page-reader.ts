import pLimit from 'p-limit';
import type { FetchedPage, SettlementPageReader, SettlementSource } from '../../application/settlement/ports.js';
import type { SettlementWindow } from '../../domain/settlement/settlement-window.js';
import { isLastPage } from '../../domain/batch/page-checkpoint.js';
import { parsedRawPage, type RawSettlementPage } from './toss-settlements-client.js';

/** A source that can hand a page over unparsed (TossSettlementsClient); others are parsed as they arrive. */
export interface RawPageSource extends SettlementSource {
  fetchRawPage(window: SettlementWindow, page: number, size: number, signal?: AbortSignal): Promise<RawSettlementPage>;
}

const hasRawPages = (source: SettlementSource): source is RawPageSource => typeof (source as Partial<RawPageSource>).fetchRawPage === 'function';

/**
 * Fetches up to `concurrency` pages ahead while handing them out strictly in page order, so the writer and
 * its checkpoints advance page by page. Pages fetched past the end are dropped (Toss has no total count).
 * Pages waiting their turn are held as the bytes Toss sent and parsed a part at a time as the job reads them
 * (FetchedPage.parts), so a few hundred rows at a time live on the V8 heap, and die young.
 */
export class PrefetchingPageReader implements SettlementPageReader {
  constructor(
    private readonly source: SettlementSource,
    private readonly concurrency: number,
  ) {}

  async *pages(window: SettlementWindow, startPage: number, size: number, signal?: AbortSignal, stride = 1): AsyncIterable<FetchedPage> {
    const limit = pLimit(this.concurrency);
    const stop = new AbortController();
    const onAbort = () => stop.abort(signal?.reason);
    if (signal?.aborted) stop.abort(signal.reason);
    else signal?.addEventListener('abort', onAbort, { once: true });
    const source = this.source;
    const fetchOne = (page: number): Promise<RawSettlementPage> => {
      if (hasRawPages(source)) return source.fetchRawPage(window, page, size, stop.signal);
      return source.fetchPage(window, page, size, stop.signal).then((rows) => parsedRawPage(rows));
    };
    const inFlight = new Map<number, Promise<RawSettlementPage>>();
    const schedule = (page: number) => {
      // A page still queued when the run stops must fail, never look like an empty (last) page: the job
      // would checkpoint it and a resumed run would skip its rows.
      const p = limit(async () => {
        stop.signal.throwIfAborted();
        return fetchOne(page);
      });
      p.catch(() => undefined); // observed when awaited; never an unhandled rejection for pages we drop
      inFlight.set(page, p);
    };
    let next = startPage;
    for (let i = 0; i < this.concurrency; i++, next += stride) schedule(next);
    try {
      for (let page = startPage; ; page += stride) {
        const raw = await (inFlight.get(page) as Promise<RawSettlementPage>);
        inFlight.delete(page);
        const last = isLastPage(raw.count, size);
        if (!last) {
          schedule(next);
          next += stride;
        }
        yield { page, count: raw.count, parts: raw.parts(), ...(raw.json === null ? {} : { json: raw.json }), release: raw.release };
        if (last) return;
      }
    } finally {
      stop.abort();
      limit.clearQueue();
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
