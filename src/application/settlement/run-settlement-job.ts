import { addCounts, ZERO_COUNTS, type ExecutionCounts, type ExecutionKind } from '../../domain/batch/job-execution.js';
import { isLastPage } from '../../domain/batch/page-checkpoint.js';
import { pageLimit, RunawayPageGuard, transactionKeyOf, type PageLimit } from '../../domain/batch/runaway-page-guard.js';
import { firstPage, SINGLE_WORKER, type Shard } from '../../domain/batch/shard.js';
import { confirmNextPageEmpty, confirmSamePage, nextPageToConfirm, type WindowEnd } from '../../domain/batch/window-end.js';
import type { RejectedSettlement, Settlement } from '../../domain/settlement/settlement.js';
import { windowLabel, type SettlementWindow } from '../../domain/settlement/settlement-window.js';
import { validateSettlement } from '../../domain/settlement/validate-settlement.js';
import { unknownFieldNames } from '../../domain/settlement/settlement-shape.js';
import { SettleError } from '../../domain/shared/settle-error.js';
import type { Clock, Log } from '../shared/log.js';
import type { JobRepository, StartedExecution } from './job-repository.js';
import {
  allRows,
  parsedPage,
  type FetchedPage,
  type OutgoingPage,
  type PublishMeta,
  type SettlementPageReader,
  type SettlementPublisher,
  type SettlementSource,
} from './ports.js';

export interface RunJobRequest {
  readonly window: SettlementWindow;
  readonly pageSize: number;
  readonly kind?: ExecutionKind;
  /** This worker's part of the window (default: all of it); see domain/batch/shard.ts. */
  readonly shard?: Shard;
  readonly dryRun?: boolean;
  /** Rejected rows tolerated before the run reports a data problem. */
  readonly maxRejects?: number;
  /** Pages the window may hold (--max-pages); a full page past it stops the run (data error). Unset: derived from maxRowsPerDay. */
  readonly maxPages?: number | null;
  /** Without maxPages, the page limit is ceil(this × days of the window ÷ pageSize) (default DEFAULT_MAX_ROWS_PER_DAY). */
  readonly maxRowsPerDay?: number;
  /** SIGTERM/SIGINT: fetch no further page; the pages in flight are awaited (see drainDeadline), then the execution is STOPPED. */
  readonly signal?: AbortSignal;
  /**
   * Once `signal` stopped the run: aborted when the pages in flight may no longer be waited for (the shutdown
   * deadline, less the time recording the stop takes). A page Kafka has not acknowledged by then is abandoned and
   * never checkpointed: the execution is STOPPED after its last acknowledged page and the run fails with
   * SHUTDOWN_DEADLINE_EXCEEDED (transient; a rerun resumes after that page). Unset: they are awaited however long.
   */
  readonly drainDeadline?: AbortSignal;
  readonly heartbeatIntervalMs?: number;
}

export type JobOutcome = 'COMPLETED' | 'COMPLETED_WITH_REJECTS' | 'STOPPED' | 'DRY_RUN';

export interface JobSummary {
  readonly outcome: JobOutcome;
  readonly window: SettlementWindow;
  /** The part of the window this run fetched: worker index of count (0 of 1: all of it). */
  readonly shard: Shard;
  readonly instanceId: number | null;
  readonly executionId: number | null;
  readonly replayOf: number | null;
  readonly resumedAfterPage: number;
  readonly counts: ExecutionCounts;
  readonly durationMs: number;
  readonly rowsPerSecond: number;
  readonly rejectSample: ReadonlyArray<Pick<RejectedSettlement, 'transactionKey' | 'field' | 'reason'>>;
  /** Fields Toss sent that the schema does not model, by name (`card.newField`, `fees[].x`): rows of this run carrying each. */
  readonly unknownFields: Readonly<Record<string, number>>;
}

export interface JobProgress {
  start(info: { window: SettlementWindow; resumeAfterPage: number }): void;
  page(info: { page: number; counts: ExecutionCounts }): void;
  stop(): void;
}

export interface RunSettlementJobDeps {
  readonly reader: SettlementPageReader;
  /**
   * The pages behind `reader`, asked for one at a time: the requests that confirm the window's end (the short or
   * empty page again, then the next page; see domain/batch/window-end.ts) before the run completes.
   */
  readonly source: SettlementSource;
  readonly publisher: SettlementPublisher;
  readonly jobs: JobRepository;
  readonly clock: Clock;
  readonly log: Log;
  readonly progress?: JobProgress;
  readonly host: string;
  readonly pid: number;
  /**
   * Pages handed to the publisher before the oldest is acknowledged (default 1: publish, await, checkpoint).
   * With 2 the next page is read, validated and encoded while the previous one's acks are pending; each
   * page is still checkpointed only after its own acks, strictly in page order.
   */
  readonly pagesInFlight?: number;
}

/** A page the job reads in one array (the window's end; see #pumpPages). */
interface PageReadWhole extends WindowEnd {
  readonly rows: unknown[];
}

/** A page handed to the publisher: its number, and its write (resolves once Kafka acknowledged every record of it). */
interface PageInFlight {
  readonly page: number;
  readonly written: Promise<WrittenPage>;
}

interface WrittenPage {
  readonly page: number;
  readonly rows: number;
  readonly published: number;
  readonly rejected: readonly RejectedSettlement[];
}

/**
 * One run's state, shared by its steps (RunSettlementJob's private methods): what it claimed, where it resumes, the
 * runaway-page guard, the pages in flight and what is checkpointed so far. Only the steps change it.
 */
class JobRun {
  readonly dryRun: boolean;
  readonly shard: Shard;
  readonly resumeAfter: number;
  readonly guard: RunawayPageGuard;
  readonly executionId: number | null;
  readonly meta: { executionId: string };
  /** Pages handed to the publisher before the oldest is acknowledged. */
  readonly depth: number;
  /** Pages published (or being published) but not yet checkpointed, oldest first. */
  readonly inFlight: PageInFlight[] = [];
  /** Counts of the pages checkpointed so far. */
  counts: ExecutionCounts = ZERO_COUNTS;
  readonly rejectSample: JobSummary['rejectSample'][number][] = [];
  readonly unknownFields: Record<string, number> = {};
  /** The first page most of whose rows the text path declined was told about (once a run). */
  textPathDeclinesTold = false;
  /** A page's write or checkpoint failed (or was abandoned): nothing after it is checkpointed. */
  commitFailed = false;
  /** Pages given up at the drain deadline (published, never acknowledged): nothing after them is checkpointed. */
  abandoned: readonly number[] | null = null;
  /** The last page checkpointed (by this run or, before it, the one it resumes). */
  lastCheckpointed: number;
  /** Keeps the claimed execution alive while the run lasts (null for a dry run). */
  heartbeat: ReturnType<typeof setInterval> | null = null;

  constructor(
    readonly req: RunJobRequest,
    readonly claim: StartedExecution | null,
    readonly started: number,
    limit: PageLimit,
    pagesInFlight: number | undefined,
  ) {
    this.dryRun = req.dryRun === true;
    this.shard = req.shard ?? SINGLE_WORKER;
    this.resumeAfter = claim?.resumeAfterPage ?? 0;
    this.guard = new RunawayPageGuard(limit, req.pageSize, windowLabel(req.window));
    this.executionId = claim?.execution.id ?? null;
    this.meta = { executionId: String(this.executionId ?? 'dry-run') };
    this.depth = Math.max(1, pagesInFlight ?? 1);
    this.lastCheckpointed = this.resumeAfter;
  }
}

/**
 * The chunk-oriented step: each page is read → processed (validated) → written (published, rejects included)
 * → checkpointed, in page order. A crash between write and checkpoint republishes that page on restart; the
 * consumer's idempotent upsert absorbs it. The page that ends the window (the first short or empty one of this
 * run's pages) is asked for again before it is handed over (domain/batch/window-end.ts): an end Toss does not
 * confirm fails the run (TOSS_PAGE_CHANGED) instead of completing it. Dry runs read and validate only, touching
 * neither Kafka nor the job repository, and confirm the end the same way.
 */
export class RunSettlementJob {
  constructor(private readonly deps: RunSettlementJobDeps) {}

  async run(req: RunJobRequest): Promise<JobSummary> {
    const started = this.deps.clock.now().getTime();
    const limit = pageLimit(req); // before the claim: a window it cannot count the days of claims nothing
    const claim = await this.#claim(req);
    const run = new JobRun(req, claim, started, limit, this.deps.pagesInFlight);
    this.#begin(run);
    try {
      const end = await this.#pumpPages(run);
      if (end) await this.#confirmAndHandOverEnd(run, end);
      await this.#drain(run);
      return await this.#finish(run);
    } catch (error) {
      throw await this.#fail(run, error);
    } finally {
      await this.#close(run);
    }
  }

  /** Claims the window's execution (nothing for a dry run) and logs what the claim found: dead executions, a converted resume point. */
  async #claim(req: RunJobRequest): Promise<StartedExecution | null> {
    const { jobs, log } = this.deps;
    const claim =
      req.dryRun === true
        ? null
        : await jobs.start({
            window: req.window,
            kind: req.kind ?? 'RUN',
            shard: req.shard ?? SINGLE_WORKER,
            pageSize: req.pageSize,
            host: this.deps.host,
            pid: this.deps.pid,
          });
    for (const dead of claim?.recovered ?? []) log.warn({ executionId: dead.id, heartbeatAt: dead.heartbeatAt }, 'recovered a dead execution (marked FAILED)');
    if (claim?.convertedFrom)
      log.info({ from: claim.convertedFrom, resumeAfterPage: claim.resumeAfterPage, pageSize: req.pageSize }, 'resume position converted to the new page size');
    return claim;
  }

  /** Starts the heartbeat (claimed runs only) and the progress display, and logs the start. */
  #begin(run: JobRun): void {
    const { jobs, log } = this.deps;
    const { req, claim, shard } = run;
    run.heartbeat = claim
      ? setInterval(
          () => void jobs.heartbeat(claim.execution.id).catch((e: unknown) => log.warn({ err: (e as Error).message }, 'heartbeat failed')),
          req.heartbeatIntervalMs ?? 10_000,
        )
      : null;
    run.heartbeat?.unref();
    this.deps.progress?.start({ window: req.window, resumeAfterPage: run.resumeAfter });
    log.info(
      {
        window: req.window,
        executionId: run.executionId,
        resumeAfterPage: run.resumeAfter,
        dryRun: run.dryRun,
        ...(shard.count > 1 ? { shard: shard.index, shards: shard.count } : {}),
      },
      'settlement job started',
    );
  }

  /**
   * Reads the run's pages in order, passes each by the runaway-page guard and hands it over, until the page that ends
   * the window (returned whole, not handed over: it is pending confirmation), the end of the reader or the stop signal.
   */
  async #pumpPages(run: JobRun): Promise<PageReadWhole | null> {
    const { req, resumeAfter, guard, shard } = run;
    // A resumed run re-reads its last checkpointed page, unpublished, so the guard has a page to compare the
    // first new one with: a Toss that repeats pages is refused at the same page however often the run resumes.
    // a worker of N reads every Nth page of its own; a resumed one starts at its last checkpointed page
    const start = resumeAfter > 0 ? resumeAfter : firstPage(shard);
    for await (const fetched of this.deps.reader.pages(req.window, start, req.pageSize, req.signal, shard.count)) {
      const { page } = fetched;
      const end = isLastPage(fetched.count, req.pageSize);
      if (end || page === resumeAfter) {
        // read whole: the window's end (held for confirmation) and the re-read checkpointed page (only compared with)
        const rows = allRows(fetched);
        fetched.release?.();
        const keys = rows.map(transactionKeyOf);
        if (page === resumeAfter) guard.remember(page, keys);
        else guard.admit(page, keys); // throws before anything of this page is handed to the publisher
        // the window's end, pending confirmation: leaving the loop ends the reader (and its fetches past the end)
        if (end) return { page, rows };
      } else await this.#handOver(run, fetched, true);
      if (req.signal?.aborted) break;
    }
    return null;
  }

  /** Unless the run was stopped: has Toss confirm the window's end, then hands the end page over (not when it was already checkpointed). */
  async #confirmAndHandOverEnd(run: JobRun, end: PageReadWhole): Promise<void> {
    const { req, resumeAfter, shard } = run;
    if (req.signal?.aborted) return;
    // every page before the end was handed over (in page order); the end page is not, until Toss confirms it
    await this.#confirmEnd(req, end, shard.count, end.page === resumeAfter);
    if (end.page !== resumeAfter) await this.#handOver(run, parsedPage(end.page, end.rows), false);
  }

  /**
   * Validates a page and hands it to the publisher (nothing for a dry run); returns once at most depth − 1 pages are
   * unacknowledged. `admit`: the page still has to pass the runaway-page guard (the end page passed it when read).
   */
  async #handOver(run: JobRun, fetched: FetchedPage, admit: boolean): Promise<void> {
    try {
      this.#publishPage(run, fetched, admit);
    } finally {
      fetched.release?.(); // its rows are encoded (or the page was refused): its text is not read again
    }
    while (run.inFlight.length >= run.depth) await this.#commitOldest(run);
  }

  /**
   * Validates the page a part at a time and hands each part's valid rows to the page on its way out, which encodes
   * them before it takes the next part: the page's parsed objects die while young instead of waiting in the heap for
   * the rest of the page and for Kafka's acknowledgement, which made them old-generation garbage (the producer's
   * largest GC cost). When the page on its way out can write rows straight from the JSON text Toss sent
   * (OutgoingPage.addJson) and the source kept it (FetchedPage.json), most rows are never parsed at all. The
   * runaway-page guard sees the page's keys once all its rows are read; nothing of the page is sent before it admitted
   * it. Holds nothing of the rows afterwards: each part is emptied once validated.
   */
  #publishPage(run: JobRun, fetched: FetchedPage, admit: boolean): void {
    const { page } = fetched;
    const meta = { ...run.meta, page };
    const out = run.dryRun ? null : this.deps.publisher.page(meta, fetched.count);
    const keys: (string | null)[] = [];
    const rejected: RejectedSettlement[] = [];
    const withUnknown: Settlement[] = [];
    let valid = 0;
    /** The general path for one row as parsed: its key noted, validated; the valid row, or null (rejected). */
    const validate = (raw: unknown): Settlement | null => {
      keys.push(transactionKeyOf(raw));
      const result = validateSettlement(raw);
      if (!result.ok) {
        rejected.push(result.rejection);
        return null;
      }
      if (result.value.unknownFields !== null) withUnknown.push(result.value);
      valid += 1;
      return result.value;
    };
    const json = fetched.json;
    if (out !== null && out.addJson !== undefined && json !== undefined) {
      // rows written from their text where the page can; a row it declines is parsed, validated and added in its place
      const { text, bounds } = json;
      let declined = 0;
      for (let i = 0; i < fetched.count; i++) {
        const key = out.addJson(text, (bounds[i] as number) + 1, bounds[i + 1] as number);
        if (key !== null) {
          keys.push(key);
          valid += 1;
          continue;
        }
        declined += 1;
        const row = validate(json.parse(i));
        if (row !== null) out.add([row]);
      }
      if (2 * declined > fetched.count) this.#tellTextPathDeclines(run, page, declined, fetched.count);
    } else
      for (const part of fetched.parts) {
        const fit: Settlement[] = [];
        for (const raw of part) {
          const row = validate(raw);
          if (row !== null) fit.push(row);
        }
        part.length = 0;
        out?.add(fit);
      }
    if (admit) run.guard.admit(page, keys); // throws before anything of this page is sent
    for (const row of withUnknown) this.#countUnknown(run, page, row);
    const count = keys.length;
    const written = out === null ? Promise.resolve({ page, rows: count, published: 0, rejected }) : this.#write(out, page, count, valid, rejected, meta);
    written.catch(() => undefined); // awaited in page order by #commitOldest; never unhandled meanwhile
    run.inFlight.push({ page, written });
  }

  /**
   * Once a run: most rows of a page took the general path. Harmless for a few rows (an escaped string, a rejected
   * row), but on most of a page it means Toss's rows no longer look as the text path reads them (members in another
   * order, a new field): correct still, at the general path's CPU cost.
   */
  #tellTextPathDeclines(run: JobRun, page: number, declined: number, rows: number): void {
    if (run.textPathDeclinesTold) return;
    run.textPathDeclinesTold = true;
    this.deps.log.warn(
      { page, declined, rows },
      "most rows of this page were parsed row by row: the producer's fast path (rows written to Avro from Toss's text) declined them, so this run costs more CPU per row; rows are published the same. Compare a row of Toss's with schemas/toss-settlement.avsc (member order, new fields)",
    );
  }

  /** Every row of a page read, once it is valid: a field Toss added is warned about once per run, with the fix. */
  #countUnknown(run: JobRun, page: number, row: Settlement): void {
    const { unknownFields } = run;
    for (const name of unknownFieldNames(row.unknownFields)) {
      if (unknownFields[name] === undefined) {
        unknownFields[name] = 0;
        this.deps.log.warn(
          { page, field: name, transactionKey: row.transactionKey },
          'Toss sent a field the settlement schema does not model: it is kept as JSON in unknownFields (Kafka) and unknown_fields (MySQL); to give it a place of its own, evolve schemas/toss-settlement.avsc (a nullable field with default null) and the settlement shape',
        );
      }
      unknownFields[name] += 1;
    }
  }

  /**
   * Awaits the oldest page in flight's acknowledgement (until the drain deadline) and checkpoints it. At the deadline
   * it and every page after it are abandoned; a failure here means nothing after that page may be checkpointed.
   */
  async #commitOldest(run: JobRun): Promise<void> {
    const { jobs, log } = this.deps;
    const { req, claim, inFlight } = run;
    let written: WrittenPage;
    try {
      const head = inFlight.shift() as PageInFlight;
      const acked = await unlessAborted(head.written, req.drainDeadline);
      if (acked === ABORTED) {
        const pages = [head.page, ...inFlight.splice(0).map((p) => p.page)];
        run.abandoned = pages;
        throw new SettleError('SHUTDOWN_DEADLINE_EXCEEDED', `page(s) ${pages.join(', ')} not acknowledged by Kafka at the shutdown deadline`);
      }
      written = acked;
      const { page, rows, published, rejected } = written;
      const pageCounts = { pages: 1, rowsFetched: rows, rowsPublished: published, rowsRejected: rejected.length };
      if (claim)
        await jobs.checkpoint({ instanceId: claim.instance.id, executionId: claim.execution.id, page, ...pageCounts }, addCounts(run.counts, pageCounts));
      run.counts = addCounts(run.counts, pageCounts);
      run.lastCheckpointed = page;
    } catch (error) {
      run.commitFailed = true;
      throw error;
    }
    const { page, rows, rejected } = written;
    for (const r of rejected) {
      if (run.rejectSample.length < 20) run.rejectSample.push({ transactionKey: r.transactionKey, field: r.field, reason: r.reason });
      log.warn({ page, transactionKey: r.transactionKey, field: r.field, reason: r.reason }, 'row rejected');
    }
    log.debug({ page, rows, rejected: rejected.length }, 'page checkpointed');
    this.deps.progress?.page({ page, counts: run.counts });
  }

  /** Checkpoints every page still in flight, in page order, each once Kafka acknowledged it. */
  async #drain(run: JobRun): Promise<void> {
    while (run.inFlight.length > 0) await this.#commitOldest(run);
  }

  /** Records the execution COMPLETED (STOPPED when the signal stopped it), logs the summary and returns it. */
  async #finish(run: JobRun): Promise<JobSummary> {
    const { jobs, log, clock } = this.deps;
    const { req, claim, counts } = run;
    const stopped = req.signal?.aborted === true;
    if (claim) await jobs.finish(claim.execution.id, stopped ? 'STOPPED' : 'COMPLETED', counts, stopped ? 'stopped by signal' : null);
    const outcome: JobOutcome = stopped
      ? 'STOPPED'
      : run.dryRun
        ? 'DRY_RUN'
        : counts.rowsRejected > (req.maxRejects ?? 0)
          ? 'COMPLETED_WITH_REJECTS'
          : 'COMPLETED';
    const durationMs = clock.now().getTime() - run.started;
    const summary: JobSummary = {
      outcome,
      window: req.window,
      shard: run.shard,
      instanceId: claim?.instance.id ?? null,
      executionId: run.executionId,
      replayOf: claim?.replayOf ?? null,
      resumedAfterPage: run.resumeAfter,
      counts,
      durationMs,
      rowsPerSecond: durationMs > 0 ? Math.round((counts.rowsFetched * 1000) / durationMs) : counts.rowsFetched,
      rejectSample: run.rejectSample,
      unknownFields: run.unknownFields,
    };
    log.info({ ...summary, rejectSample: undefined }, 'settlement job finished');
    return summary;
  }

  /**
   * After `error`: settles the pages in flight, records the execution FAILED or STOPPED and returns the error the run
   * fails with (SHUTDOWN_DEADLINE_EXCEEDED when pages were abandoned at the drain deadline, JOB_STOPPED when stopped).
   */
  async #fail(run: JobRun, error: unknown): Promise<unknown> {
    const { jobs, log } = this.deps;
    const { req, claim, inFlight, executionId } = run;
    // A read failed, a guard refused a page or Toss did not confirm the window's end: pages already handed over
    // still count once acknowledged (the refused or unconfirmed page never was). A page failed: nothing after it
    // is checkpointed. Either way its followers settle before the producer closes, unless the run was stopped and
    // the drain deadline passed: those still unacknowledged then are abandoned, never checkpointed.
    while (!run.commitFailed && inFlight.length > 0) await this.#commitOldest(run).catch(() => undefined);
    await unlessAborted(Promise.allSettled(inFlight.splice(0).map((p) => p.written)), req.drainDeadline);
    const { abandoned, lastCheckpointed, counts } = run;
    const stopped = req.signal?.aborted === true || abandoned !== null;
    const message = error instanceof Error ? error.message : String(error);
    if (abandoned !== null) {
      const why = `the stop did not finish within the shutdown deadline: page(s) ${abandoned.join(', ')} went to Kafka but were not acknowledged in time and are not checkpointed; the execution is STOPPED after page ${lastCheckpointed} and a rerun resumes after it`;
      log.error({ executionId, lastPage: lastCheckpointed, abandonedPages: abandoned }, 'settlement job stopped at the shutdown deadline');
      if (claim)
        await jobs
          .finish(claim.execution.id, 'STOPPED', counts, why)
          .catch((e: unknown) => log.error({ err: (e as Error).message }, 'could not record the stop'));
      return new SettleError('SHUTDOWN_DEADLINE_EXCEEDED', why, { cause: error });
    }
    log.error({ executionId, err: message }, stopped ? 'settlement job stopped' : 'settlement job failed');
    if (claim)
      await jobs
        .finish(claim.execution.id, stopped ? 'STOPPED' : 'FAILED', counts, message)
        .catch((e: unknown) => log.error({ err: (e as Error).message }, 'could not record the failure'));
    if (stopped) return new SettleError('JOB_STOPPED', `stopped by signal after ${counts.pages} page(s); rerun resumes`, { cause: error });
    return error;
  }

  /** However the run ended: stops the heartbeat and the progress display, and releases the claim. */
  async #close(run: JobRun): Promise<void> {
    if (run.heartbeat) clearInterval(run.heartbeat);
    this.deps.progress?.stop();
    if (run.claim) await this.deps.jobs.release();
  }

  /**
   * Asks Toss for the end page once more and, when it held rows, for the run's next page (see window-end.ts): one
   * request after an empty page, two after a short one (only one when the page already answered differently).
   */
  async #confirmEnd(req: RunJobRequest, end: WindowEnd, stride: number, checkpointed: boolean): Promise<void> {
    const { source, log } = this.deps;
    const context = { window: windowLabel(req.window), pageSize: req.pageSize, stride, checkpointed };
    confirmSamePage(end, await source.fetchPage(req.window, end.page, req.pageSize, req.signal), context);
    const next = nextPageToConfirm(end, stride);
    if (next !== null) confirmNextPageEmpty(end, { page: next, rows: await source.fetchPage(req.window, next, req.pageSize, req.signal) }, context);
    log.debug({ page: end.page, rows: end.rows.length, nextPage: next }, 'window end confirmed');
  }

  /**
   * Not async: nothing here waits with the rows in its frame (see #publishPage). A publisher that throws instead of
   * rejecting fails the page the same way (awaited in page order by #commitOldest), as an async #write did.
   */
  #write(out: OutgoingPage, page: number, rows: number, handed: number, rejected: RejectedSettlement[], meta: PublishMeta): Promise<WrittenPage> {
    let published: Promise<readonly RejectedSettlement[]>;
    try {
      published = out.send();
    } catch (error) {
      published = Promise.reject(error);
    }
    return published.then(async (unfit) => {
      rejected.push(...unfit);
      if (rejected.length) await this.deps.publisher.publishRejects(rejected, meta);
      return { page, rows, published: handed - unfit.length, rejected };
    });
  }
}

const ABORTED: unique symbol = Symbol('aborted');

/**
 * `work`, or ABORTED as soon as `signal` aborts; `work` goes on unobserved. Already aborted: `work` if it has already
 * settled (a page acknowledged before the deadline is still checkpointed after it), else ABORTED. Unset: `work`.
 */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | typeof ABORTED> {
  if (!signal) return work;
  // a settled promise's reaction is queued first, so it wins the race
  if (signal.aborted) return Promise.race([work, Promise.resolve(ABORTED)]);
  return new Promise<T | typeof ABORTED>((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
