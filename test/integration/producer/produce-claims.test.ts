import { describe, expect, it } from 'vitest';
import { settlementWindow } from '../../../src/domain/settlement/settlement-window.js';
import { exitCodeFor } from '../../../src/presentation/cli/exit-codes.js';
import { wireTestJob } from '../../support/producer-job.js';
import { fault, gate, generateSettlementRows, startTossFake } from '../../support/toss-fake.js';
import { producerFixture } from '../../support/producer-fixture.js';

const { secretKey, topic, db } = producerFixture('settle.it.claims');

// no timeouts are under test here: a page held by the fake is waited for, never retried
const wire = (tossUrl: string) => wireTestJob({ tossUrl, secretKey, topic, databaseUrl: db.url, concurrency: 1, timeoutMs: 600_000 });

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
      await expect(refusal).rejects.toMatchObject({
        code: 'JOB_ALREADY_COMPLETED',
        category: 'already-completed',
        message: expect.stringContaining('settle replay') as unknown,
      });
      expect(exitCodeFor('already-completed')).toBe(6);
      expect(fake.requests.length).toBe(calls);
      const executions = await db.query<{ status: string }>(
        "SELECT e.status FROM job_executions e JOIN job_instances i ON i.id = e.instance_id WHERE i.window_from = '2025-05-01'",
      );
      expect(executions.map((e) => e.status)).toEqual(['COMPLETED']);
    } finally {
      await fake.close();
    }
  });

  it('refuses a second concurrent run of the same window with already-running (exit 5), enforced in MySQL', async () => {
    // the fake holds the first run's page 2, so that run is inside the window (claim held) until the test opens it
    const held = gate();
    const fake = await startTossFake({
      rows: generateSettlementRows({ count: 25, from: '2025-05-02', seed: 6 }),
      secretKey,
      faults: { 2: [fault.hold(held)] },
    });
    const window = settlementWindow('2025-05-02', '2025-05-02');
    try {
      const a = await wire(fake.url);
      const b = await wire(fake.url);
      const runA = a.job.run({ window, pageSize: 10 }).finally(() => a.close());
      await Promise.race([held.reached, runA.then(() => Promise.reject(new Error('the first run ended before it asked for page 2')))]);
      const refusal = b.job.run({ window, pageSize: 10 }).finally(() => b.close());
      await expect(refusal).rejects.toMatchObject({
        code: 'JOB_ALREADY_RUNNING',
        category: 'already-running',
        message: expect.stringMatching(/already running \(execution \d+ on integration-test pid \d+/) as unknown,
      });
      expect(exitCodeFor('already-running')).toBe(5);
      held.open();
      expect(await runA).toMatchObject({ outcome: 'COMPLETED', counts: { rowsPublished: 25 } });
      const executions = await db.query<{ status: string }>(
        "SELECT e.status FROM job_executions e JOIN job_instances i ON i.id = e.instance_id WHERE i.window_from = '2025-05-02'",
      );
      expect(executions.map((e) => e.status)).toEqual(['COMPLETED']);
    } finally {
      held.open(); // a failed assertion above must not leave the first run waiting on its page
      await fake.close();
    }
  });
});
