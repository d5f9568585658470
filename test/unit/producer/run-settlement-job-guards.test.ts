import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { JobRepository, StartRequest, StartedExecution } from '../../../src/application/settlement/job-repository.js';
import type { PublishMeta, SettlementPublisher, SettlementSource } from '../../../src/application/settlement/ports.js';
import { RunSettlementJob, type RunJobRequest } from '../../../src/application/settlement/run-settlement-job.js';
import type { Log } from '../../../src/application/shared/log.js';
import type { ExecutionCounts, ExecutionStatus } from '../../../src/domain/batch/job-execution.js';
import type { PageCheckpoint } from '../../../src/domain/batch/page-checkpoint.js';
import type { RejectedSettlement, Settlement } from '../../../src/domain/settlement/settlement.js';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { isSettleError, type SettleError } from '../../../src/domain/shared/settle-error.js';
import { PrefetchingPageReader } from '../../../src/infrastructure/toss/prefetching-page-reader.js';

/**
 * The runaway guards, through the real prefetching reader (4 pages fetched ahead, answered out of order) and
 * two pages in flight to the publisher, as the CLI wires them: what is published and checkpointed when a
 * guard fires must not depend on which fetch or acknowledgement came first.
 */
type Row = Record<string, unknown>;
const [approval] = JSON.parse(readFileSync(new URL('../../fixtures/settlements/examples.json', import.meta.url), 'utf8')) as [Row];
const row = (n: number): Row => ({ ...approval, transactionKey: `T${n}`, paymentKey: `P${n}` });
const SIZE = 3;
/** Page p of a well-behaved window: rows (p−1)·SIZE+1 … p·SIZE. */
const pageRows = (p: number, count = SIZE): Row[] => Array.from({ length: count }, (_, i) => row((p - 1) * SIZE + 1 + i));
const window = settlementWindow('2025-02-03', '2025-02-07');
const silent: Log = { info() {}, warn() {}, error() {}, debug() {} };
/** A misbehaving Toss is bounded here so that a missing guard fails the test instead of hanging it. */
const RUNAWAY = 60;

/** Toss in memory: `answer(page)` is the page's rows; later pages answer first (fewer event-loop turns). */
function source(answer: (page: number) => Row[]): SettlementSource & { requested: number[] } {
  const requested: number[] = [];
  return {
    requested,
    async fetchPage(_w, page) {
      requested.push(page);
      for (let turns = 8 - (page % 8); turns > 0; turns--) await new Promise((r) => setImmediate(r));
      return answer(page);
    },
  };
}

/** Acknowledges each page after a number of turns that varies by page, so acks complete out of order. */
class Publisher implements SettlementPublisher {
  readonly pages: number[] = [];
  async publish(_rows: readonly Settlement[], meta: PublishMeta): Promise<RejectedSettlement[]> {
    this.pages.push(meta.page);
    for (let turns = (meta.page % 3) * 2; turns > 0; turns--) await new Promise((r) => setImmediate(r));
    return [];
  }
  async publishRejects(): Promise<void> {}
}

class Jobs implements JobRepository {
  readonly checkpoints: number[] = [];
  finished: { status: ExecutionStatus; counts: ExecutionCounts; error: string | null } | null = null;
  constructor(private readonly resumeAfterPage: number) {}
  async start(req: StartRequest): Promise<StartedExecution> {
    const execution = { id: 7, instanceId: 3, kind: req.kind, shard: req.shard?.index ?? 0, shards: req.shard?.count ?? 1, replayOf: null, status: 'STARTED' as const, startedAt: '', endedAt: null, heartbeatAt: '', lastPage: this.resumeAfterPage, pageSize: SIZE, counts: { pages: 0, rowsFetched: 0, rowsPublished: 0, rowsRejected: 0 }, lastError: null, host: req.host, pid: req.pid };
    return { instance: { id: 3, jobName: 'toss-settlements', window: req.window }, execution, resumeAfterPage: this.resumeAfterPage, recovered: [], replayOf: null };
  }
  async checkpoint(cp: PageCheckpoint): Promise<void> {
    this.checkpoints.push(cp.page);
  }
  async heartbeat(): Promise<void> {}
  async finish(_id: number, status: Exclude<ExecutionStatus, 'STARTED'>, counts: ExecutionCounts, error: string | null): Promise<void> {
    this.finished = { status, counts, error };
  }
  async release(): Promise<void> {}
}

function setup(answer: (page: number) => Row[], resumeAfterPage = 0) {
  const toss = source(answer);
  const publisher = new Publisher();
  const jobs = new Jobs(resumeAfterPage);
  const job = new RunSettlementJob({ reader: new PrefetchingPageReader(toss, 4), publisher, jobs, clock: { now: () => new Date() }, log: silent, host: 'h', pid: 1, pagesInFlight: 2 });
  const run = (req: Partial<RunJobRequest> = {}) => job.run({ window, pageSize: SIZE, ...req });
  return { toss, publisher, jobs, run };
}

async function failure(run: Promise<unknown>): Promise<SettleError> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isSettleError(error)) throw new Error(`expected a SettleError, got ${JSON.stringify(error)}`);
  return error;
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
