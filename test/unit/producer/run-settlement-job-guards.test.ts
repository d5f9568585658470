import { describe, expect, it } from 'vitest';
import type { OutgoingPage, PublishMeta, SettlementPublisher, SettlementSource } from '../../../src/application/settlement/ports.js';
import type { RunJobRequest } from '../../../src/application/settlement/run-settlement-job.js';
import type { RejectedSettlement, Settlement } from '../../../src/domain/settlement/settlement.js';
import { PrefetchingPageReader } from '../../../src/infrastructure/toss/prefetching-page-reader.js';
import { exitCodeOf, ExitCode } from '../../../src/presentation/cli/exit-codes.js';
import { failure } from '../../support/failure.js';
import { FakeJobs, fakeJob, row, sendingPublisher, window, type Row } from './run-settlement-job-fakes.js';

/**
 * The runaway guards, through the real prefetching reader (4 pages fetched ahead, answered out of order) and
 * two pages in flight to the publisher, as the CLI wires them: what is published and checkpointed when a
 * guard fires must not depend on which fetch or acknowledgement came first.
 */
const SIZE = 3;
/** Page p of a well-behaved window: rows (p−1)·SIZE+1 … p·SIZE. */
const pageRows = (p: number, count = SIZE): Row[] => Array.from({ length: count }, (_, i) => row((p - 1) * SIZE + 1 + i));
/** A misbehaving Toss is bounded here so that a missing guard fails the test instead of hanging it. */
const RUNAWAY = 60;

/**
 * Toss in memory: `answer(page, ask)` is the page's rows the `ask`th time it is asked for (1, 2, …); later pages
 * answer first (fewer event-loop turns). `requested` is every request, in the order they were made.
 */
function source(answer: (page: number, ask: number) => Row[]): SettlementSource & { requested: number[] } {
  const requested: number[] = [];
  return {
    requested,
    async fetchPage(_w, page) {
      requested.push(page);
      const ask = requested.filter((p) => p === page).length;
      for (let turns = 8 - (page % 8); turns > 0; turns--) await new Promise((r) => setImmediate(r));
      return answer(page, ask);
    },
  };
}

/** Acknowledges each page after a number of turns that varies by page, so acks complete out of order. */
class Publisher implements SettlementPublisher {
  readonly pages: number[] = [];
  page(meta: PublishMeta): OutgoingPage {
    return sendingPublisher((rows) => this.publish(rows, meta)).page(meta, 0);
  }
  async publish(_rows: readonly Settlement[], meta: PublishMeta): Promise<RejectedSettlement[]> {
    this.pages.push(meta.page);
    for (let turns = (meta.page % 3) * 2; turns > 0; turns--) await new Promise((r) => setImmediate(r));
    return [];
  }
  async publishRejects(): Promise<void> {}
}

/** What these tests read of the job repository: the pages checkpointed, in order, and how the execution finished. */
const checkpointedPages = (jobs: FakeJobs) => ({
  get checkpoints() {
    return jobs.checkpoints.map(({ cp }) => cp.page);
  },
  get finished() {
    return jobs.finished;
  },
});

/** `concurrency`: pages the reader fetches ahead (4 unless a test needs every request to be predictable). */
function setup(answer: (page: number, ask: number) => Row[], resumeAfterPage = 0, concurrency = 4) {
  const toss = source(answer);
  const publisher = new Publisher();
  const jobs = new FakeJobs([], resumeAfterPage);
  const job = fakeJob({ reader: new PrefetchingPageReader(toss, concurrency), source: toss, publisher, jobs, pagesInFlight: 2 });
  const run = (req: Partial<RunJobRequest> = {}) => job.run({ window, pageSize: SIZE, ...req });
  return { toss, publisher, jobs: checkpointedPages(jobs), run };
}

/** Toss ignores `page` from page `from` on: it serves page `from − 1` again (bounded, see RUNAWAY). */
const repeatsFrom = (from: number) => (p: number) => (p >= RUNAWAY ? [] : pageRows(p < from ? p : from - 1));
/** Toss serves full pages of new rows far past the end of any real window (bounded, see RUNAWAY). */
const endless = (p: number) => (p >= RUNAWAY ? [] : pageRows(p));

describe('RunSettlementJob guards against a Toss that never ends the window', () => {
  it('stops with TOSS_PAGE_REPEATED (data, exit 3) at a page holding only the previous page’s rows; the pages before it are published and checkpointed, nothing after', async () => {
    const { publisher, jobs, run } = setup(repeatsFrom(4));
    const error = await failure(run());
    expect(error).toMatchObject({ code: 'TOSS_PAGE_REPEATED', category: 'data', details: { page: 4, previousPage: 3 } });
    expect(error.message).toContain('page 4');
    expect(error.message).toContain('page 3');
    expect(publisher.pages).toEqual([1, 2, 3]);
    expect(jobs.checkpoints).toEqual([1, 2, 3]);
    expect(jobs.finished).toMatchObject({ status: 'FAILED', counts: { pages: 3, rowsFetched: 9 }, error: error.message });
  });

  it('treats the same keys in another order as a repeat, but publishes a page that only overlaps the previous one', async () => {
    const shuffled = await failure(setup((p) => (p >= RUNAWAY ? [] : p === 1 ? pageRows(1) : pageRows(1).reverse())).run());
    expect(shuffled).toMatchObject({ code: 'TOSS_PAGE_REPEATED', details: { page: 2 } });

    // Toss paging over live data: a row inserted earlier in the order shifts one row onto the next page
    const shifted = (p: number) => (p === 1 ? pageRows(1) : p === 2 ? [row(3), row(4), row(5)] : p === 3 ? [row(6)] : []);
    const { publisher, run } = setup(shifted);
    await expect(run()).resolves.toMatchObject({ outcome: 'COMPLETED', counts: { pages: 3, rowsFetched: 7 } });
    expect(publisher.pages).toEqual([1, 2, 3]);
  });

  it('stops with TOSS_PAGE_LIMIT_EXCEEDED (data, exit 3) when page maxPages + 1 still holds rows, naming --max-pages and TOSS_MAX_PAGES; pages 1..maxPages are checkpointed', async () => {
    const { publisher, jobs, run } = setup(endless);
    const error = await failure(run({ maxPages: 5 }));
    expect(error).toMatchObject({ code: 'TOSS_PAGE_LIMIT_EXCEEDED', category: 'data', details: { page: 6, maxPages: 5 } });
    expect(error.message).toContain('--max-pages 5');
    expect(error.message).toContain('TOSS_MAX_PAGES');
    expect(publisher.pages).toEqual([1, 2, 3, 4, 5]);
    expect(jobs.checkpoints).toEqual([1, 2, 3, 4, 5]);
    expect(jobs.finished).toMatchObject({ status: 'FAILED', counts: { pages: 5, rowsFetched: 15 } });
  });

  it('completes a window of exactly maxPages full pages: the empty page after them is not over the limit', async () => {
    const { jobs, run } = setup((p) => (p <= 5 ? pageRows(p) : []));
    await expect(run({ maxPages: 5 })).resolves.toMatchObject({ outcome: 'COMPLETED', counts: { pages: 6, rowsFetched: 15 } });
    expect(jobs.checkpoints).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('has no 2,000-page ceiling by default: a window of 2,100 full pages and a short one completes with no maxPages given', async () => {
    const { jobs, publisher, run } = setup((p) => (p <= 2_100 ? pageRows(p) : p === 2_101 ? pageRows(p, 1) : []));
    await expect(run()).resolves.toMatchObject({ outcome: 'COMPLETED', counts: { pages: 2_101, rowsFetched: 6_301, rowsPublished: 6_301 } });
    expect(jobs.checkpoints).toHaveLength(2_101);
    expect(publisher.pages).toHaveLength(2_101);
  });

  it('without maxPages derives the limit from maxRowsPerDay × days of the window ÷ pageSize, and says so', async () => {
    // 5 days × 7 rows ÷ 3 rows a page = 11.67: 12 pages
    const { publisher, jobs, run } = setup(endless);
    const error = await failure(run({ maxRowsPerDay: 7 }));
    const details = { page: 13, maxPages: 12, pageSize: SIZE, source: 'derived', maxRowsPerDay: 7, days: 5 };
    expect(error).toMatchObject({ code: 'TOSS_PAGE_LIMIT_EXCEEDED', category: 'data', details });
    expect(error.message).toContain('more than 12 pages of 3 rows, the limit derived from TOSS_MAX_ROWS_PER_DAY 7 × 5 day(s) ÷ 3 rows a page');
    expect(error.message).toContain('rerun with a higher TOSS_MAX_ROWS_PER_DAY, or with --max-pages (TOSS_MAX_PAGES) above 12');
    expect(publisher.pages).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(jobs.checkpoints).toHaveLength(12);
  });

  it('an explicit maxPages overrides the derived limit, larger or smaller, and the error names --max-pages', async () => {
    const smaller = await failure(setup(endless).run({ maxPages: 4, maxRowsPerDay: 1_000_000 }));
    expect(smaller).toMatchObject({ code: 'TOSS_PAGE_LIMIT_EXCEEDED', details: { page: 5, maxPages: 4, source: 'explicit' } });
    expect(smaller.message).toContain('--max-pages 4 (TOSS_MAX_PAGES)');
    expect(smaller.message).toContain('or with neither --max-pages nor TOSS_MAX_PAGES for the limit derived from TOSS_MAX_ROWS_PER_DAY');
    expect(smaller.message).not.toContain('day(s)');
    // derived would be 5 days × 3 rows ÷ 3 = 5 pages; the explicit 20 lets the 7-page window complete
    const seven = setup((p) => (p <= 7 ? pageRows(p) : []));
    await expect(seven.run({ maxPages: 20, maxRowsPerDay: 3 })).resolves.toMatchObject({ outcome: 'COMPLETED', counts: { pages: 8 } });
  });

  it('stops a Toss cycling A, B, A, B at the third page with TOSS_PAGE_REPEATED naming page 1; pages 1–2 are published and checkpointed', async () => {
    const { publisher, jobs, run } = setup((p) => (p >= RUNAWAY ? [] : pageRows(((p - 1) % 2) + 1)));
    const error = await failure(run());
    expect(error).toMatchObject({ code: 'TOSS_PAGE_REPEATED', category: 'data', details: { page: 3, previousPage: 1, rows: SIZE } });
    expect(error.message).toContain('page 3');
    expect(error.message).toContain('as page 1');
    expect(publisher.pages).toEqual([1, 2]);
    expect(jobs.checkpoints).toEqual([1, 2]);
    expect(jobs.finished).toMatchObject({ status: 'FAILED', counts: { pages: 2, rowsFetched: 6 }, error: error.message });
  });

  it('refuses a longer cycle, in another row order, at its first repeated page, naming the page it repeats', async () => {
    // 1, 2, 3, 4, then 2, 3, 4 again (page 5 holds page 2's rows, reversed)
    const cycle = (p: number) => (p >= RUNAWAY ? [] : p <= 4 ? pageRows(p) : pageRows(((p - 2) % 3) + 2).reverse());
    const { publisher, run } = setup(cycle);
    expect(await failure(run())).toMatchObject({ code: 'TOSS_PAGE_REPEATED', details: { page: 5, previousPage: 2, rows: SIZE } });
    expect(publisher.pages).toEqual([1, 2, 3, 4]);
  });

  it('does not take a page for a repeat when it shares only some keys with an earlier page, or lacks one of its rows', async () => {
    const rows = (...n: number[]) => n.map(row);
    const pages: Row[][] = [rows(1, 2, 3, 4), rows(5, 6, 7, 8), rows(1, 2, 3, 9), rows(5, 6, 7, 10), rows(1, 2, 3)];
    const { publisher, run } = setup((p) => pages[p - 1] ?? []);
    await expect(run({ pageSize: 4 })).resolves.toMatchObject({ outcome: 'COMPLETED', counts: { pages: 5, rowsFetched: 19 } });
    expect(publisher.pages).toEqual([1, 2, 3, 4, 5]);
  });

  it('a sharded worker refuses a cycle among the pages it reads (every Nth)', async () => {
    // Toss cycles through 4 pages; worker 0 of 2 reads pages 1, 3, 5: page 5 is page 1 again
    const { publisher, run } = setup((p) => (p >= RUNAWAY ? [] : pageRows(((p - 1) % 4) + 1)));
    expect(await failure(run({ shard: { index: 0, count: 2 } }))).toMatchObject({ code: 'TOSS_PAGE_REPEATED', details: { page: 5, previousPage: 1 } });
    expect(publisher.pages).toEqual([1, 3]);
  });

  it('a resumed run remembers the page it re-reads: a cycle through it is refused, naming that page', async () => {
    // resumed after page 2 of a Toss cycling A, B: page 3 (A) is new to this run, page 4 (B) is page 2 again
    const { publisher, jobs, run } = setup((p) => (p >= RUNAWAY ? [] : pageRows(((p - 1) % 2) + 1)), 2);
    expect(await failure(run())).toMatchObject({ code: 'TOSS_PAGE_REPEATED', details: { page: 4, previousPage: 2 } });
    expect(publisher.pages).toEqual([3]);
    expect(jobs.checkpoints).toEqual([3]);
  });

  it('counts pages of the window, not of the execution: a resumed run stops at the same page', async () => {
    const { publisher, jobs, run } = setup(endless, 4);
    const error = await failure(run({ maxPages: 5 }));
    expect(error).toMatchObject({ code: 'TOSS_PAGE_LIMIT_EXCEEDED', details: { page: 6 } });
    expect(publisher.pages).toEqual([5]);
    expect(jobs.checkpoints).toEqual([5]);
  });

  it('a resumed run re-reads its last checkpointed page (not published again) so a repeat right after it is refused too', async () => {
    const { toss, publisher, jobs, run } = setup(repeatsFrom(3), 2);
    const error = await failure(run());
    expect(error).toMatchObject({ code: 'TOSS_PAGE_REPEATED', details: { page: 3, previousPage: 2 } });
    expect(Math.min(...toss.requested)).toBe(2);
    expect(publisher.pages).toEqual([]);
    expect(jobs.checkpoints).toEqual([]);
    expect(jobs.finished).toMatchObject({ status: 'FAILED', counts: { pages: 0 } });
  });

  it('guards dry runs the same way (nothing is published or claimed there anyway)', async () => {
    const { publisher, run } = setup(repeatsFrom(2));
    expect(await failure(run({ dryRun: true }))).toMatchObject({ code: 'TOSS_PAGE_REPEATED', details: { page: 2 } });
    expect(await failure(setup(endless).run({ dryRun: true, maxPages: 3 }))).toMatchObject({ code: 'TOSS_PAGE_LIMIT_EXCEEDED', details: { page: 4 } });
    expect(publisher.pages).toEqual([]);
  });
});

/** A window of `full` full pages and then a page of `last` rows (0: the empty page after the full ones). */
const windowOf = (full: number, last: number) => (p: number) => (p <= full ? pageRows(p) : p === full + 1 ? pageRows(p, last) : []);

describe('RunSettlementJob confirms the end of a window before completing it', () => {
  it('a page short on the first ask and full on the second is TOSS_PAGE_CHANGED (data, exit 3): pages 1–2 checkpointed, page 3 never published, the execution FAILED, not COMPLETED', async () => {
    const glitch = (p: number, ask: number) => (p === 3 && ask === 1 ? pageRows(3, 1) : windowOf(5, 2)(p));
    const { toss, publisher, jobs, run } = setup(glitch);
    const error = await failure(run());
    expect(error).toMatchObject({
      code: 'TOSS_PAGE_CHANGED',
      category: 'data',
      details: { page: 3, pageSize: SIZE, rows: 1, rowsAgain: 3, onlyFirst: 0, onlyAgain: 2 },
    });
    expect(exitCodeOf(error)).toBe(ExitCode.DATA);
    expect(error.message).toContain('page 3 of 2025-02-03..2025-02-07 (soldDate) with 1 row(s), fewer than the page size 3');
    expect(error.message).toContain('it answered 3 row(s) (2 transaction key(s) only in the second answer, e.g. T8, T9; 0 only in the first)');
    expect(error.message).toContain('nothing after the last checkpointed page was published, and the execution is not marked COMPLETED');
    expect(publisher.pages).toEqual([1, 2]);
    expect(jobs.checkpoints).toEqual([1, 2]);
    expect(jobs.finished).toMatchObject({ status: 'FAILED', counts: { pages: 2, rowsFetched: 6, rowsPublished: 6 }, error: error.message });
    // pages 1–4 fetched at once, 5 and 6 once 1 and 2 were handed out; then page 3 asked again, and the next page
    // is not asked once page 3 differs: one extra request
    expect(toss.requested).toEqual([1, 2, 3, 4, 5, 6, 3]);
  });

  it('a short page confirmed the same (same keys, another order) and an empty next page complete as before, at the cost of exactly 2 requests', async () => {
    const answer = (p: number, ask: number) => (p === 6 && ask > 1 ? pageRows(6, 2).reverse() : windowOf(5, 2)(p));
    const { toss, publisher, jobs, run } = setup(answer, 0, 1);
    await expect(run()).resolves.toMatchObject({ outcome: 'COMPLETED', counts: { pages: 6, rowsFetched: 17, rowsPublished: 17, rowsRejected: 0 } });
    expect(publisher.pages).toEqual([1, 2, 3, 4, 5, 6]);
    expect(jobs.checkpoints).toEqual([1, 2, 3, 4, 5, 6]);
    expect(jobs.finished).toMatchObject({ status: 'COMPLETED', counts: { pages: 6, rowsFetched: 17 }, error: null });
    // the 6 pages, then page 6 again and page 7
    expect(toss.requested).toEqual([1, 2, 3, 4, 5, 6, 6, 7]);

    // fetched 4 ahead: the confirming requests still come last, once the reader has stopped
    const ahead = setup(windowOf(5, 2));
    await expect(ahead.run()).resolves.toMatchObject({ outcome: 'COMPLETED', counts: { pages: 6, rowsFetched: 17 } });
    expect(ahead.toss.requested.slice(-2)).toEqual([6, 7]);
    expect(ahead.toss.requested.filter((p) => p === 6)).toHaveLength(2);
  });

  it('an empty last page confirmed empty completes at the cost of exactly 1 request (no next page asked)', async () => {
    const { toss, jobs, run } = setup(windowOf(5, 0), 0, 1);
    await expect(run()).resolves.toMatchObject({ outcome: 'COMPLETED', counts: { pages: 6, rowsFetched: 15 } });
    expect(jobs.checkpoints).toEqual([1, 2, 3, 4, 5, 6]);
    expect(toss.requested).toEqual([1, 2, 3, 4, 5, 6, 6]);
  });

  it('an empty page that holds rows when asked again is TOSS_PAGE_CHANGED; a dry run stops the same way', async () => {
    const lagging = (p: number, ask: number) => (p === 4 && ask === 1 ? [] : windowOf(5, 2)(p));
    const { toss, publisher, jobs, run } = setup(lagging);
    const error = await failure(run());
    expect(error).toMatchObject({ code: 'TOSS_PAGE_CHANGED', category: 'data', details: { page: 4, rows: 0, rowsAgain: 3, onlyFirst: 0, onlyAgain: 3 } });
    expect(error.message).toContain(
      'page 4 of 2025-02-03..2025-02-07 (soldDate) with no rows (an empty page), which would end the window, but asked again for page 4 it answered 3 row(s)',
    );
    expect(publisher.pages).toEqual([1, 2, 3]);
    expect(jobs.checkpoints).toEqual([1, 2, 3]);
    expect(jobs.finished).toMatchObject({ status: 'FAILED', counts: { pages: 3, rowsFetched: 9 } });
    expect(toss.requested.at(-1)).toBe(4);
    expect(toss.requested.filter((p) => p === 4)).toHaveLength(2);

    const dry = setup(lagging);
    expect(await failure(dry.run({ dryRun: true }))).toMatchObject({ code: 'TOSS_PAGE_CHANGED', details: { page: 4, rows: 0, rowsAgain: 3 } });
    expect(dry.publisher.pages).toEqual([]);
    expect(dry.jobs.finished).toBeNull();
  });

  it('a short page answered the same twice but followed by a page with rows is TOSS_PAGE_CHANGED naming the next page', async () => {
    // a replica that lost pages 3 onwards except for one row: page 3 is short both times, page 4 is full
    const { toss, publisher, jobs, run } = setup((p) => (p === 3 ? pageRows(3, 1) : windowOf(5, 2)(p)));
    const error = await failure(run());
    expect(error).toMatchObject({ code: 'TOSS_PAGE_CHANGED', category: 'data', details: { page: 3, rows: 1, rowsAgain: 1, nextPage: 4, nextRows: 3 } });
    expect(error.message).toContain('the same again when asked a second time, but the next page 4 holds 3 row(s) (first transactionKey T10)');
    expect(publisher.pages).toEqual([1, 2]);
    expect(jobs.checkpoints).toEqual([1, 2]);
    expect(jobs.finished?.status).toBe('FAILED');
    expect(toss.requested.slice(-2)).toEqual([3, 4]);
  });

  it('a sharded worker confirms its own end: its short page again, then its next page (page + N); the end pages of the others cost 1 request each', async () => {
    // 10 full pages and page 11 of 1 row, over 3 workers: worker 0 reads 1, 4, 7, 10, 13; worker 1 2, 5, 8, 11; worker 2 3, 6, 9, 12
    const shards = [0, 1, 2].map((index) => ({ index, count: 3 }));
    const requested: number[][] = [];
    const published: number[][] = [];
    const rows: number[] = [];
    for (const shard of shards) {
      const { toss, publisher, jobs, run } = setup(windowOf(10, 1), 0, 1);
      const summary = await run({ shard });
      expect(summary.outcome).toBe('COMPLETED');
      expect(jobs.finished?.status).toBe('COMPLETED');
      requested.push(toss.requested);
      published.push(publisher.pages);
      rows.push(summary.counts.rowsFetched);
    }
    expect(published).toEqual([
      [1, 4, 7, 10, 13],
      [2, 5, 8, 11],
      [3, 6, 9, 12],
    ]);
    expect(rows).toEqual([12, 10, 9]);
    // each worker's pages, then: worker 0 its empty page 13 again; worker 1 its short page 11 again and its next page 14; worker 2 its empty page 12 again
    expect(requested).toEqual([
      [1, 4, 7, 10, 13, 13],
      [2, 5, 8, 11, 11, 14],
      [3, 6, 9, 12, 12],
    ]);

    // worker 1's page 8 short on the first ask only: it stops there, after its pages 2 and 5
    const glitch = (p: number, ask: number) => (p === 8 && ask === 1 ? pageRows(8, 2) : windowOf(10, 1)(p));
    const changed = setup(glitch);
    expect(await failure(changed.run({ shard: shards[1] }))).toMatchObject({ code: 'TOSS_PAGE_CHANGED', details: { page: 8, rows: 2, rowsAgain: 3 } });
    expect(changed.publisher.pages).toEqual([2, 5]);
    expect(changed.jobs.checkpoints).toEqual([2, 5]);
    expect(changed.jobs.finished?.status).toBe('FAILED');

    // worker 1's page 11 short twice, but its next page 14 holds rows (the window goes on)
    const longer = (p: number) => (p === 11 ? pageRows(11, 1) : windowOf(14, 1)(p));
    const goesOn = setup(longer);
    const error = await failure(goesOn.run({ shard: shards[1] }));
    expect(error).toMatchObject({ code: 'TOSS_PAGE_CHANGED', details: { page: 11, nextPage: 14, nextRows: 3 } });
    expect(error.message).toContain("page 14, this worker's next page (its pages are 3 apart), holds 3 row(s)");
    expect(error.message).toContain("this worker's pages before page 11 that were published are checkpointed");
    expect(goesOn.jobs.checkpoints).toEqual([2, 5, 8]);
  });

  it('a resumed run whose re-read last checkpoint is short confirms it too: another answer the second time is TOSS_PAGE_CHANGED, nothing published', async () => {
    const glitch = (p: number, ask: number) => (p === 3 && ask === 1 ? pageRows(3, 1) : windowOf(5, 2)(p));
    const { toss, publisher, jobs, run } = setup(glitch, 3);
    const error = await failure(run());
    expect(error).toMatchObject({ code: 'TOSS_PAGE_CHANGED', details: { page: 3, rows: 1, rowsAgain: 3 } });
    expect(error.message).toContain('Stopped at page 3, the last checkpointed page (re-read by this resumed run, not published again)');
    expect(publisher.pages).toEqual([]);
    expect(jobs.finished).toMatchObject({ status: 'FAILED', counts: { pages: 0 } });
    expect(toss.requested.slice(-1)).toEqual([3]);
  });
});
