import { describe, expect, it } from 'vitest';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { HEADER_EXECUTION_ID } from '../../../src/infrastructure/kafka/kafka-settlement-publisher.js';
import { exitCodeFor } from '../../../src/presentation/cli/exit-codes.js';
import { readSettlements } from '../../support/producer-kafka.js';
import { wireTestJob } from '../../support/producer-job.js';
import { executionsOf } from '../../support/producer-stack.js';
import { fault, generateSettlementRows, startTossFake, type TossFake } from '../../support/toss-fake.js';
import { failure } from '../../support/failure.js';
import { producerFixture } from '../../support/producer-fixture.js';

const { secretKey, topic, db } = producerFixture('settle.it.pagesize');

/** A first run with pages of 10 that checkpoints pages 1 and 2 (20 rows) and fails on page 3. */
async function failAfterTwoPagesOfTen(fake: TossFake, window: ReturnType<typeof settlementWindow>): Promise<void> {
  fake.setFaults({ 3: [fault.serverError(), fault.serverError()] });
  const first = await wireTestJob({ tossUrl: fake.url, secretKey, topic, databaseUrl: db.url, concurrency: 1, maxRetries: 1 });
  await failure(first.job.run({ window, pageSize: 10 })).finally(() => first.close());
  expect(first.checkpoints.map((c) => c.page)).toEqual([1, 2]);
  fake.setFaults({});
}

const keysPublishedBy = async (executionIds: Array<number | undefined>): Promise<string[]> => {
  const ids = new Set(executionIds.map(String));
  return (await readSettlements(topic)).filter((r) => ids.has(r.headers[HEADER_EXECUTION_ID] ?? '')).map((r) => r.value.transactionKey);
};

describe('the page size of a resumed window', () => {
  it('is stored with each execution', async () => {
    const rows = generateSettlementRows({ count: 25, from: '2025-05-01', seed: 21 });
    const fake = await startTossFake({ rows, secretKey });
    try {
      const wired = await wireTestJob({ tossUrl: fake.url, secretKey, topic, databaseUrl: db.url, concurrency: 2 });
      await wired.job.run({ window: settlementWindow('2025-05-01', '2025-05-01'), pageSize: 10 }).finally(() => wired.close());
      const stored = await db.query<{ page_size: number }>(
        "SELECT e.page_size FROM job_executions e JOIN job_instances i ON i.id = e.instance_id WHERE i.window_from = '2025-05-01'",
      );
      expect(stored).toEqual([{ page_size: 10 }]);
    } finally {
      await fake.close();
    }
  });

  it('a different size that does not divide the rows done is refused (exit 2) before anything is fetched or recorded, naming --page-size, the stored size and the way out', async () => {
    const rows = generateSettlementRows({ count: 45, from: '2025-05-02', seed: 22 });
    const window = settlementWindow('2025-05-02', '2025-05-02');
    const fake = await startTossFake({ rows, secretKey });
    try {
      await failAfterTwoPagesOfTen(fake, window);
      const [failed] = await executionsOf(db, '2025-05-02');
      const requestsBefore = fake.requests.length;

      const second = await wireTestJob({ tossUrl: fake.url, secretKey, topic, databaseUrl: db.url, concurrency: 2 });
      const error = await failure(second.job.run({ window, pageSize: 15 }).finally(() => second.close()));
      expect(error).toMatchObject({
        code: 'JOB_PAGE_SIZE_MISMATCH',
        category: 'usage',
        details: { executionId: failed?.id, storedPageSize: 10, pageSize: 15, lastPage: 2 },
      });
      expect(exitCodeFor(error.category)).toBe(2);
      for (const part of ['--page-size', 'TOSS_PAGE_SIZE', '10', '15', 'page 2', `settle jobs abandon ${failed?.id}`]) expect(error.message).toContain(part);
      expect(fake.requests.length).toBe(requestsBefore);
      expect((await executionsOf(db, '2025-05-02')).map((e) => e.status)).toEqual(['FAILED']);

      // the stored size resumes as before
      const third = await wireTestJob({ tossUrl: fake.url, secretKey, topic, databaseUrl: db.url, concurrency: 2 });
      const summary = await third.job.run({ window, pageSize: 10 }).finally(() => third.close());
      expect(summary).toMatchObject({ outcome: 'COMPLETED', resumedAfterPage: 2, counts: { rowsFetched: 25 } });
      expect((await keysPublishedBy([failed?.id, summary.executionId ?? undefined])).sort()).toEqual(rows.map((r) => r.transactionKey as string).sort());
    } finally {
      await fake.close();
    }
  });

  it('a size that divides the rows done resumes at the same row: every row once, the new execution in the new size', async () => {
    const rows = generateSettlementRows({ count: 45, from: '2025-05-05', seed: 23 });
    const window = settlementWindow('2025-05-05', '2025-05-05');
    const fake = await startTossFake({ rows, secretKey });
    try {
      await failAfterTwoPagesOfTen(fake, window);
      const requestsBefore = fake.requests.length;
      const second = await wireTestJob({ tossUrl: fake.url, secretKey, topic, databaseUrl: db.url, concurrency: 2 });
      const summary = await second.job.run({ window, pageSize: 20 }).finally(() => second.close());
      // 20 rows done = page 1 of 20: pages 2 (rows 21..40) and 3 (41..45) of 20 follow
      expect(summary).toMatchObject({ outcome: 'COMPLETED', resumedAfterPage: 1, counts: { pages: 2, rowsFetched: 25, rowsPublished: 25 } });
      expect(second.checkpoints.map((c) => c.page)).toEqual([2, 3]);
      expect(fake.requests.slice(requestsBefore).every((r) => r.size === 20)).toBe(true);

      const [failed, completed] = await executionsOf(db, '2025-05-05');
      const [stored] = await db.query<{ page_size: number; last_page: number }>('SELECT page_size, last_page FROM job_executions WHERE id = ?', [
        completed?.id,
      ]);
      expect(stored).toEqual({ page_size: 20, last_page: 3 });
      const published = await keysPublishedBy([failed?.id, completed?.id]);
      expect(published.sort()).toEqual(rows.map((r) => r.transactionKey as string).sort());
    } finally {
      await fake.close();
    }
  });
});
