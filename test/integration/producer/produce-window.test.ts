import { describe, expect, it } from 'vitest';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { HEADER_EXECUTION_ID, HEADER_PAGE } from '../../../src/infrastructure/kafka/kafka-settlement-publisher.js';
import { readRejects, readSettlements } from '../../support/producer-kafka.js';
import { expectedRecord, wireTestJob } from '../../support/producer-job.js';
import { fault, generateSettlementRows, startTossFake, type TossRow } from '../../support/toss-fake.js';
import { producerFixture } from '../../support/producer-fixture.js';

const { secretKey, topic, db } = producerFixture('settle.it.window');

interface CheckpointRow {
  page: number;
  rows_fetched: number;
  rows_published: number;
  rows_rejected: number;
}

describe('settlement job against a misbehaving Toss', () => {
  it('publishes every row of a 12,345-row window exactly as Toss returned it through 429s, 500s, timeouts, truncated bodies and resets, and rejects invalid rows with a reason', async () => {
    const rows = generateSettlementRows({ count: 12_345, from: '2025-02-03', days: 5, seed: 7 });
    const missingKey = rows[10] as TossRow;
    delete missingKey.paymentKey;
    (rows[5_000] as TossRow).payOutAmount = 1;
    // a nested field of the wrong kind: named at the processor (it once passed it and was refused by the Avro schema)
    const unfit = rows[9_001] as TossRow;
    unfit.card = { ...(unfit.card as TossRow), issuerCode: null };
    const rejectedKeys = new Map([
      [missingKey.transactionKey as string, 'paymentKey'],
      [(rows[5_000] as TossRow).transactionKey as string, 'payOutAmount'],
      [unfit.transactionKey as string, 'card.issuerCode'],
    ]);
    const fake = await startTossFake({
      rows,
      secretKey,
      faults: {
        2: [fault.tooManyRequests(1)],
        3: [fault.serverError(), fault.serverError()],
        4: [fault.slow(2_500)],
        5: [fault.truncated()],
        6: [fault.halfJson()],
        7: [fault.reset()],
      },
    });
    const wired = await wireTestJob({ tossUrl: fake.url, secretKey, topic, databaseUrl: db.url, concurrency: 3, maxRetries: 3, timeoutMs: 1000 });
    try {
      const window = settlementWindow('2025-02-03', '2025-02-07');
      const summary = await wired.job.run({ window, pageSize: 1000, maxRejects: 3 });

      expect(summary).toMatchObject({ outcome: 'COMPLETED', counts: { pages: 13, rowsFetched: 12_345, rowsPublished: 12_342, rowsRejected: 3 } });
      const executionId = String(summary.executionId);

      // every valid row exactly once, equal to what Toss sent after the processor's normalization
      const records = (await readSettlements(topic)).filter((r) => r.headers[HEADER_EXECUTION_ID] === executionId);
      const byKey = new Map(records.map((r) => [r.value.transactionKey, r]));
      expect(records).toHaveLength(12_342);
      expect(byKey.size).toBe(12_342);
      rows.forEach((raw, i) => {
        const key = raw.transactionKey as string;
        if (rejectedKeys.has(key)) return void expect(byKey.has(key)).toBe(false);
        const record = byKey.get(key);
        expect(record?.value, `row ${i}`).toEqual(expectedRecord(raw));
        expect(record?.key).toBe(raw.paymentKey);
        expect(record?.headers[HEADER_PAGE]).toBe(String(Math.floor(i / 1000) + 1));
      });

      // every invalid row visibly rejected, with its reason and the row as Toss sent it
      const rejects = (await readRejects(topic)).filter((r) => r.headers[HEADER_EXECUTION_ID] === executionId);
      expect(new Map(rejects.map((r) => [r.key, r.value.field]))).toEqual(rejectedKeys);
      for (const r of rejects) {
        expect(r.value.reason.length).toBeGreaterThan(5);
        expect(r.value.row).toEqual(rows.find((x) => x.transactionKey === r.key));
      }

      // checkpoints strictly in page order, matching what was fetched
      expect(wired.checkpoints.map((c) => c.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
      const stored = await db.query<CheckpointRow>(
        'SELECT page, rows_fetched, rows_published, rows_rejected FROM job_page_checkpoints WHERE execution_id = ? ORDER BY checkpointed_at, page',
        [summary.executionId],
      );
      expect(stored.map((c) => c.page)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
      expect(stored.map((c) => c.rows_fetched)).toEqual([...Array(12).fill(1000), 345]);
      expect(stored.reduce((n, c) => n + c.rows_rejected, 0)).toBe(3);
      const [execution] = await db.query<Record<string, unknown>>(
        'SELECT status, last_page, pages, rows_fetched, rows_published, rows_rejected, last_error FROM job_executions WHERE id = ?',
        [summary.executionId],
      );
      expect(execution).toEqual({
        status: 'COMPLETED',
        last_page: 13,
        pages: 13,
        rows_fetched: 12_345,
        rows_published: 12_342,
        rows_rejected: 3,
        last_error: null,
      });

      // each fault cost exactly its retries; Retry-After was honoured; the request was Toss-shaped
      const attempts = (page: number) => fake.requestsFor(page).map((r) => r.outcome);
      expect(attempts(2)).toEqual(['429', '200']);
      expect(attempts(3)).toEqual(['500', '500', '200']);
      expect(attempts(4)).toEqual(['slow', '200']);
      expect(attempts(5)).toEqual(['truncated', '200']);
      expect(attempts(6)).toEqual(['half-json', '200']);
      expect(attempts(7)).toEqual(['reset', '200']);
      const [first429, retry429] = fake.requestsFor(2);
      expect((retry429?.at ?? 0) - (first429?.at ?? 0)).toBeGreaterThanOrEqual(950);
      expect(Math.max(...fake.requests.map((r) => r.page))).toBeLessThanOrEqual(13 + 2); // look-ahead ≤ concurrency − 1
      for (const r of fake.requests) {
        expect(Buffer.from((r.authorization ?? '').replace(/^Basic /, ''), 'base64').toString()).toBe(`${secretKey}:`);
        expect(r.query).toMatchObject({ startDate: '2025-02-03', endDate: '2025-02-07', dateType: 'soldDate', size: '1000' });
      }
    } finally {
      await wired.close();
      await fake.close();
    }
  });

  it('ends the window at the first short page when Toss confirms it: the page asked again is the same and the next page is empty', async () => {
    const rows = generateSettlementRows({ count: 50, from: '2025-03-04', seed: 11 });
    // Toss pages over live data: page 3 comes back short, again when asked a second time, and page 4 is empty
    const short = fault.rows(rows.slice(20, 25));
    const fake = await startTossFake({ rows, secretKey, faults: { 3: [short, short], 4: [fault.rows([])] } });
    const wired = await wireTestJob({ tossUrl: fake.url, secretKey, topic, databaseUrl: db.url, concurrency: 1 });
    try {
      const summary = await wired.job.run({ window: settlementWindow('2025-03-04', '2025-03-04'), pageSize: 10 });
      expect(summary).toMatchObject({ outcome: 'COMPLETED', counts: { pages: 3, rowsFetched: 25, rowsPublished: 25 } });
      expect(wired.checkpoints.map((c) => c.page)).toEqual([1, 2, 3]);
      // pages 1–3, then the 2 confirming requests: page 3 again and page 4
      expect(fake.requests.map((r) => r.page)).toEqual([1, 2, 3, 3, 4]);
      const published = (await readSettlements(topic)).filter((r) => r.headers[HEADER_EXECUTION_ID] === String(summary.executionId));
      expect(published.map((r) => r.value.transactionKey).sort()).toEqual(
        rows
          .slice(0, 25)
          .map((r) => r.transactionKey as string)
          .sort(),
      );
    } finally {
      await wired.close();
      await fake.close();
    }
  });

  it('does not end the window at a short page Toss answers in full when asked again: TOSS_PAGE_CHANGED (exit 3), pages 1–2 checkpointed, the execution FAILED', async () => {
    const rows = generateSettlementRows({ count: 50, from: '2025-03-05', seed: 12 });
    // a glitch: page 3 comes back short once; asked again, Toss answers the full page
    const fake = await startTossFake({ rows, secretKey, faults: { 3: [fault.rows(rows.slice(20, 25))] } });
    const wired = await wireTestJob({ tossUrl: fake.url, secretKey, topic, databaseUrl: db.url, concurrency: 1 });
    try {
      const error = await wired.job.run({ window: settlementWindow('2025-03-05', '2025-03-05'), pageSize: 10 }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'TOSS_PAGE_CHANGED', category: 'data', details: { page: 3, rows: 5, rowsAgain: 10 } });
      expect(wired.checkpoints.map((c) => c.page)).toEqual([1, 2]);
      // pages 1–3, then page 3 again (1 confirming request: page 4 is not asked once page 3 differs)
      expect(fake.requests.map((r) => r.page)).toEqual([1, 2, 3, 3]);
      const [execution] = await db.query<Record<string, unknown>>(
        "SELECT e.status, e.last_page, e.pages, e.rows_fetched, e.last_error FROM job_executions e JOIN job_instances i ON i.id = e.instance_id WHERE i.window_from = '2025-03-05'",
      );
      expect(execution).toMatchObject({ status: 'FAILED', last_page: 2, pages: 2, rows_fetched: 20, last_error: (error as Error).message });
    } finally {
      await wired.close();
      await fake.close();
    }
  });
});
