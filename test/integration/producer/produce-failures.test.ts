import { describe, expect, it } from 'vitest';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { HEADER_EXECUTION_ID } from '../../../src/infrastructure/kafka/kafka-settlement-publisher.js';
import { exitCodeFor } from '../../../src/presentation/cli/exit-codes.js';
import { readSettlements } from '../../support/producer-kafka.js';
import { wireTestJob } from '../../support/producer-job.js';
import { executionsOf } from '../../support/producer-stack.js';
import { fault, generateSettlementRows, startTossFake } from '../../support/toss-fake.js';
import { failure } from '../../support/failure.js';
import { producerFixture } from '../../support/producer-fixture.js';

// no timeouts are under test here: the fake answers every request, however long a loaded machine takes
const NO_TIMEOUT = 600_000;
const { secretKey, topic, db } = producerFixture('settle.it.failures');

describe('settlement job failures', () => {
  it('retries a failing page at most maxRetries times, then fails the execution with Toss’s error (exit 4, transient)', async () => {
    const rows = generateSettlementRows({ count: 30, from: '2025-04-01', seed: 1 });
    const fake = await startTossFake({ rows, secretKey, faults: { 2: [fault.serverError(), fault.serverError(), fault.serverError(), fault.serverError()] } });
    const wired = await wireTestJob({ tossUrl: fake.url, secretKey, topic, databaseUrl: db.url, timeoutMs: NO_TIMEOUT, concurrency: 1, maxRetries: 2 });
    try {
      const error = await failure(wired.job.run({ window: settlementWindow('2025-04-01', '2025-04-01'), pageSize: 10 }));
      expect(error).toMatchObject({
        code: 'TOSS_UNAVAILABLE',
        category: 'transient',
        retriable: true,
        details: { status: 500, tossCode: 'FAILED_INTERNAL_SYSTEM_PROCESSING' },
      });
      expect(exitCodeFor(error.category)).toBe(4);
      expect(fake.requestsFor(2)).toHaveLength(3); // the first attempt and two retries
      expect(wired.checkpoints.map((c) => c.page)).toEqual([1]);
      const [execution] = await executionsOf(db, '2025-04-01');
      expect(execution).toMatchObject({ status: 'FAILED', last_page: 1, pages: 1, rows_fetched: 10 });
      expect(execution?.last_error).toContain('FAILED_INTERNAL_SYSTEM_PROCESSING');
    } finally {
      await wired.close();
      await fake.close();
    }
  });

  it('fails fast on a 4xx with Toss’s code and message, without retrying (401 UNAUTHORIZED_KEY)', async () => {
    const rows = generateSettlementRows({ count: 30, from: '2025-04-02', seed: 2 });
    const fake = await startTossFake({ rows, secretKey: 'test_sk_someone_else' });
    const wired = await wireTestJob({ tossUrl: fake.url, secretKey, topic, databaseUrl: db.url, timeoutMs: NO_TIMEOUT, concurrency: 2, maxRetries: 5 });
    try {
      const error = await failure(wired.job.run({ window: settlementWindow('2025-04-02', '2025-04-02'), pageSize: 10 }));
      expect(error).toMatchObject({
        code: 'TOSS_REQUEST_REJECTED',
        category: 'usage',
        retriable: false,
        details: { status: 401, tossCode: 'UNAUTHORIZED_KEY' },
      });
      expect(error.message).toContain('인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.');
      expect(fake.requests.every((r) => r.attempt === 1 && r.outcome === '401')).toBe(true);
      expect(fake.requests.length).toBeLessThanOrEqual(2); // the pages in flight, once each
      expect(wired.checkpoints).toEqual([]);
      expect((await executionsOf(db, '2025-04-02')).map((e) => e.status)).toEqual(['FAILED']);
    } finally {
      await wired.close();
      await fake.close();
    }
  });

  it('resumes a failed window after its last checkpoint: one instance, two executions, counts that add up, every row once', async () => {
    const rows = generateSettlementRows({ count: 45, from: '2025-04-03', seed: 3 });
    const window = settlementWindow('2025-04-03', '2025-04-03');
    const fake = await startTossFake({ rows, secretKey, faults: { 3: [fault.serverError(), fault.serverError()] } });
    try {
      const first = await wireTestJob({ tossUrl: fake.url, secretKey, topic, databaseUrl: db.url, timeoutMs: NO_TIMEOUT, concurrency: 2, maxRetries: 1 });
      await failure(first.job.run({ window, pageSize: 10 })).finally(() => first.close());
      expect(first.checkpoints.map((c) => c.page)).toEqual([1, 2]);

      fake.setFaults({});
      const requestsBefore = fake.requests.length;
      const second = await wireTestJob({ tossUrl: fake.url, secretKey, topic, databaseUrl: db.url, timeoutMs: NO_TIMEOUT, concurrency: 2 });
      const summary = await second.job.run({ window, pageSize: 10 }).finally(() => second.close());
      expect(summary).toMatchObject({ outcome: 'COMPLETED', resumedAfterPage: 2, counts: { pages: 3, rowsFetched: 25, rowsPublished: 25 } });
      expect(second.checkpoints.map((c) => c.page)).toEqual([3, 4, 5]);
      // page 2, its last checkpoint, is read again only to compare page 3 with it (never republished, below)
      expect(Math.min(...fake.requests.slice(requestsBefore).map((r) => r.page))).toBe(2);

      const instances = await db.query<{ id: number }>("SELECT id FROM job_instances WHERE window_from = '2025-04-03'");
      expect(instances).toHaveLength(1);
      const [failed, completed] = await executionsOf(db, '2025-04-03');
      expect(failed).toMatchObject({ status: 'FAILED', last_page: 2, pages: 2, rows_fetched: 20, rows_published: 20 });
      expect(completed).toMatchObject({ status: 'COMPLETED', resumed_from: failed?.id, last_page: 5, pages: 3, rows_fetched: 25, rows_published: 25 });

      const ids = new Set([String(failed?.id), String(completed?.id)]);
      const published = (await readSettlements(topic)).filter((r) => ids.has(r.headers[HEADER_EXECUTION_ID] ?? ''));
      expect(published.map((r) => r.value.transactionKey).sort()).toEqual(rows.map((r) => r.transactionKey as string).sort());
      expect(published.filter((r) => r.headers[HEADER_EXECUTION_ID] === String(completed?.id))).toHaveLength(25);
    } finally {
      await fake.close();
    }
  });
});
