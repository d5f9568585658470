import { afterEach, describe, expect, it } from 'vitest';
import { fault, gate, startFastTossFake, startTossFake, tossPages, type TossFake, type TossRowSource } from '../../support/toss-fake.js';

/**
 * The one Toss fake (test/support/toss-fake.ts) as its three users drive it: the tests' rows, the fault suite's
 * source with holds and changing pages, the benches' fast path.
 */
const secretKey = 'test_sk_fake';
const auth = `Basic ${Buffer.from(`${secretKey}:`).toString('base64')}`;
const fakes: TossFake[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()));
});
const started = async <T extends TossFake>(fake: Promise<T>): Promise<T> => {
  const f = await fake;
  fakes.push(f);
  return f;
};

const get = async (fake: TossFake, query: Record<string, string | number>, authorization: string | null = auth) => {
  const res = await fetch(`${fake.url}/v1/settlements?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`, {
    headers: authorization === null ? {} : { authorization },
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), text: await res.text() };
};
const WINDOW = { startDate: '2025-02-03', endDate: '2025-02-03' };
const page = async (fake: TossFake, p: number, size: number) => JSON.parse((await get(fake, { ...WINDOW, page: p, size })).text) as unknown[];

/** A window of `n` rows named r0 … r(n-1), the 2025-02-03 window only. */
const named =
  (n: number): TossRowSource =>
  ({ startDate, endDate }) =>
    startDate === WINDOW.startDate && endDate === WINDOW.endDate
      ? { count: n, range: (from, to) => Array.from({ length: Math.max(0, Math.min(to, n) - from) }, (_, i) => `r${from + i}`) }
      : null;

describe('the Toss fake over rows', () => {
  const rows = [
    { transactionKey: 'a', soldDate: '2025-02-03', paidOutDate: '2025-02-07' },
    { transactionKey: 'b', soldDate: '2025-02-03', paidOutDate: '2025-02-08' },
    { transactionKey: 'c', soldDate: '2025-02-04', paidOutDate: '2025-02-07' },
  ];

  it('pages the rows of the window on the date type asked for, and answers auth and query errors as Toss does', async () => {
    const fake = await started(startTossFake({ rows, secretKey }));
    expect(await page(fake, 1, 1)).toEqual([rows[0]]);
    expect(await page(fake, 2, 1)).toEqual([rows[1]]);
    expect(await page(fake, 3, 1)).toEqual([]);
    const paidOut = await get(fake, { startDate: '2025-02-07', endDate: '2025-02-07', dateType: 'paidOutDate', page: 1, size: 10 });
    expect(JSON.parse(paidOut.text)).toEqual([rows[0], rows[2]]);
    expect((await get(fake, { ...WINDOW, page: 1, size: 1 }, null)).status).toBe(401);
    expect((await get(fake, { ...WINDOW, page: 1, size: 1 }, `Basic ${Buffer.from(secretKey).toString('base64')}`)).status).toBe(403);
    expect((await get(fake, { startDate: '2025-2-3', endDate: '2025-02-03' })).status).toBe(400);
    expect(JSON.parse((await get(fake, { ...WINDOW, size: 5001 })).text)).toMatchObject({ code: 'EXCEED_MAX_QUERY_LIMIT' });
    expect(fake.requests.map((r) => r.outcome)).toEqual(['200', '200', '200', '200', '401', '403', '400', '400']);
    expect(fake.requests.every((r) => r.answeredAt !== null && r.answeredAt >= r.at)).toBe(true);
    expect(fake.outcomes()).toEqual({ '200': 4, '401': 1, '403': 1, '400': 2 });
    expect(fake.firstRequestAt()).not.toBeNull();
  });

  it('plays a script of faults per page and attempt, and counts attempts again after setFaults', async () => {
    const fake = await started(
      startTossFake({ rows, secretKey, faults: { 1: [fault.tooManyRequests(2), fault.serverError(), null, fault.rows([{ x: 1 }])] } }),
    );
    const first = await get(fake, { ...WINDOW, page: 1, size: 1 });
    expect([first.status, first.retryAfter, JSON.parse(first.text)]).toEqual([429, '2', expect.objectContaining({ code: 'TOO_MANY_REQUESTS' })]);
    expect((await get(fake, { ...WINDOW, page: 1, size: 1 })).status).toBe(500);
    expect(await page(fake, 1, 1)).toEqual([rows[0]]);
    expect(await page(fake, 1, 1)).toEqual([{ x: 1 }]);
    expect(await page(fake, 1, 1)).toEqual([rows[0]]);
    expect(fake.requestsFor(1).map((r) => [r.attempt, r.outcome])).toEqual([
      [1, '429'],
      [2, '500'],
      [3, '200'],
      [4, '200'],
      [5, '200'],
    ]);
    fake.setFaults({ 1: [fault.halfJson()] });
    const half = await get(fake, { ...WINDOW, page: 1, size: 2 });
    expect(half.status).toBe(200);
    expect(half.text).toBe(JSON.stringify([rows[0], rows[1]]).slice(0, Math.floor(JSON.stringify([rows[0], rows[1]]).length / 2)));
    expect(fake.requests.at(-1)).toMatchObject({ attempt: 1, outcome: 'half-json' });
  });

  it('cuts a body short, resets a connection, answers a slow page late, and holds a page at a gate', async () => {
    const g = gate();
    const fake = await started(startTossFake({ rows, secretKey, faults: { 1: [fault.truncated(), fault.reset(), fault.slow(50), fault.hold(g)] } }));
    await expect(get(fake, { ...WINDOW, page: 1, size: 2 })).rejects.toThrow();
    await expect(get(fake, { ...WINDOW, page: 1, size: 2 })).rejects.toThrow();
    expect(await page(fake, 1, 2)).toEqual([rows[0], rows[1]]);
    const held = page(fake, 1, 2);
    const reached = await g.reached;
    expect(reached).toMatchObject({ page: 1, attempt: 4, outcome: 'hold', answeredAt: null });
    g.open();
    expect(await held).toEqual([rows[0], rows[1]]);
    expect(fake.requestsFor(1).map((r) => r.outcome)).toEqual(['truncated', 'reset', 'slow', 'hold']);
    const slow = fake.requestsFor(1)[2];
    expect(slow?.answeredAt).not.toBeNull();
  });
});

describe('the Toss fake over a source (the fault suite)', () => {
  it('answers [] for a window the source does not hold', async () => {
    const fake = await started(startTossFake({ source: named(10), secretKey }));
    expect(JSON.parse((await get(fake, { startDate: '2025-02-04', endDate: '2025-02-04', page: 1, size: 4 })).text)).toEqual([]);
    expect(await page(fake, 3, 4)).toEqual(['r8', 'r9']);
  });

  it('a late row shifts the rows after it by one; rows added at the end follow the last row', async () => {
    const fake = await started(startTossFake({ source: named(10), secretKey }));
    fake.insertLateRow(5, 'L');
    const pages = async (n: number) => Promise.all(Array.from({ length: n }, (_, i) => page(fake, i + 1, 4)));
    expect(await pages(4)).toEqual([['r0', 'r1', 'r2', 'r3'], ['r4', 'L', 'r5', 'r6'], ['r7', 'r8', 'r9'], []]);
    fake.appendRows(['a0', 'a1', 'a2', 'a3', 'a4']);
    expect(await pages(5)).toEqual([['r0', 'r1', 'r2', 'r3'], ['r4', 'L', 'r5', 'r6'], ['r7', 'r8', 'r9', 'a0'], ['a1', 'a2', 'a3', 'a4'], []]);
    // a late row before a page's start: the page starts one row earlier
    fake.insertLateRow(1, 'L');
    expect(await page(fake, 2, 4)).toEqual(['r3', 'r4', 'r5', 'r6']);
    // another window stays empty
    expect(JSON.parse((await get(fake, { startDate: '2025-02-04', endDate: '2025-02-04', page: 1, size: 4 })).text)).toEqual([]);
  });

  it('holds a page until release, then plays that attempt’s fault: the held request is attempt 1', async () => {
    const fake = await started(startTossFake({ source: named(10), secretKey, faults: { 2: [fault.serverError()] } }));
    const held = fake.hold(2);
    const answer = get(fake, { ...WINDOW, page: 2, size: 4 });
    expect(await held).toMatchObject({ page: 2, attempt: 1, outcome: '' });
    expect(await page(fake, 1, 4)).toEqual(['r0', 'r1', 'r2', 'r3']);
    fake.insertLateRow(4, 'L');
    fake.release();
    expect((await answer).status).toBe(500);
    expect(await page(fake, 2, 4)).toEqual(['L', 'r4', 'r5', 'r6']);
    expect(fake.requestsFor(2).map((r) => [r.attempt, r.outcome])).toEqual([
      [1, '500'],
      [2, '200'],
    ]);
    expect(fake.outcomes()).toEqual({ '200': 2, '500': 1 });
  });
});

describe('the Toss fake over ready pages (the benches)', () => {
  it('serves the pages of tossPages, only in their size, and changes no rows', async () => {
    const options = { rows: 25, pageSize: 10, soldDate: '2025-02-03' };
    const fake = await started(startFastTossFake({ ...options, secretKey }));
    const pages = tossPages(options);
    expect(fake.pages).toBe(3);
    for (const p of [1, 2, 3, 4]) expect((await get(fake, { ...WINDOW, page: p, size: 10 })).text).toBe(pages.body(p).toString());
    expect(await page(fake, 3, 10)).toHaveLength(5);
    expect(JSON.parse((await get(fake, { ...WINDOW, page: 1, size: 20 })).text)).toMatchObject({ code: 'INVALID_REQUEST' });
    expect((await get(fake, { ...WINDOW, page: 1, size: 10 }, null)).status).toBe(401);
    expect(fake.requests).toHaveLength(7);
    expect(() => fake.insertLateRow(0, {})).toThrow(/fast path/);
    fake.setFaults({ 1: [fault.serverError()] });
    expect((await get(fake, { ...WINDOW, page: 1, size: 10 })).status).toBe(500);
  });

  it('reuses a page body only once it is written: pages fetched many at a time each read as made fresh', async () => {
    const options = { rows: 2_000, pageSize: 100, soldDate: '2025-02-03', realisticKeys: true };
    const fake = await started(startFastTossFake({ ...options, secretKey }));
    const fresh = tossPages(options);
    for (let round = 0; round < 3; round++) {
      const texts = await Promise.all(Array.from({ length: 20 }, (_, p) => get(fake, { ...WINDOW, page: p + 1, size: 100 })));
      texts.forEach((t, p) => expect(t.text).toBe(fresh.body(p + 1).toString()));
    }
  });
});
