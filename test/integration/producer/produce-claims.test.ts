import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { exitCodeFor } from '../../../src/presentation/cli/exit-codes.js';
import { createSettlementTopics, dropSettlementTopics } from '../../support/producer-kafka.js';
import { wireTestJob } from '../../support/producer-job.js';
import { createTempDatabase, testSecretKey, uniqueName, until, type TempDatabase } from '../../support/producer-stack.js';
import { generateSettlementRows, startTossFake } from '../../support/toss-fake.js';

const secretKey = testSecretKey();
const topic = uniqueName('settle.it.claims');
let db: TempDatabase;

beforeAll(async () => {
  db = await createTempDatabase();
  await createSettlementTopics(topic, 3);
});

afterAll(async () => {
  await db?.drop();
  await dropSettlementTopics(topic);
});

const wire = (tossUrl: string) => wireTestJob({ tossUrl, secretKey, topic, databaseUrl: db.url, concurrency: 1 });

describe('one window, one claim', () => {
  it('refuses a COMPLETED window with already-completed (exit 6) and does not call Toss again', async () => {
    const fake = await startTossFake({ rows: generateSettlementRows({ count: 15, from: '2025-05-01', seed: 5 }), secretKey });
    const window = settlementWindow('2025-05-01', '2025-05-01');
    try {
      const first = await wire(fake.url);
      expect((await first.job.run({ window, pageSize: 10 }).finally(() => first.close())).outcome).toBe('COMPLETED');
      const calls = fake.requests.length;

      const again = await wire(fake.url);
      const refusal = again.job.run({ window, pageSize: 10 }).finally(() => again.close());
      await expect(refusal).rejects.toMatchObject({ code: 'JOB_ALREADY_COMPLETED', category: 'already-completed', message: expect.stringContaining('settle replay') as unknown });
      expect(exitCodeFor('already-completed')).toBe(6);
      expect(fake.requests.length).toBe(calls);
      const executions = await db.query<{ status: string }>("SELECT e.status FROM job_executions e JOIN job_instances i ON i.id = e.instance_id WHERE i.window_from = '2025-05-01'");
      expect(executions.map((e) => e.status)).toEqual(['COMPLETED']);
    } finally {
      await fake.close();
    }
  });

  it('refuses a second concurrent run of the same window with already-running (exit 5), enforced in MySQL', async () => {
    // slow pages keep the first run inside the window while the second one starts
    const fake = await startTossFake({ rows: generateSettlementRows({ count: 25, from: '2025-05-02', seed: 6 }), secretKey, delayMs: 300 });
    const window = settlementWindow('2025-05-02', '2025-05-02');
    try {
      const a = await wire(fake.url);
      const b = await wire(fake.url);
      const runA = a.job.run({ window, pageSize: 10 }).finally(() => a.close());
      await until(() => fake.requests.length > 0, 10_000, 'the first run to fetch');
      const refusal = b.job.run({ window, pageSize: 10 }).finally(() => b.close());
      await expect(refusal).rejects.toMatchObject({ code: 'JOB_ALREADY_RUNNING', category: 'already-running', message: expect.stringMatching(/already running \(execution \d+ on integration-test pid \d+/) as unknown });
      expect(exitCodeFor('already-running')).toBe(5);
      expect(await runA).toMatchObject({ outcome: 'COMPLETED', counts: { rowsPublished: 25 } });
      const executions = await db.query<{ status: string }>("SELECT e.status FROM job_executions e JOIN job_instances i ON i.id = e.instance_id WHERE i.window_from = '2025-05-02'");
      expect(executions.map((e) => e.status)).toEqual(['COMPLETED']);
    } finally {
      await fake.close();
    }
  });
});
