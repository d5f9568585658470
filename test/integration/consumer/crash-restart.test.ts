import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSettlementRow } from '../../../src/infrastructure/mysql/settlement-row.js';
import { UPSERT_SETTLEMENTS_SQL } from '../../../src/infrastructure/mysql/settlement-upsert-sql.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { runConsumer } from '../../../src/presentation/consumer/consumer-runner.js';
import { ConsumerFixture, lockWaits, waitFor } from './consumer-fixture.js';

// Needs the built binary: `npx tsc -p tsconfig.build.json`.
describe('consume: SIGKILL mid-batch, then restart', () => {
  let fx: ConsumerFixture;
  const all = Array.from({ length: 600 }, (_, i) => syntheticSettlement(i, 'cr'));
  beforeAll(async () => {
    fx = await ConsumerFixture.create('crash', 3);
  });
  afterAll(async () => fx?.close());

  it('leaves exactly the expected rows: counts, sums, no duplicates, offsets at the end', async () => {
    await fx.produce(all.slice(0, 300));
    await runConsumer({ config: fx.config, logger: fx.logger, signal: new AbortController().signal, untilIdle: true });
    expect(await fx.count()).toBe(300);

    // Another session holds an uncommitted insert of the batch's last key: the consumer's statement for that
    // partition inserts the rows before it, then waits; killing it then is killing it mid-batch.
    const last = all[599];
    if (!last) throw new Error('fixture');
    const blocker = await mysql.createConnection({ uri: fx.env.MYSQL_URL ?? '' });
    const first = fx.spawnSettle(['consume'], { LOG_LEVEL: 'info' });
    try {
      await blocker.beginTransaction();
      await blocker.query(UPSERT_SETTLEMENTS_SQL, [[toSettlementRow(last, { topic: 'blocker', partition: 0, offset: 0, timestamp: 0 })]]);
      await fx.produce(all.slice(300));
      const highs = await fx.highWatermarks();
      await waitFor('the consumer to block on the held row', async () => (await lockWaits(fx.db, `settle_it_${fx.id}`)) > 0, 60_000, 300);
      const stored = await waitFor('the other partitions to be stored', async () => {
        const s = await fx.storedOffsets();
        return [...highs].filter(([p, high]) => (s.get(p) ?? 0) < high).length === 1 ? s : null;
      });
      const midway = await fx.count();
      expect(midway).toBeGreaterThan(300);
      expect(midway).toBeLessThan(600);
      expect([...stored.values()].reduce((a, b) => a + b, 0)).toBeLessThan(600);
    } catch (error) {
      first.kill('SIGKILL');
      throw new Error(`${(error as Error).message}\nconsumer stderr:\n${(await first.output).stderr.slice(-4000)}`, { cause: error });
    } finally {
      first.kill('SIGKILL');
      await blocker.rollback().catch(() => undefined);
      await blocker.end();
    }
    expect((await first.output).signal).toBe('SIGKILL');

    const second = await fx.spawnSettle(['consume', '--until-idle', '--json']).output;
    expect(second.code, second.stderr).toBe(0);
    const summary = JSON.parse(second.stdout) as { records: number; inserted: number; deadLettered: number };
    expect(summary.deadLettered).toBe(0);
    expect(summary.inserted).toBeGreaterThan(0);

    const [totals] = await fx.db.query<RowDataPacket[]>(
      'SELECT COUNT(*) AS n, COUNT(DISTINCT transaction_key) AS keys_, SUM(amount) AS amount, SUM(pay_out_amount) AS payout FROM settlements',
    );
    expect(totals[0]).toMatchObject({
      n: 600,
      keys_: 600,
      amount: String(all.reduce((n, s) => n + s.amount, 0)),
      payout: String(all.reduce((n, s) => n + s.payOutAmount, 0)),
    });
    expect(await fx.storedOffsets()).toEqual(await fx.highWatermarks());
  });
});
