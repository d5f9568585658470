import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TossRow } from '../support/settlement-row-generator.js';
import { fault, type RecordedRequest, type TossFault } from '../support/toss-fake.js';
import { BLOCK, withRows } from './support/dataset.js';
import { Scenario, waitFor } from './support/scenario.js';
import { createSuiteContext } from './support/suite.js';

type Ctx = Awaited<ReturnType<typeof createSuiteContext>>;
type Script = Record<number, TossFault[]>;

/** The fake's outcome for a scripted fault: the status, or the fault's kind. */
const outcomeOf = (f: TossFault): string => (f.kind === 'status' ? String(f.status) : f.kind);

/** The fault count per outcome a script plays when each page recovers on the attempt after its last fault. */
function scriptCounts(script: Script): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const faults of Object.values(script)) for (const f of faults) counts[outcomeOf(f)] = (counts[outcomeOf(f)] ?? 0) + 1;
  return counts;
}

/**
 * Every scripted fault was played on its page and attempt, and the attempt after the last fault got the page
 * (200): the producer retried each fault and recovered. Returns the requests of each faulty page in order.
 */
function expectPlayed(requests: readonly RecordedRequest[], script: Script): Map<number, RecordedRequest[]> {
  const byPage = new Map<number, RecordedRequest[]>();
  for (const [page, faults] of Object.entries(script).map(([p, f]) => [Number(p), f] as const)) {
    const attempts = requests.filter((r) => r.page === page);
    expect(
      attempts.map((r) => r.outcome),
      `page ${page}: the outcome of each attempt`,
    ).toEqual([...faults.map(outcomeOf), '200']);
    expect(attempts.map((r) => r.attempt)).toEqual(attempts.map((_, i) => i + 1));
    byPage.set(page, attempts);
  }
  return byPage;
}

/** The `retrying settlement page` warnings of the scenario's settle runs: page, attempt that failed, and why. */
function retryLines(s: Scenario): Array<{ page: number; attempt: number; err: string }> {
  return s.runs
    .flatMap((r) => r.stderr.split('\n'))
    .filter((l) => l.includes('"retrying settlement page"'))
    .map((l) => JSON.parse(l) as { page: number; attempt: number; err: string });
}

/** The `retrying settlement page` warnings the scenario's settle runs logged so far. */
const retryWarnings = (s: Scenario): number => s.runs.reduce((n, r) => n + (r.stderr.match(/retrying settlement page/g)?.length ?? 0), 0);

/** `after - before` per outcome, outcomes that did not change left out. */
function played(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(after).flatMap(([k, v]) => (v - (before[k] ?? 0) > 0 ? [[k, v - (before[k] ?? 0)]] : [])));
}

/**
 * Runs produce with `script` playing on the suite's Toss while a consumer loads, until produce completes, and
 * checks the faults were all played and retried. Returns the produce exit codes and the window's requests.
 */
async function produceThrough(
  s: Scenario,
  ctx: Ctx,
  script: Script,
  over: Record<string, string> = {},
): Promise<{ codes: number[]; requests: RecordedRequest[] }> {
  const before = ctx.toss.outcomes();
  const from = ctx.pageRequests().length;
  ctx.toss.setFaults(script);
  s.startConsumer();
  const codes = await s.produceUntilDone(over);
  ctx.toss.setFaults({});
  const requests = ctx.pageRequests().slice(from);
  const faults = scriptCounts(script);
  const counts = played(before, ctx.toss.outcomes());
  for (const [outcome, n] of Object.entries(faults)) expect(counts[outcome], `${outcome} played`).toBe(n);
  expect(retryWarnings(s), 'one retry logged per fault').toBe(Object.values(faults).reduce((a, n) => a + n, 0));
  return { codes, requests };
}

describe('faults 7: Toss misbehaving during produce', () => {
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await createSuiteContext();
  });
  afterAll(async () => ctx?.close());

  it('7a: 429 bursts with Retry-After and 500s: retried, the run completes in one go', async () => {
    const s = new Scenario('7a Toss 429 bursts + 500s', ctx);
    await s.setup();
    const burst = [fault.tooManyRequests(1), fault.tooManyRequests(1), fault.tooManyRequests(1)];
    const script: Script = {
      // four pages fetched at once all throttled three times in a row: a burst
      5: burst,
      6: burst,
      7: burst,
      8: burst,
      // a longer Retry-After than any backoff the first retries would wait
      15: [fault.tooManyRequests(3), fault.tooManyRequests(2)],
      25: [fault.serverError(), fault.serverError(), fault.serverError()],
      26: [fault.serverError(), fault.serverError()],
      40: [fault.serverError(), fault.tooManyRequests(1), fault.serverError()],
    };
    const { codes, requests } = await produceThrough(s, ctx, script);
    expect(codes).toEqual([0]);
    // Retry-After honoured: the next attempt came no sooner than the seconds Toss asked for
    for (const [page, attempts] of expectPlayed(requests, script))
      attempts.forEach((r, i) => {
        const f = script[page]?.[i];
        const next = attempts[i + 1];
        if (f?.kind === 'status' && f.retryAfter !== undefined && next)
          expect(next.at - (r.answeredAt ?? r.at), `page ${page} attempt ${i + 2} after Retry-After ${f.retryAfter}`).toBeGreaterThanOrEqual(
            Number(f.retryAfter) * 1000 - 5,
          );
      });
    s.note('429 x3 on pages 5-8 at once (Retry-After 1 s), 429 x2 on page 15 (Retry-After 3 s, 2 s), 500 x5 on pages 25-26, 500/429/500 on page 40');
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    const result = await s.finish(`produce exits ${codes.join(',')}; Retry-After honoured`);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });

  it('7b: answers slower than TOSS_TIMEOUT_MS and connection resets: timed out, retried, completes in one go', async () => {
    const s = new Scenario('7b Toss slow > timeout + resets', ctx);
    await s.setup();
    const timeoutMs = Number(s.env().TOSS_TIMEOUT_MS);
    const slowMs = 4 * timeoutMs;
    const script: Script = {
      10: [fault.slow(slowMs), fault.slow(slowMs)],
      20: [fault.reset(), fault.reset(), fault.reset()],
      21: [fault.reset()],
      33: [fault.slow(slowMs), fault.reset()],
    };
    const { codes, requests } = await produceThrough(s, ctx, script);
    expect(codes).toEqual([0]);
    // a slow page is abandoned at the client's own deadline, not waited out: the process says its deadline ended the
    // attempt, and the next attempt came before the fake had sent the slow answer (an order of events, not a duration)
    const retries = retryLines(s);
    for (const [page, attempts] of expectPlayed(requests, script))
      attempts.forEach((r, i) => {
        const next = attempts[i + 1];
        if (r.outcome === 'slow' && next) {
          const retry = retries.find((l) => l.page === page && l.attempt === i + 1);
          expect(retry?.err, `page ${page}: attempt ${i + 1} ended by the client's deadline`).toContain(`within ${timeoutMs} ms`);
          expect(r.answeredAt === null || next.at < r.answeredAt, `page ${page}: attempt ${i + 2} before the slow answer was sent`).toBe(true);
        }
      });
    s.note(`slow ${slowMs / 1000} s (timeout ${timeoutMs / 1000} s) x2 on page 10, reset x3 on page 20, reset on 21, slow then reset on 33`);
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    const result = await s.finish(`produce exits ${codes.join(',')}`);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });

  it('7c: a body cut short (Content-Length not met) and a complete response holding half the JSON: fetched again', async () => {
    const s = new Scenario('7c Toss truncated + half JSON', ctx);
    await s.setup();
    const script: Script = {
      12: [fault.truncated(), fault.truncated()],
      22: [fault.halfJson()],
      41: [fault.truncated(), fault.halfJson(), fault.reset()],
    };
    const { codes, requests } = await produceThrough(s, ctx, script);
    expect(codes).toEqual([0]);
    expectPlayed(requests, script);
    s.note('truncated body x2 on page 12, half JSON on page 22, truncated/half JSON/reset on page 41');
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    const result = await s.finish(`produce exits ${codes.join(',')}`);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });

  it('7d: 500s past TOSS_MAX_RETRIES: the run fails with exit 4 after checkpointing what it had, a rerun resumes and completes', async () => {
    const s = new Scenario('7d Toss 500s past max retries, rerun', ctx, { reruns: 1 });
    await s.setup();
    const page = 30;
    const script: Script = { [page]: [fault.serverError(), fault.serverError(), fault.serverError()] };
    const before = ctx.toss.outcomes();
    const from = ctx.pageRequests().length;
    ctx.toss.setFaults(script);
    s.startConsumer();
    const over = { TOSS_MAX_RETRIES: '2' };
    const first = await s.settle(s.produceArgs(), over);
    expect(first.code, first.stderr.slice(-2000)).toBe(4);
    expect(first.stderr).toContain('FAILED_INTERNAL_SYSTEM_PROCESSING');
    const rerunFrom = ctx.pageRequests().length;
    const second = await s.settle(s.produceArgs(), over);
    expect(second.code, second.stderr.slice(-2000)).toBe(0);
    ctx.toss.setFaults({});
    expect(played(before, ctx.toss.outcomes())['500']).toBe(3);
    expect(retryWarnings(s)).toBe(2);
    const requests = ctx.pageRequests();
    expect(
      requests
        .slice(from, rerunFrom)
        .filter((r) => r.page === page)
        .map((r) => r.outcome),
    ).toEqual(['500', '500', '500']);
    // the rerun resumed: it re-read its last checkpointed page (just before the failed one) and never page 1
    const rerun = requests.slice(rerunFrom);
    const resumedAt = Math.min(...rerun.map((r) => r.page));
    expect(resumedAt).toBeGreaterThan(1);
    expect(resumedAt).toBeLessThan(page);
    expect(rerun.find((r) => r.page === page)?.outcome).toBe('200');
    const executions = await s.query<{ id: number; status: string; resumed_from: number | null; rows_published: number }>(
      'SELECT id, status, resumed_from, rows_published FROM job_executions ORDER BY id',
    );
    expect(executions.map((e) => e.status)).toEqual(['FAILED', 'COMPLETED']);
    expect(executions[1]?.resumed_from).toBe(executions[0]?.id);
    expect(Number(executions[0]?.rows_published)).toBe(resumedAt * ctx.pageSize);
    s.note(`500 x3 on page ${page} with TOSS_MAX_RETRIES=2 (exit 4; the rerun resumed after page ${resumedAt})`);
    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    const result = await s.finish(`produce exits ${first.code},${second.code}`);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });
});

describe('faults 7e: a page whose content changes between retries', () => {
  // its own Toss: the late row stays in the window for good
  let ctx: Ctx;
  beforeAll(async () => {
    ctx = await createSuiteContext();
  });
  afterAll(async () => ctx?.close());

  it('7e: page k answers 500, a late row lands on it before the retry while k+1..k+3 were already fetched: the boundary row is skipped, reconcile names it, a replay loads it', async () => {
    const s = new Scenario('7e page changes between retries (late row)', ctx);
    await s.setup();
    const { dataset, pageSize } = ctx;
    const concurrency = 4;
    const k = 20;
    // the late row: a row of the block it lands in, under a key of its own, in the middle of page k
    const at = (k - 1) * pageSize + pageSize / 2;
    const late = dataset.rekeyed(Math.floor(at / BLOCK), 'L000')[at % BLOCK] as TossRow;
    const rowAt = (i: number) => dataset.block(Math.floor(i / BLOCK))[i % BLOCK] as TossRow;
    const boundary = rowAt(k * pageSize - 1); // page k's last row, pushed onto page k+1
    const twice = rowAt((k + concurrency - 1) * pageSize - 1); // the last prefetched page's last row, also first on the next

    ctx.toss.setFaults({ [k]: [fault.serverError()] });
    const held = ctx.toss.hold(k);
    s.startConsumer();
    const producing = s.produceUntilDone({ TOSS_CONCURRENCY: String(concurrency) });
    await held;
    const prefetched = Array.from({ length: concurrency - 1 }, (_, i) => k + 1 + i);
    await waitFor(`pages ${prefetched.join(', ')} answered while page ${k} waits`, () =>
      prefetched.every((p) => ctx.pageRequests().some((r) => r.page === p && r.outcome === '200')),
    );
    ctx.toss.insertLateRow(at, late);
    ctx.toss.release();
    const codes = await producing;
    expect(codes).toEqual([0]);
    ctx.toss.setFaults({});
    const onK = ctx.pageRequests().filter((r) => r.page === k);
    expect(onK.map((r) => r.outcome)).toEqual(['500', '200']);
    // nothing past the prefetched pages was asked for before page k's retry was answered: those pages are the shifted ones
    const retryAnswered = onK[1]?.answeredAt ?? 0;
    expect(ctx.pageRequests().filter((r) => r.page > k + concurrency - 1 && r.at < retryAnswered)).toEqual([]);
    s.expected = withRows(ctx.expected, [late]);
    s.note(`500 on page ${k}, then a late row at position ${at} (pages ${prefetched.join('-')} already fetched)`);

    await waitFor('the consumer to catch up', () => s.caughtUp(), 600_000, 500);
    const keyCount = async (key: string) =>
      Number((await s.query<{ n: number }>('SELECT COUNT(*) AS n FROM settlements WHERE transaction_key = ?', [key]))[0]?.n);
    expect(await keyCount(late.transactionKey as string)).toBe(1);
    expect(await keyCount(twice.transactionKey as string)).toBe(1); // published twice, stored once
    expect(await keyCount(boundary.transactionKey as string)).toBe(0); // skipped by the pager

    const window = ['--from', dataset.from, '--to', dataset.to];
    const mismatch = await s.settle(['reconcile', ...window, '--json']);
    expect(mismatch.code, mismatch.stderr.slice(-2000)).toBe(3);
    const report = JSON.parse(mismatch.stdout.trim().split('\n').at(-1) ?? '{}') as {
      status: string;
      differences: Record<'kafka' | 'mysql', Record<'missing' | 'extra' | 'changed', { count: number; keys: string[] }>>;
    };
    expect(report.status).toBe('MISMATCH');
    for (const side of ['kafka', 'mysql'] as const) {
      expect(report.differences[side].missing).toEqual({ count: 1, keys: [boundary.transactionKey] });
      expect(report.differences[side].extra.count).toBe(0);
      expect(report.differences[side].changed.count).toBe(0);
    }

    const replay = await s.settle(['replay', ...window, '--yes', '--json']);
    expect(replay.code, replay.stderr.slice(-2000)).toBe(0);
    const replayed = JSON.parse(replay.stdout.trim().split('\n').at(-1) ?? '{}') as { summary: { outcome: string }; changes: { new: number; changed: number } };
    expect(replayed.summary.outcome).toBe('COMPLETED');
    expect(replayed.changes).toMatchObject({ new: 1, changed: 0 });
    await waitFor('the consumer to load the replay', () => s.caughtUp(), 600_000, 500);
    expect(await keyCount(boundary.transactionKey as string)).toBe(1);
    const result = await s.finish(`produce exits ${codes.join(',')}; reconcile exit 3 named the skipped row, replay exit 0 loaded it`);
    expect(result).toMatchObject({ lost: 0, duplicated: 0, differing: 0, result: 'PASS' });
  });
});
