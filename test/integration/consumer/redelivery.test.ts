import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runConsumer } from '../../../src/presentation/consumer/consumer-runner.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { ConsumerFixture } from './consumer-fixture.js';

// Data columns only: the source_* bookkeeping moves forward when a later copy of the same record arrives.
const dataOf = (rows: Awaited<ReturnType<ConsumerFixture['rows']>>) =>
  rows.map(({ source_topic: _t, source_partition: _p, source_offset: _o, source_timestamp: _ts, updated_at: _u, ...data }) => data);

describe('consume: redelivery and replays', () => {
  let fx: ConsumerFixture;
  const consume = () => runConsumer({ config: fx.config, logger: fx.logger, signal: new AbortController().signal, untilIdle: true });
  const settlements = Array.from({ length: 150 }, (_, i) => syntheticSettlement(i, 'rd'));

  beforeAll(async () => {
    fx = await ConsumerFixture.create('redelivery', 3);
    await fx.produce(settlements);
  });
  afterAll(async () => fx?.close());

  it('loads every record once and stores each partition offset at the end of the log', async () => {
    const summary = await consume();
    expect(summary).toMatchObject({ records: 150, inserted: 150, updated: 0, unchanged: 0, deadLettered: 0, stoppedBy: 'idle' });
    expect(await fx.count()).toBe(150);
    expect(await fx.storedOffsets()).toEqual(await fx.highWatermarks());
  });

  it('leaves one row each with identical values when the stored offsets are lost and every record is delivered again', async () => {
    const before = await fx.rows();
    await fx.db.query('DELETE FROM consumer_offsets WHERE group_id = ?', [fx.group]);
    const summary = await consume();
    expect(summary).toMatchObject({ records: 150, inserted: 0, updated: 0, unchanged: 150 });
    expect(await fx.rows()).toEqual(before); // untouched, updated_at included
  });

  it('leaves one row each with identical values when the producer publishes the same records again', async () => {
    const before = dataOf(await fx.rows());
    await fx.produce(settlements);
    const summary = await consume();
    // later copies win (source moves forward), values stay the same, nothing is doubled
    expect(summary).toMatchObject({ records: 150, inserted: 0, updated: 150, unchanged: 0 });
    expect(dataOf(await fx.rows())).toEqual(before);
    expect(await fx.count()).toBe(150);
  });

  it('never lets a replay of old offsets overwrite a newer version of a row', async () => {
    const key = settlements[7]?.transactionKey ?? '';
    const newer = syntheticSettlement(7, 'rd', 3);
    await fx.produce([newer]);
    expect(await consume()).toMatchObject({ records: 1, updated: 1 });
    await fx.db.query('DELETE FROM consumer_offsets WHERE group_id = ?', [fx.group]); // replay the whole log
    const replay = await consume();
    expect(replay).toMatchObject({ records: 301, inserted: 0, updated: 0, unchanged: 301 });
    const row = (await fx.rows()).find((r) => r.transaction_key === key);
    expect(row?.amount).toBe(newer.amount);
    const [sum] = await fx.db.query<RowDataPacket[]>('SELECT SUM(amount) AS total FROM settlements');
    const expected = settlements.reduce((n, s, i) => n + (i === 7 ? newer.amount : s.amount), 0);
    expect(Number(sum[0]?.total)).toBe(expected);
  });
});
