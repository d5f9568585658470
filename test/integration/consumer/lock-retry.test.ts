import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { runConsumer } from '../../../src/presentation/consumer/consumer-runner.js';
import { ConsumerFixture, waitFor } from './consumer-fixture.js';

describe('consume: a row lock held past innodb_lock_wait_timeout', () => {
  let fx: ConsumerFixture;
  const settlements = Array.from({ length: 80 }, (_, i) => syntheticSettlement(i, 'lk'));
  beforeAll(async () => {
    fx = await ConsumerFixture.create('lock', 1);
  });
  afterAll(async () => fx?.close());

  it('retries the batch, then succeeds once the lock is released, losing nothing', async () => {
    await fx.produce(settlements.slice(0, 50));
    await runConsumer({ config: fx.config, logger: fx.logger, signal: new AbortController().signal, untilIdle: true });
    const newer = syntheticSettlement(10, 'lk', 2);

    const [saved] = await fx.db.query<RowDataPacket[]>('SELECT @@global.innodb_lock_wait_timeout AS t');
    const blocker = await mysql.createConnection({ uri: fx.env.MYSQL_URL ?? '' });
    try {
      // only sessions opened from now on (the consumer's pool) wait 2 s instead of 50 s
      await fx.db.query('SET GLOBAL innodb_lock_wait_timeout = 2');
      await blocker.beginTransaction();
      await blocker.query('SELECT id FROM settlements WHERE transaction_key = ? FOR UPDATE', [newer.transactionKey]);
      await fx.produce([newer, ...settlements.slice(50)]);

      let metricsUrl = '';
      const run = runConsumer({
        config: fx.config,
        logger: fx.logger,
        signal: new AbortController().signal,
        untilIdle: true,
        onListening: (url) => (metricsUrl = url),
      });
      await waitFor(
        'a retry of the store step',
        async () =>
          metricsUrl !== '' && /settle_consumer_retries_total\{[^}]*step="store"[^}]*\} [1-9]/.test(await (await fetch(`${metricsUrl}/metrics`)).text()),
        60_000,
        200,
      );
      expect(await fx.count()).toBe(50); // the waiting batch has written nothing yet
      await blocker.rollback();
      const summary = await run;

      expect(summary.retries).toBeGreaterThanOrEqual(1);
      expect(summary).toMatchObject({ records: 31, inserted: 30, updated: 1, unchanged: 0, deadLettered: 0 });
      expect(await fx.count()).toBe(80);
      expect((await fx.rows()).find((r) => r.transaction_key === newer.transactionKey)?.amount).toBe(newer.amount);
      expect(await fx.storedOffsets()).toEqual(await fx.highWatermarks());
    } finally {
      await fx.db.query('SET GLOBAL innodb_lock_wait_timeout = ?', [Number(saved[0]?.t ?? 50)]);
      await blocker.rollback().catch(() => undefined);
      await blocker.end();
    }
  });
});
