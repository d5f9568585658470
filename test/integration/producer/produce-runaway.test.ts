import { describe, expect, it } from 'vitest';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { HEADER_EXECUTION_ID } from '../../../src/infrastructure/kafka/kafka-settlement-publisher.js';
import { exitCodeFor } from '../../../src/presentation/cli/exit-codes.js';
import { readSettlements } from '../../support/producer-kafka.js';
import { wireTestJob, type TestJobOptions } from '../../support/producer-job.js';
import { executionsOf } from '../../support/producer-stack.js';
import { fault, generateSettlementRows, startTossFake, type FaultScript, type TossFake } from '../../support/toss-fake.js';
import { failure } from '../../support/failure.js';
import { producerFixture } from '../../support/producer-fixture.js';

const { secretKey, topic, db } = producerFixture('settle.it.runaway');

/** Pages prefetched three at a time and two in flight to Kafka, as the CLI runs them. */
const wire = (fake: TossFake, more: Partial<TestJobOptions> = {}) =>
  wireTestJob({ tossUrl: fake.url, secretKey, topic, databaseUrl: db.url, concurrency: 3, pagesInFlight: 2, ...more });

/** transactionKey per execution id, as published to the topic. */
async function publishedBy(executionIds: Array<number | null | undefined>): Promise<Map<string, string[]>> {
  const byExecution = new Map(executionIds.map((id) => [String(id), [] as string[]]));
  for (const r of await readSettlements(topic)) byExecution.get(r.headers[HEADER_EXECUTION_ID] ?? '')?.push(r.value.transactionKey);
  return byExecution;
}

describe('a Toss that never ends the window', () => {
  it('answering every page from 3 on with page 2 again: TOSS_PAGE_REPEATED (exit 3) with pages 1–2 published and checkpointed, the same verdict on every rerun, and a clean resume once Toss pages again', async () => {
    const rows = generateSettlementRows({ count: 50, from: '2025-08-04', seed: 31 });
    const keys = rows.map((r) => r.transactionKey as string);
    const window = settlementWindow('2025-08-04', '2025-08-04');
    // bounded (pages 3..40) so that a producer without the guard ends instead of hanging the test
    const repeating: FaultScript = Object.fromEntries(Array.from({ length: 38 }, (_, i) => [i + 3, [fault.rows(rows.slice(10, 20))]]));
    const fake = await startTossFake({ rows, secretKey, faults: repeating });
    try {
      const first = await wire(fake);
      const error = await failure(first.job.run({ window, pageSize: 10 }).finally(() => first.close()));
      expect(error).toMatchObject({ code: 'TOSS_PAGE_REPEATED', category: 'data', details: { page: 3, previousPage: 2, rows: 10 } });
      expect(exitCodeFor(error.category)).toBe(3);
      expect(first.checkpoints.map((c) => c.page)).toEqual([1, 2]);
      const [failed] = await executionsOf(db, '2025-08-04');
      expect(failed).toMatchObject({ status: 'FAILED', last_page: 2, pages: 2, rows_fetched: 20, rows_published: 20, last_error: error.message });
      expect((await publishedBy([failed?.id])).get(String(failed?.id))?.sort()).toEqual(keys.slice(0, 20).sort());

      fake.setFaults(repeating);
      const before = fake.requests.length;
      const again = await wire(fake);
      expect(await failure(again.job.run({ window, pageSize: 10 }).finally(() => again.close()))).toMatchObject({
        code: 'TOSS_PAGE_REPEATED',
        details: { page: 3, previousPage: 2 },
      });
      expect(again.checkpoints).toEqual([]);
      expect(Math.min(...fake.requests.slice(before).map((r) => r.page))).toBe(2); // the reference page, read again

      fake.setFaults({});
      const last = await wire(fake);
      const summary = await last.job.run({ window, pageSize: 10 }).finally(() => last.close());
      expect(summary).toMatchObject({ outcome: 'COMPLETED', resumedAfterPage: 2, counts: { pages: 4, rowsFetched: 30, rowsPublished: 30 } });
      const executions = await executionsOf(db, '2025-08-04');
      expect(executions.map((e) => e.status)).toEqual(['FAILED', 'FAILED', 'COMPLETED']);
      const published = await publishedBy(executions.map((e) => e.id));
      expect(published.get(String(executions[1]?.id))).toEqual([]);
      const all = [...published.values()].flat();
      expect(all.sort()).toEqual([...keys].sort()); // every row once: nothing skipped, nothing repeated
    } finally {
      await fake.close();
    }
  });

  it('cycling pages A, B, A, B: TOSS_PAGE_REPEATED (exit 3) at page 3 naming page 1, with pages 1–2 published and checkpointed', async () => {
    const rows = generateSettlementRows({ count: 50, from: '2025-08-06', seed: 33 });
    const keys = rows.map((r) => r.transactionKey as string);
    const window = settlementWindow('2025-08-06', '2025-08-06');
    // pages 3..40 answer page 1's rows, then page 2's, … (bounded so that a producer without the guard ends)
    const pageOf = (p: number) => (p % 2 === 1 ? rows.slice(0, 10) : rows.slice(10, 20));
    const cycling: FaultScript = Object.fromEntries(Array.from({ length: 38 }, (_, i) => [i + 3, [fault.rows(pageOf(i + 3))]]));
    const fake = await startTossFake({ rows, secretKey, faults: cycling });
    try {
      const run = await wire(fake);
      const error = await failure(run.job.run({ window, pageSize: 10 }).finally(() => run.close()));
      expect(error).toMatchObject({ code: 'TOSS_PAGE_REPEATED', category: 'data', details: { page: 3, previousPage: 1, rows: 10 } });
      expect(exitCodeFor(error.category)).toBe(3);
      expect(error.message).toContain('as page 1');
      expect(run.checkpoints.map((c) => c.page)).toEqual([1, 2]);
      const [failed] = await executionsOf(db, '2025-08-06');
      expect(failed).toMatchObject({ status: 'FAILED', last_page: 2, pages: 2, rows_fetched: 20, rows_published: 20, last_error: error.message });
      expect((await publishedBy([failed?.id])).get(String(failed?.id))?.sort()).toEqual(keys.slice(0, 20).sort());
    } finally {
      await fake.close();
    }
  });

  it('with no maxPages the limit is derived from maxRowsPerDay (named in the error); the default one lets the window complete', async () => {
    const rows = generateSettlementRows({ count: 60, from: '2025-08-07', seed: 34 });
    const window = settlementWindow('2025-08-07', '2025-08-07');
    const fake = await startTossFake({ rows, secretKey });
    try {
      // 35 rows a day × 1 day ÷ 10 rows a page: 4 pages
      const capped = await wire(fake);
      const error = await failure(capped.job.run({ window, pageSize: 10, maxRowsPerDay: 35 }).finally(() => capped.close()));
      const details = { page: 5, maxPages: 4, pageSize: 10, source: 'derived', maxRowsPerDay: 35, days: 1 };
      expect(error).toMatchObject({ code: 'TOSS_PAGE_LIMIT_EXCEEDED', category: 'data', details });
      expect(exitCodeFor(error.category)).toBe(3);
      expect(error.message).toContain('the limit derived from TOSS_MAX_ROWS_PER_DAY 35 × 1 day(s) ÷ 10 rows a page');
      expect(capped.checkpoints.map((c) => c.page)).toEqual([1, 2, 3, 4]);

      const defaults = await wire(fake);
      const summary = await defaults.job.run({ window, pageSize: 10 }).finally(() => defaults.close());
      expect(summary).toMatchObject({ outcome: 'COMPLETED', resumedAfterPage: 4, counts: { rowsFetched: 20, rowsPublished: 20 } });
      const [failed] = await executionsOf(db, '2025-08-07');
      const all = [...(await publishedBy([failed?.id, summary.executionId])).values()].flat();
      expect(all.sort()).toEqual(rows.map((r) => r.transactionKey as string).sort());
    } finally {
      await fake.close();
    }
  });

  it('serving full pages past maxPages: TOSS_PAGE_LIMIT_EXCEEDED (exit 3) with pages 1..maxPages published and checkpointed; a higher ceiling resumes after them', async () => {
    const rows = generateSettlementRows({ count: 60, from: '2025-08-05', seed: 32 });
    const window = settlementWindow('2025-08-05', '2025-08-05');
    const fake = await startTossFake({ rows, secretKey });
    try {
      const capped = await wire(fake);
      const error = await failure(capped.job.run({ window, pageSize: 10, maxPages: 4 }).finally(() => capped.close()));
      expect(error).toMatchObject({ code: 'TOSS_PAGE_LIMIT_EXCEEDED', category: 'data', details: { page: 5, maxPages: 4, pageSize: 10 } });
      expect(exitCodeFor(error.category)).toBe(3);
      expect(error.message).toContain('--max-pages 4');
      expect(capped.checkpoints.map((c) => c.page)).toEqual([1, 2, 3, 4]);
      const [failed] = await executionsOf(db, '2025-08-05');
      expect(failed).toMatchObject({ status: 'FAILED', last_page: 4, rows_published: 40 });
      expect((await publishedBy([failed?.id])).get(String(failed?.id))).toHaveLength(40);

      const raised = await wire(fake);
      const summary = await raised.job.run({ window, pageSize: 10, maxPages: 10 }).finally(() => raised.close());
      expect(summary).toMatchObject({ outcome: 'COMPLETED', resumedAfterPage: 4, counts: { rowsFetched: 20, rowsPublished: 20 } });
      const all = [...(await publishedBy([failed?.id, summary.executionId])).values()].flat();
      expect(all.sort()).toEqual(rows.map((r) => r.transactionKey as string).sort());
    } finally {
      await fake.close();
    }
  });
});
