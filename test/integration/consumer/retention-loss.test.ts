import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import type { Settlement } from '../../../src/domain/settlement/settlement.js';
import { isSettleError, type SettleError } from '../../../src/domain/shared/settle-error.js';
import { toSettlementRow } from '../../../src/infrastructure/mysql/settlement-row.js';
import { UPSERT_SETTLEMENTS_SQL } from '../../../src/infrastructure/mysql/settlement-upsert-sql.js';
import { runCli } from '../../../src/presentation/cli/run-cli.js';
import { syntheticSettlement } from '../../support/synthetic-settlements.js';
import { runConsumer } from '../../../src/presentation/consumer/consumer-runner.js';
import { ConsumerFixture, lockWaits, waitFor } from './consumer-fixture.js';
import { collect } from '../../support/collect-output.js';

// Records deleted from Kafka (retention; here admin.deleteTopicRecords, which moves the log start the same way)
// before the loader stored them must stop it loudly: STORED_OFFSET_BELOW_LOG_START, exit 3, nothing skipped.

const fixtures: ConsumerFixture[] = [];
afterAll(async () => {
  for (const fx of fixtures) await fx.close();
});

/** `settle <args>` in this process, with the fixture's environment. */
async function settle(fx: ConsumerFixture, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = collect();
  const err = collect();
  const { code } = await runCli({
    argv: ['node', 'settle', ...args],
    env: fx.env,
    version: 'test',
    stdout: out.stream,
    stderr: err.stream,
    signal: new AbortController().signal,
  });
  return { code, stdout: out.text(), stderr: err.text() };
}

const settlements = (fx: ConsumerFixture, from: number, count: number): Settlement[] =>
  Array.from({ length: count }, (_, i) => syntheticSettlement(from + i, fx.id.replace(/_/g, '')));

/** Records to one partition, in this order (offsets follow the partition's end). */
async function produceTo(fx: ConsumerFixture, partition: number, rows: readonly Settlement[]): Promise<void> {
  await fx.send(await Promise.all(rows.map(async (s) => ({ partition, key: s.paymentKey, value: await fx.serde.encode(s) }))));
}

async function deleteRecordsBefore(fx: ConsumerFixture, partition: number, offset: number): Promise<void> {
  const admin = fx.kafka.admin();
  await admin.connect();
  try {
    await admin.fetchTopicMetadata({ topics: [fx.topic] }); // kafkajs finds the leaders in metadata it does not load itself
    await admin.deleteTopicRecords({ topic: fx.topic, partitions: [{ partition, offset: String(offset) }] });
  } finally {
    await admin.disconnect();
  }
}

const keysOf = async (fx: ConsumerFixture) => new Set((await fx.rows()).map((r) => r.transaction_key));

/**
 * runConsumer without --until-idle, scraping /metrics until it ends (the lingering endpoint waits for a scrape);
 * stopped by a signal after `deadlineMs` (a consumer that carries on past the gap never ends by itself).
 */
async function runScraped(fx: ConsumerFixture, deadlineMs = 45_000): Promise<{ error: unknown; metrics: string[]; lingeredMs: number }> {
  let url = '';
  let settled = false;
  let settledAt = 0;
  const signal = AbortSignal.timeout(deadlineMs);
  const run = runConsumer({ config: fx.config, logger: fx.logger, signal, untilIdle: false, lossScrapeWaitMs: 60_000, onListening: (u) => (url = u) })
    .then(
      () => null,
      (error: unknown) => error,
    )
    .finally(() => {
      settled = true;
      settledAt = performance.now();
    });
  const metrics: string[] = [];
  let lastScrape = 0;
  while (!settled) {
    if (url) {
      const text = await fetch(`${url}/metrics`).then(
        (r) => r.text(),
        () => null,
      );
      if (text !== null) {
        metrics.push(text);
        lastScrape = performance.now();
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { error: await run, metrics, lingeredMs: settledAt - lastScrape };
}

const lostGauge = (text: string, partition: number): number | null => {
  const m = new RegExp(`^settle_consumer_records_lost\\{topic="[^"]+",partition="${partition}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
};

describe('consume: records deleted by retention before they were loaded', () => {
  it('a stored offset below the log start at startup: exit 3 naming the partition and the records lost, nothing loaded, the offset kept; the documented reset then loads the rest', async () => {
    const fx = await ConsumerFixture.create('retention', 2);
    fixtures.push(fx);
    await produceTo(fx, 0, settlements(fx, 0, 10));
    await produceTo(fx, 1, settlements(fx, 100, 10));
    expect(await runConsumer({ config: fx.config, logger: fx.logger, signal: new AbortController().signal, untilIdle: true })).toMatchObject({ inserted: 20 });
    expect(await fx.storedOffsets()).toEqual(
      new Map([
        [0, 10],
        [1, 10],
      ]),
    );

    // the consumer is stopped; more records come, and retention takes some the loader never saw
    await produceTo(fx, 0, settlements(fx, 10, 10));
    const later = settlements(fx, 110, 10);
    await produceTo(fx, 1, later);
    await deleteRecordsBefore(fx, 1, 14); // partition 1: offsets 10-13 gone before they were loaded
    await deleteRecordsBefore(fx, 0, 10); // partition 0: the log now starts exactly at the stored offset (nothing lost)

    const refused = await settle(fx, ['consume', '--until-idle']);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toContain('STORED_OFFSET_BELOW_LOG_START');
    expect(refused.stderr).toContain(`${fx.topic}[1] stored offset 10, log start 14: 4 record(s) lost`);
    expect(refused.stderr).not.toContain(`${fx.topic}[0]`);
    expect(refused.stderr).toContain(`settle replay --kafka --since 1970-01-01T00:00:00Z --group ${fx.group} --yes`);
    expect(await fx.count()).toBe(20); // nothing loaded: not the partition after its gap, not the healthy one
    expect(await fx.storedOffsets()).toEqual(
      new Map([
        [0, 10],
        [1, 10],
      ]),
    );

    // a long-running consumer says it in settle_consumer_records_lost before it exits (0 for the healthy partition)
    const run = await runScraped(fx);
    expect(isSettleError(run.error) && run.error.code).toBe('STORED_OFFSET_BELOW_LOG_START');
    expect((run.error as SettleError).details).toMatchObject({ recordsLost: 4, partitions: [{ partition: 1, stored: 10, logStart: 14, lost: 4 }] });
    const last = run.metrics.at(-1) ?? '';
    expect(lostGauge(last, 1)).toBe(4);
    expect(lostGauge(last, 0)).toBe(0);
    expect(run.lingeredMs).toBeLessThan(10_000); // the scrape, not the 60 s cap, ended the wait
    expect(await fx.count()).toBe(20);
    expect(await fx.storedOffsets()).toEqual(
      new Map([
        [0, 10],
        [1, 10],
      ]),
    );
    expect([...(await keysOf(fx))].some((k) => later.some((s) => s.transactionKey === k))).toBe(false);

    // the fix the error names (the Toss replay aside): reset the stored offsets to the log start, consume again
    const reset = await settle(fx, ['replay', '--kafka', '--since', '1970-01-01T00:00:00Z', '--group', fx.group, '--yes']);
    expect(reset.code, reset.stderr).toBe(0);
    expect(await fx.storedOffsets()).toEqual(
      new Map([
        [0, 10],
        [1, 14],
      ]),
    );
    const reloaded = await runConsumer({ config: fx.config, logger: fx.logger, signal: new AbortController().signal, untilIdle: true });
    expect(reloaded).toMatchObject({ records: 16, inserted: 16 });
    expect(await fx.storedOffsets()).toEqual(
      new Map([
        [0, 20],
        [1, 20],
      ]),
    );
  });

  it('records deleted under a running consumer that is behind: it stops at the gap (stored offset kept, nothing after the gap loaded)', async () => {
    const fx = await ConsumerFixture.create('retention_live', 1);
    fixtures.push(fx);
    await produceTo(fx, 0, settlements(fx, 0, 10));
    await runConsumer({ config: fx.config, logger: fx.logger, signal: new AbortController().signal, untilIdle: true });
    expect(await fx.storedOffsets()).toEqual(new Map([[0, 10]]));

    // another session holds the last key of the next batch (offsets 10-19): the consumer waits on it, behind
    const inFlight = settlements(fx, 10, 10);
    const held = inFlight.at(-1);
    if (!held) throw new Error('fixture');
    const blocker = await mysql.createConnection({ uri: fx.env.MYSQL_URL ?? '' });
    await blocker.beginTransaction();
    await blocker.query(UPSERT_SETTLEMENTS_SQL, [[toSettlementRow(held, { topic: 'blocker', partition: 0, offset: 0, timestamp: 0 })]]);
    await produceTo(fx, 0, inFlight);
    const running = runScraped(fx);
    const gone = settlements(fx, 20, 5);
    const kept = settlements(fx, 25, 5);
    try {
      await waitFor('the consumer to wait on the held row', async () => (await lockWaits(fx.db, `settle_it_${fx.id}`)) > 0, 60_000, 200);
      await produceTo(fx, 0, [...gone, ...kept]); // offsets 20-29
      await deleteRecordsBefore(fx, 0, 25); // 20-24 deleted before the loader got to them
    } finally {
      await blocker.rollback();
      await blocker.end();
    }
    const run = await running;
    expect(isSettleError(run.error) && run.error.code, String(run.error)).toBe('STORED_OFFSET_BELOW_LOG_START');
    expect((run.error as SettleError).message).toContain(`${fx.topic}[0] stored offset 20, log start 25: 5 record(s) lost`);
    expect(run.metrics.some((text) => lostGauge(text, 0) === 5)).toBe(true);
    expect(run.lingeredMs).toBeLessThan(10_000);
    // the batch in flight was stored; nothing at or after the gap was
    expect(await fx.storedOffsets()).toEqual(new Map([[0, 20]]));
    const keys = await keysOf(fx);
    expect(keys.size).toBe(20);
    expect([...gone, ...kept].some((s) => keys.has(s.transactionKey))).toBe(false);
  });
});
