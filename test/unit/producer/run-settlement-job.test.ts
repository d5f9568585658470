import { describe, expect, it } from 'vitest';
import type { SettlementPageReader, SettlementPublisher, SettlementSource } from '../../../src/application/settlement/ports.js';
import type { RunJobRequest } from '../../../src/application/settlement/run-settlement-job.js';
import type { Clock } from '../../../src/application/shared/log.js';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { SettleError } from '../../../src/domain/shared/settle-error.js';
import { rawSettlementPage } from '../../../src/infrastructure/toss/toss-settlements-client.js';
import { FakeJobs, FakePublisher, FakeReader, fakeJob, page, row, window, type Row } from './run-settlement-job-fakes.js';

const invalid = (n: number): Row => ({ ...row(n), payOutAmount: 1 });

/** The story of a run, in order, told by the fakes (run-settlement-job-fakes.ts). */
type Event = string;

const ticking = (): Clock => {
  let t = Date.parse('2025-02-10T00:00:00Z');
  return { now: () => new Date((t += 1000)) };
};

function setup(options: {
  pages: Row[][];
  resumeAfterPage?: number;
  readFailAt?: { page: number; error: unknown };
  publishFailAt?: number;
  refuse?: (s: Settlement) => boolean;
  onPage?: (page: number) => void;
}) {
  const events: Event[] = [];
  const reader = new FakeReader(events, options.pages, options.readFailAt, options.onPage);
  const jobs = new FakeJobs(events, options.resumeAfterPage);
  const publisher = new FakePublisher(events, options.refuse, options.publishFailAt);
  const job = fakeJob({ reader, source: reader, publisher, jobs, clock: ticking(), host: 'test' });
  const run = (req: Partial<RunJobRequest> = {}) => job.run({ window, pageSize: 3, ...req });
  return { events, reader, jobs, run };
}

describe('RunSettlementJob', () => {
  it('publishes each page, then checkpoints it, in page order, and completes at the short page once Toss confirms it (the page again, and the next one)', async () => {
    const { events, jobs, run } = setup({ pages: [page(1, 3), page(4, 3), page(7, 1)] });
    const summary = await run();
    expect(jobs.pageSizes).toEqual([3]); // the execution is claimed with its page size
    expect(events).toEqual([
      'start RUN',
      'read 1',
      'publish 1 3 exec 7',
      'checkpoint 1',
      'read 2',
      'publish 2 3 exec 7',
      'checkpoint 2',
      'read 3',
      'ask 3',
      'ask 4',
      'publish 3 1 exec 7',
      'checkpoint 3',
      'finish COMPLETED',
      'release',
    ]);
    expect(summary).toMatchObject({
      outcome: 'COMPLETED',
      instanceId: 3,
      executionId: 7,
      counts: { pages: 3, rowsFetched: 7, rowsPublished: 7, rowsRejected: 0 },
    });
    expect(jobs.checkpoints.map(({ counts }) => counts.rowsFetched)).toEqual([3, 6, 7]); // cumulative per execution
    expect(jobs.finished).toEqual({ status: 'COMPLETED', counts: summary.counts, error: null });
  });

  it('publishes rejected rows to the rejects topic before checkpointing, and counts them', async () => {
    const { events, jobs, run } = setup({ pages: [[row(1), invalid(2), row(3)], [invalid(4)]] });
    const summary = await run({ maxRejects: 5 });
    expect(events).toEqual([
      'start RUN',
      'read 1',
      'publish 1 2 exec 7',
      'rejects 1 T2',
      'checkpoint 1',
      'read 2',
      'ask 2',
      'ask 3',
      'publish 2 0 exec 7',
      'rejects 2 T4',
      'checkpoint 2',
      'finish COMPLETED',
      'release',
    ]);
    expect(jobs.checkpoints[0]?.cp).toMatchObject({ page: 1, rowsFetched: 3, rowsPublished: 2, rowsRejected: 1 });
    expect(summary.outcome).toBe('COMPLETED');
    expect(summary.counts).toEqual({ pages: 2, rowsFetched: 4, rowsPublished: 2, rowsRejected: 2 });
    expect(summary.rejectSample).toEqual([
      expect.objectContaining({ transactionKey: 'T2', field: 'payOutAmount' }),
      expect.objectContaining({ transactionKey: 'T4', field: 'payOutAmount' }),
    ]);
  });

  it('reports COMPLETED_WITH_REJECTS when rejects exceed --max-rejects (default 0)', async () => {
    expect((await setup({ pages: [[row(1), invalid(2)]] }).run()).outcome).toBe('COMPLETED_WITH_REJECTS');
    expect((await setup({ pages: [[row(1), invalid(2)]] }).run({ maxRejects: 1 })).outcome).toBe('COMPLETED');
  });

  it('rejects rows the publisher could not encode, with its reason, and does not count them as published', async () => {
    const { events, run } = setup({ pages: [[row(1), row(2)]], refuse: (s) => s.transactionKey === 'T2' });
    const summary = await run({ maxRejects: 1 });
    expect(events).toContain('rejects 1 T2');
    expect(summary.counts).toEqual({ pages: 1, rowsFetched: 2, rowsPublished: 1, rowsRejected: 1 });
    expect(summary.rejectSample).toEqual([{ transactionKey: 'T2', field: '(avro)', reason: 'does not fit' }]);
  });

  it('dry run reads and validates every page (and confirms the end the same way) but neither claims, publishes nor checkpoints', async () => {
    const { events, run } = setup({ pages: [page(1, 3), [row(4), invalid(5)]] });
    const summary = await run({ dryRun: true });
    expect(events).toEqual(['read 1', 'read 2', 'ask 2', 'ask 3']);
    expect(summary).toMatchObject({ outcome: 'DRY_RUN', executionId: null, counts: { pages: 2, rowsFetched: 5, rowsPublished: 0, rowsRejected: 1 } });
  });

  it('resumes after the page its predecessor checkpointed, re-reading that page only to compare the next one with it', async () => {
    const { reader, events, run } = setup({ pages: [page(1, 3), page(4, 3), page(7, 2)], resumeAfterPage: 2 });
    const summary = await run();
    expect(reader.startPage).toBe(2);
    expect(events).toEqual(['start RUN', 'read 2', 'read 3', 'ask 3', 'ask 4', 'publish 3 2 exec 7', 'checkpoint 3', 'finish COMPLETED', 'release']);
    expect(summary).toMatchObject({ resumedAfterPage: 2, counts: { pages: 1, rowsFetched: 2 } });
  });

  it('completes without publishing when the re-read last checkpoint is the window’s short last page (the predecessor died before finishing), once Toss confirms it', async () => {
    const { events, run } = setup({ pages: [page(1, 3), page(4, 2)], resumeAfterPage: 2 });
    const summary = await run();
    expect(events).toEqual(['start RUN', 'read 2', 'ask 2', 'ask 3', 'finish COMPLETED', 'release']);
    expect(summary).toMatchObject({ outcome: 'COMPLETED', resumedAfterPage: 2, counts: { pages: 0, rowsFetched: 0 } });
  });

  it('stops after checkpointing the page in hand when aborted, and finishes STOPPED', async () => {
    const abort = new AbortController();
    const { events, jobs, run } = setup({ pages: [page(1, 3), page(4, 3), page(7, 3), page(10, 1)], onPage: (p) => p === 2 && abort.abort('SIGTERM') });
    const summary = await run({ signal: abort.signal });
    expect(summary.outcome).toBe('STOPPED');
    expect(events).toEqual([
      'start RUN',
      'read 1',
      'publish 1 3 exec 7',
      'checkpoint 1',
      'read 2',
      'publish 2 3 exec 7',
      'checkpoint 2',
      'finish STOPPED',
      'release',
    ]);
    expect(jobs.finished?.error).toBe('stopped by signal');
  });

  it('aborted with the window’s short last page in hand: neither confirms nor publishes it, and finishes STOPPED (a rerun reads it again)', async () => {
    const abort = new AbortController();
    const { events, jobs, run } = setup({ pages: [page(1, 3), page(4, 3), page(7, 1)], onPage: (p) => p === 3 && abort.abort('SIGTERM') });
    const summary = await run({ signal: abort.signal });
    expect(summary).toMatchObject({ outcome: 'STOPPED', counts: { pages: 2, rowsFetched: 6 } });
    expect(events).toEqual([
      'start RUN',
      'read 1',
      'publish 1 3 exec 7',
      'checkpoint 1',
      'read 2',
      'publish 2 3 exec 7',
      'checkpoint 2',
      'read 3',
      'finish STOPPED',
      'release',
    ]);
    expect(jobs.finished?.status).toBe('STOPPED');
  });

  it('finishes STOPPED and says the rerun resumes when the abort interrupts a fetch', async () => {
    const abort = new AbortController();
    abort.abort('SIGTERM');
    const aborted = new SettleError('ABORTED', 'request aborted by shutdown');
    const { jobs, run } = setup({ pages: [page(1, 3)], readFailAt: { page: 1, error: aborted } });
    await expect(run({ signal: abort.signal })).rejects.toMatchObject({ code: 'JOB_STOPPED', category: 'transient', cause: aborted });
    expect(jobs.finished?.status).toBe('STOPPED');
  });

  it('records a failed page fetch as FAILED with the error and rethrows it, keeping earlier checkpoints', async () => {
    const error = new SettleError('TOSS_UNAVAILABLE', 'Toss answered 500', { details: { status: 500, tossCode: 'FAILED_INTERNAL_SYSTEM_PROCESSING' } });
    const { events, jobs, run } = setup({ pages: [page(1, 3), page(4, 3), page(7, 1)], readFailAt: { page: 2, error } });
    await expect(run()).rejects.toBe(error);
    expect(events).toEqual(['start RUN', 'read 1', 'publish 1 3 exec 7', 'checkpoint 1', 'finish FAILED', 'release']);
    expect(jobs.finished).toMatchObject({ status: 'FAILED', error: 'Toss answered 500', counts: { pages: 1, rowsFetched: 3 } });
  });

  it('never checkpoints a page whose publish failed', async () => {
    const { events, run } = setup({ pages: [page(1, 3), page(4, 3), page(7, 1)], publishFailAt: 2 });
    await expect(run()).rejects.toMatchObject({ code: 'KAFKA_PUBLISH_FAILED' });
    expect(events).toEqual(['start RUN', 'read 1', 'publish 1 3 exec 7', 'checkpoint 1', 'read 2', 'finish FAILED', 'release']);
  });

  it('passes the claim refusal through untouched (nothing read, nothing released twice)', async () => {
    const events: Event[] = [];
    const jobs = new FakeJobs(events);
    jobs.start = async () => {
      throw new SettleError('JOB_ALREADY_RUNNING', 'window is already running');
    };
    const reader = new FakeReader(events, [page(1, 3)]);
    const job = fakeJob({ reader, source: reader, publisher: new FakePublisher(events), jobs, clock: ticking() });
    await expect(job.run({ window, pageSize: 3 })).rejects.toMatchObject({ category: 'already-running' });
    expect(events).toEqual([]);
  });
});

describe('RunSettlementJob reads a page a part at a time', () => {
  /** Toss's pages of 3 rows handed out in parts of 2 and 1, telling when each part is parsed; page `broken`'s second part is not valid JSON. */
  function partedReader(events: Event[], data: Row[][], broken?: number): SettlementPageReader & SettlementSource {
    return {
      async *pages(_w, startPage) {
        for (let p = startPage; p <= data.length; p++) {
          const rows = data[p - 1] ?? [];
          const parts = function* (): Generator<unknown[]> {
            for (let i = 0; i < rows.length; i += 2) {
              events.push(`parse ${p}.${i / 2 + 1}`);
              if (p === broken && i > 0) throw new SettleError('TOSS_UNEXPECTED_BODY', `Toss settlement page ${p} is not valid JSON in rows 3-3`);
              const part = rows.slice(i, i + 2);
              handed.push(part);
              yield part;
            }
          };
          yield { page: p, count: rows.length, parts: parts() };
          if (rows.length < 3) return;
        }
      },
      fetchPage: async (_w, p) => data[p - 1] ?? [],
    };
  }
  const handed: unknown[][] = [];
  /** Page 1 of 3 rows, T1–T3, read in two parts, sent whole and checkpointed. */
  const firstPage = ['parse 1.1', 'add 1 T1,T2', 'parse 1.2', 'add 1 T3', 'send 1', 'checkpoint 1'];
  /** Tells `add P N` for each part added and `send P` when the page goes out. */
  const tellingPublisher = (events: Event[]): SettlementPublisher => ({
    page: (meta) => ({
      add: (rows) => void events.push(`add ${meta.page} ${rows.map((r) => r.transactionKey).join(',')}`),
      send: async () => {
        events.push(`send ${meta.page}`);
        return [];
      },
    }),
    publishRejects: async () => undefined,
  });

  it('adds each part to the outgoing page before the next is parsed, empties it, and sends the page once all parts passed the guard', async () => {
    const events: Event[] = [];
    handed.length = 0;
    const reader = partedReader(events, [page(1, 3), page(4, 2)]);
    const job = fakeJob({ reader, source: reader, publisher: tellingPublisher(events), jobs: new FakeJobs(events, 0, []) });
    await job.run({ window, pageSize: 3 });
    expect(events).toEqual([
      ...firstPage,
      'parse 2.1', // the short page: read whole, confirmed, then handed over
      'add 2 T4,T5',
      'send 2',
      'checkpoint 2',
      'finish COMPLETED',
    ]);
    // nothing of a full page's part is held once it is added (the short page is copied whole by allRows, and held until confirmed)
    expect(handed.map((part) => part.length)).toEqual([0, 0, 2]);
  });

  it('fails the run at a part that does not parse: nothing of that page is sent or checkpointed, the pages before it are', async () => {
    const events: Event[] = [];
    const jobs = new FakeJobs(events, 0, []);
    const reader = partedReader(events, [page(1, 3), page(4, 3), page(7, 1)], 2);
    const job = fakeJob({ reader, source: reader, publisher: tellingPublisher(events), jobs });
    await expect(job.run({ window, pageSize: 3 })).rejects.toMatchObject({ code: 'TOSS_UNEXPECTED_BODY' });
    expect(events).toEqual([...firstPage, 'parse 2.1', 'add 2 T4,T5', 'parse 2.2', 'finish FAILED']);
    expect(jobs.finished).toMatchObject({ status: 'FAILED', counts: { pages: 1, rowsFetched: 3 } });
  });

  it('refuses a page the guard stops only after reading all its parts, and sends nothing of it', async () => {
    const events: Event[] = [];
    const reader = partedReader(events, [page(1, 3), page(1, 3), page(7, 1)]);
    const job = fakeJob({ reader, source: reader, publisher: tellingPublisher(events), jobs: new FakeJobs(events, 0, []) });
    await expect(job.run({ window, pageSize: 3 })).rejects.toMatchObject({ code: 'TOSS_PAGE_REPEATED' });
    expect(events).toEqual([...firstPage, 'parse 2.1', 'add 2 T1,T2', 'parse 2.2', 'add 2 T3', 'finish FAILED']);
  });
});

describe('RunSettlementJob writes rows from the text Toss sent where the outgoing page can', () => {
  /** Pages of 3 rows as Toss's text (rawSettlementPage, as the Toss client hands them out): `parts` and `json`. */
  function textReader(data: string[], events?: Event[]): SettlementPageReader & SettlementSource {
    return {
      async *pages(_w, startPage) {
        for (let p = startPage; p <= data.length; p++) {
          const raw = rawSettlementPage(Buffer.from(data[p - 1] ?? '[]'), p, 2, () => events?.push(`release ${p}`));
          yield { page: p, count: raw.count, parts: raw.parts(), ...(raw.json ? { json: raw.json } : {}), release: raw.release };
          if (raw.count < 3) return;
        }
      },
      fetchPage: async (_w, p) => JSON.parse(data[p - 1] ?? '[]') as unknown[],
    };
  }
  /**
   * Tells `text P T` for a row it takes from its text (those whose transactionKey `takes` picks: a fake of the
   * accelerator, which must never take a row the general path would reject), `add P T…` for rows added, `send P`.
   */
  const textPublisher = (events: Event[], takes: (transactionKey: string) => boolean, withText = true): SettlementPublisher => ({
    page: (meta) => ({
      add: (rows) => void events.push(`add ${meta.page} ${rows.map((r) => r.transactionKey).join(',')}`),
      ...(withText
        ? {
            addJson: (text: Buffer, start: number, end: number) => {
              let key: string;
              try {
                key = (JSON.parse(text.toString('utf8', start, end)) as Row).transactionKey as string;
              } catch {
                return null; // not JSON: declined, as the accelerator declines what it cannot read
              }
              if (!takes(key)) return null;
              events.push(`text ${meta.page} ${key}`);
              return key;
            },
          }
        : {}),
      send: async () => {
        events.push(`send ${meta.page}`);
        return [];
      },
    }),
    publishRejects: async (rejects, meta) => void events.push(`rejects ${meta.page} ${rejects.map((r) => r.transactionKey).join(',')}`),
  });

  it("releases each page's text once, after its rows were written or added (its buffer may then take a later page)", async () => {
    const events: Event[] = [];
    const jobs = new FakeJobs(events, 0, []);
    const reader = textReader([JSON.stringify([row(1), row(2), row(3)]), JSON.stringify([row(4), row(5), row(6)]), JSON.stringify([row(7)])], events);
    const job = fakeJob({ reader, source: reader, publisher: textPublisher(events, (k) => k !== 'T5'), jobs });
    await job.run({ window, pageSize: 3 });
    for (const p of [1, 2, 3]) {
      const released = events.flatMap((e, i) => (e === `release ${p}` ? [i] : []));
      expect(released, `page ${p}`).toHaveLength(1);
      if (p === 3) continue; // the end page is read whole (parsed, to be confirmed) and released then; its rows are objects
      const read = events.flatMap((e, i) => (e.startsWith(`text ${p} `) || e.startsWith(`add ${p} `) ? [i] : []));
      expect(read.length, `page ${p}`).toBeGreaterThan(0);
      expect(Math.max(...read), `page ${p}`).toBeLessThan(released[0] as number);
    }
  });

  it('takes the rows the page writes from their text, and parses, validates and adds each other row in its place', async () => {
    const events: Event[] = [];
    const warnings: unknown[] = [];
    const jobs = new FakeJobs(events, 0, []);
    const unknown = { ...row(5), newTossField: 1 };
    const reader = textReader([JSON.stringify([row(1), row(2), invalid(3)]), JSON.stringify([row(4), unknown, row(6)]), JSON.stringify([row(7)])]);
    const log = { info() {}, error() {}, debug() {}, warn: (o: unknown) => void warnings.push(o) };
    const job = fakeJob({ reader, source: reader, publisher: textPublisher(events, (k) => ['T1', 'T4', 'T6', 'T7'].includes(k)), jobs, log });
    const summary = await job.run({ window, pageSize: 3 });
    expect(events).toEqual([
      'text 1 T1',
      'add 1 T2', // declined by the page: parsed and validated alone, added in its place
      'send 1', // T3 is rejected by the rules: the general path says why
      'rejects 1 T3',
      'checkpoint 1',
      'text 2 T4',
      'add 2 T5', // a field the shape does not know: kept in unknownFields by the general path
      'text 2 T6',
      'send 2',
      'checkpoint 2',
      'add 3 T7', // the short page is read whole (to be confirmed), so parsed
      'send 3',
      'checkpoint 3',
      'finish COMPLETED',
    ]);
    expect(summary.outcome).toBe('COMPLETED_WITH_REJECTS');
    // page 1 and page 2: the text path took 1 and 2 of 3 rows; only page 1 is mostly declined, told once
    expect(warnings.filter((w) => (w as { declined?: number }).declined !== undefined)).toEqual([{ page: 1, declined: 2, rows: 3 }]);
    expect(summary.counts).toMatchObject({ pages: 3, rowsFetched: 7, rowsPublished: 6, rowsRejected: 1 });
    expect(warnings).toContainEqual(expect.objectContaining({ field: 'newTossField', transactionKey: 'T5' }));
  });

  it('warns once a run when the text path declined most rows of a page (the rows are published the same)', async () => {
    const events: Event[] = [];
    const warnings: unknown[] = [];
    const log = { info() {}, error() {}, debug() {}, warn: (o: unknown) => void warnings.push(o) };
    const reader = textReader([JSON.stringify(page(1, 3)), JSON.stringify(page(4, 3)), '[]']);
    const job = fakeJob({ reader, source: reader, publisher: textPublisher(events, () => false), jobs: new FakeJobs(events, 0, []), log });
    expect((await job.run({ window, pageSize: 3 })).counts).toMatchObject({ rowsPublished: 6 });
    expect(warnings).toEqual([{ page: 1, declined: 3, rows: 3 }]);
  });

  it('reads the parts when the outgoing page cannot write rows from their text', async () => {
    const events: Event[] = [];
    const reader = textReader([JSON.stringify(page(1, 3)), '[]']);
    const job = fakeJob({ reader, source: reader, publisher: textPublisher(events, () => true, false), jobs: new FakeJobs(events, 0, []) });
    await job.run({ window, pageSize: 3 });
    expect(events.slice(0, 4)).toEqual(['add 1 T1,T2', 'add 1 T3', 'send 1', 'checkpoint 1']);
  });

  it('fails the page at a declined row that is not JSON, naming it; nothing of that page is sent', async () => {
    const events: Event[] = [];
    const jobs = new FakeJobs(events, 0, []);
    const body = `[${JSON.stringify(row(4))},{"transactionKey":"T5",},${JSON.stringify(row(6))}]`;
    const reader = textReader([JSON.stringify(page(1, 3)), body, JSON.stringify([row(7)])]);
    const job = fakeJob({ reader, source: reader, publisher: textPublisher(events, (k) => k !== 'T2'), jobs });
    await expect(job.run({ window, pageSize: 3 })).rejects.toMatchObject({
      code: 'TOSS_UNEXPECTED_BODY',
      message: 'Toss settlement page 2 is not valid JSON in row 2',
    });
    expect(events).toEqual(['text 1 T1', 'add 1 T2', 'text 1 T3', 'send 1', 'checkpoint 1', 'text 2 T4', 'finish FAILED']);
    expect(jobs.finished).toMatchObject({ status: 'FAILED', counts: { pages: 1, rowsFetched: 3 } });
  });
});
