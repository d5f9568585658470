import { describe, expect, it } from 'vitest';
import { allRows, type FetchedPage, type SettlementSource } from '../../../src/application/settlement/ports.js';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { PrefetchingPageReader } from '../../../src/infrastructure/toss/prefetching-page-reader.js';

const window = settlementWindow('2025-02-03', '2025-02-07');
const SIZE = 2;
const rowsOf = (page: number, count = SIZE): unknown[] => Array.from({ length: count }, (_, i) => `p${page}r${i}`);

/** A source whose pages answer in an order the test picks, counting how many are in flight at once. */
class ScriptedSource implements SettlementSource {
  inFlight = 0;
  maxInFlight = 0;
  requested: number[] = [];
  private readonly waiting = new Map<number, () => void>();

  constructor(private readonly lastPage: { page: number; rows: number }) {}

  fetchPage(_w: unknown, page: number, size: number, signal?: AbortSignal): Promise<unknown[]> {
    this.requested.push(page);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise((resolve, reject) => {
      const done = () => {
        this.inFlight -= 1;
        this.waiting.delete(page);
        if (page < this.lastPage.page) resolve(rowsOf(page, size));
        else resolve(page === this.lastPage.page ? rowsOf(page, this.lastPage.rows) : []);
      };
      this.waiting.set(page, done);
      signal?.addEventListener('abort', () => {
        this.inFlight -= 1;
        this.waiting.delete(page);
        reject(signal.reason as Error);
      });
    });
  }

  /** Answers the highest waiting page first, so pages complete out of order. */
  answerOne(): boolean {
    const pages = [...this.waiting.keys()].sort((a, b) => b - a);
    const top = pages[0];
    if (top === undefined) return false;
    this.waiting.get(top)?.();
    return true;
  }
}

async function collect(iterable: AsyncIterable<FetchedPage>, source: ScriptedSource): Promise<FetchedPage[]> {
  const out: FetchedPage[] = [];
  const it = iterable[Symbol.asyncIterator]();
  for (;;) {
    const next = it.next();
    // keep answering (newest first) until the reader hands out the next page
    let settled: IteratorResult<FetchedPage> | null = null;
    void next.then((r) => (settled = r));
    while (settled === null) {
      await new Promise((r) => setImmediate(r));
      if (settled === null) source.answerOne();
    }
    const result = settled as IteratorResult<FetchedPage>;
    if (result.done) return out;
    out.push(result.value);
  }
}

describe('PrefetchingPageReader', () => {
  it('hands pages out strictly in page order although they complete out of order', async () => {
    const source = new ScriptedSource({ page: 9, rows: 1 });
    const pages = await collect(new PrefetchingPageReader(source, 3).pages(window, 1, SIZE), source);
    expect(pages.map((p) => p.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(pages.map((p) => allRows(p)[0])).toEqual(pages.map((p) => `p${p.page}r0`));
  });

  it('with a stride reads only its own pages (one worker of N) and stops after its first short or empty one', async () => {
    // worker 1 of 3: pages 2, 5, 8, 11; the window ends on page 9, so page 11 comes back empty and ends it
    const source = new ScriptedSource({ page: 9, rows: 1 });
    const pages = await collect(new PrefetchingPageReader(source, 2).pages(window, 2, SIZE, undefined, 3), source);
    expect(pages.map((p) => [p.page, p.count])).toEqual([
      [2, SIZE],
      [5, SIZE],
      [8, SIZE],
      [11, 0],
    ]);
    expect(source.requested.every((page) => (page - 1) % 3 === 1)).toBe(true);
  });

  it('never has more than `concurrency` requests in flight, and does use that many', async () => {
    const source = new ScriptedSource({ page: 12, rows: 0 });
    await collect(new PrefetchingPageReader(source, 3).pages(window, 1, SIZE), source);
    expect(source.maxInFlight).toBe(3);
  });

  it('ends the window at the first short page, dropping pages fetched past it', async () => {
    const source = new ScriptedSource({ page: 4, rows: 1 });
    const pages = await collect(new PrefetchingPageReader(source, 3).pages(window, 1, SIZE), source);
    expect(pages.map((p) => [p.page, p.count])).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
      [4, 1],
    ]);
    expect(Math.max(...source.requested)).toBeLessThanOrEqual(4 + 2); // at most concurrency − 1 pages of look-ahead
  });

  it('starts at the page it is told to (a resumed run)', async () => {
    const source = new ScriptedSource({ page: 6, rows: 0 });
    const pages = await collect(new PrefetchingPageReader(source, 2).pages(window, 4, SIZE), source);
    expect(pages.map((p) => p.page)).toEqual([4, 5, 6]);
    expect(Math.min(...source.requested)).toBe(4);
  });

  it('fails at the page whose fetch failed, after handing out the pages before it, and aborts the others', async () => {
    const signals: AbortSignal[] = [];
    const source: SettlementSource = {
      fetchPage: (_w, page, _size, signal) => {
        if (signal) signals.push(signal);
        return page === 3 ? Promise.reject(new Error('page 3 broke')) : new Promise((resolve) => setTimeout(() => resolve(rowsOf(page)), page === 2 ? 20 : 1));
      },
    };
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const p of new PrefetchingPageReader(source, 3).pages(window, 1, SIZE)) seen.push(p.page);
      })(),
    ).rejects.toThrow('page 3 broke');
    expect(seen).toEqual([1, 2]);
    expect(signals.every((s) => s.aborted)).toBe(true);
  });

  it('a page requested after the run was aborted fails instead of looking like an empty last page', async () => {
    const abort = new AbortController();
    // this source ignores the signal: every page it is asked for is full
    const source: SettlementSource = { fetchPage: async (_w, page) => rowsOf(page) };
    const seen: FetchedPage[] = [];
    await expect(
      (async () => {
        for await (const p of new PrefetchingPageReader(source, 1).pages(window, 1, SIZE, abort.signal)) {
          seen.push(p);
          abort.abort(new Error('SIGTERM'));
        }
      })(),
    ).rejects.toThrow('SIGTERM');
    expect(seen.every((p) => p.count === SIZE)).toBe(true);
  });
});
